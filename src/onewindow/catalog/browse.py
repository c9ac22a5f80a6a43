"""How residents browse the catalogue: names in pinyin order (the order of a Chinese
dictionary, not of Unicode code points), services grouped by topic and by life event, and
the other names (aliases) a service is known by, which search finds like its name."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pypinyin import Style, lazy_pinyin

from onewindow.catalog.models import Service, localized
from onewindow.catalog.packages.vocabulary import vocabulary_load

GroupBy = Literal["topics", "life_events"]

_NOT_HAN = "\x00"  # marks a run of characters pypinyin left alone (Latin, digits)


def name_sort_key(name: str) -> tuple[Any, ...]:
    """Sort key for a display name: Chinese characters by pinyin syllable, then tone (as a
    dictionary orders them; 长者 reads zhǎngzhě from its phrase), other text case-folded.
    Ties fall back to the name itself so the order is total."""
    text = unicodedata.normalize("NFKC", name).strip()
    syllables = lazy_pinyin(
        text,
        style=Style.TONE3,
        neutral_tone_with_five=True,
        errors=lambda chunk: _NOT_HAN + chunk,
    )
    parts: list[tuple[str, int]] = []
    for syllable in syllables:
        if syllable.startswith(_NOT_HAN):
            parts.extend((word, 0) for word in syllable[1:].casefold().split())
        elif syllable[-1:].isdigit():
            parts.append((syllable[:-1], int(syllable[-1])))
        else:
            parts.append((syllable, 0))
    return (tuple(parts), text)


def services_sorted(services: Iterable[Service]) -> list[Service]:
    """Services in the order of their names as shown in the active language."""
    return sorted(services, key=lambda s: name_sort_key(s.display_name))


@dataclass(frozen=True)
class ServiceGroup:
    code: str
    name: str
    services: list[Service]


def service_groups(services: Iterable[Service], *, by: GroupBy) -> list[ServiceGroup]:
    """The services under each topic (or life event) the packages name, groups and services
    both in name order; a service with several topics appears under each. Codes missing
    from the vocabulary group under the code itself."""
    vocabulary = vocabulary_load()
    members: dict[str, list[Service]] = {}
    for service in services:
        for code in getattr(service, by) or []:
            members.setdefault(str(code), []).append(service)
    groups = [
        ServiceGroup(code=code, name=vocabulary.label(by, code), services=services_sorted(rows))
        for code, rows in members.items()
    ]
    return sorted(groups, key=lambda g: name_sort_key(g.name))


@dataclass(frozen=True)
class Alias:
    name: str
    note: str


def _alias_items(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in definition.get("aliases") or [] if isinstance(item, dict)]


def _alias(item: dict[str, Any]) -> Alias:
    return Alias(name=localized(item.get("name")), note=localized(item.get("note")))


def _alias_forms(item: dict[str, Any]) -> list[str]:
    name = item.get("name")
    if isinstance(name, dict):
        return [str(v) for v in name.values() if v]
    return [str(name)] if name else []


def service_aliases(definition: dict[str, Any]) -> list[Alias]:
    """The package's ``aliases`` in the active language: names a service is also known by
    (such as the programme it replaced), each with an optional note for the guide."""
    return [_alias(item) for item in _alias_items(definition)]


def alias_search_words(definition: dict[str, Any]) -> list[str]:
    """Every language's form of every alias, for the search text."""
    return [form for item in _alias_items(definition) for form in _alias_forms(item)]


def aliases_matched(definition: dict[str, Any], q: str) -> list[Alias]:
    """The aliases a search query found the service by: every word of the query appears in
    one form (Chinese or English) of the alias."""
    words = [w for w in (q or "").casefold().split() if w]
    if not words:
        return []
    return [
        _alias(item)
        for item in _alias_items(definition)
        if any(all(w in form.casefold() for w in words) for form in _alias_forms(item))
    ]
