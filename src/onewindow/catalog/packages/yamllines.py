"""YAML with line numbers: the data as plain Python values plus the line of every key and
list item, so a problem found in the data can point at ``service.yaml:LINE``."""

from __future__ import annotations

import datetime
from typing import Any

import yaml

Path = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings (the definition is stored as JSON)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _lines(node: yaml.Node, path: Path, out: dict[Path, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            child = (*path, key)
            out[child] = key_node.start_mark.line + 1
            _lines(value_node, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            out[child] = item.start_mark.line + 1
            _lines(item, child, out)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse YAML; raises ``yaml.YAMLError`` (with ``problem_mark``) on bad syntax."""
    node = yaml.compose(text, Loader=_Loader)
    lines: dict[Path, int] = {}
    if node is not None:
        lines[()] = node.start_mark.line + 1
        _lines(node, (), lines)
    data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    return _plain(data), lines


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of the deepest known prefix of ``path``."""
    probe = tuple(path)
    while probe:
        if probe in lines:
            return lines[probe]
        probe = probe[:-1]
    return lines.get(())
