"""A count of days or working days is translated with its plural form ("1 working day",
"7 working days"), never as one fixed sentence ("1 working days")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.template import engines
from django.template.base import Node, TokenType
from django.templatetags.i18n import BlockTranslateNode
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

import onewindow
from onewindow.audit.services import Actor
from onewindow.catalog.packages.validator import _working_days
from onewindow.catalog.services import service_packages_import
from onewindow.demo.city import city_structure_seed
from onewindow.testing.packages import files_for, service, write_package

SRC = Path(onewindow.__file__).parent
DAYS = re.compile(r"工作日|天|日内")


def _nodes(nodes: list[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        for attr in getattr(node, "child_nodelists", ()):
            yield from _nodes(getattr(node, attr, None) or [])


def _counted_texts_without_plural() -> list[str]:
    django_engine = engines["django"].engine  # type: ignore[attr-defined]
    found = []
    for path in sorted(SRC.glob("*/templates/**/*.html")):
        template = django_engine.from_string(path.read_text(encoding="utf-8"))
        for node in _nodes(template.nodelist):
            if not isinstance(node, BlockTranslateNode):
                continue
            text = "".join(t.contents for t in node.singular if t.token_type == TokenType.TEXT)
            has_number = any(t.token_type == TokenType.VAR for t in node.singular)
            if DAYS.search(text) and has_number and node.countervar is None:
                found.append(f"{path.relative_to(SRC)}: {text.strip()}")
    return found


def test_every_template_counting_days_uses_a_plural_form() -> None:
    assert _counted_texts_without_plural() == []


def test_no_python_message_puts_a_number_before_days_without_ngettext() -> None:
    fixed = re.compile(r"""(?<!ngettext\()_\(\s*["'][^"']*%\(\w+\)[sd]\s*(个工作日|天)""")
    found = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "tests" not in path.parts and fixed.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.fixture
def english_plurals() -> Iterator[None]:
    """English entries for the counted strings, as the catalogue will have them."""
    entries = {
        ("%(days)s 个工作日", 0): "%(days)s working day",
        ("%(days)s 个工作日", 1): "%(days)s working days",
        ("%(n)s个工作日", 0): "%(n)s working day",
        ("%(n)s个工作日", 1): "%(n)s working days",
    }
    catalog = trans_real.translation("en")._catalog._catalogs[0]  # type: ignore[attr-defined]
    saved = {key: catalog.get(key) for key in entries}
    catalog.update(entries)
    yield
    for key, value in saved.items():
        if value is None:
            catalog.pop(key, None)
        else:
            catalog[key] = value


@pytest.mark.django_db
def test_a_one_day_service_reads_one_working_day_in_english(
    english_plurals: None, tmp_path: Path, client: Client
) -> None:
    city_structure_seed(seed=1)
    one_day = service(time_limit={"statutory_days": 5, "promised_days": 1})
    service_packages_import(
        actor=Actor.system("test"), paths=[write_package(tmp_path, files_for(one_day))]
    )
    client.cookies["django_language"] = "en"
    body = client.get("/services/hk-macau-reendorsement/").content.decode()
    assert "<strong>1 working day</strong>" in body
    assert "<dd>5 working days</dd>" in body
    with translation.override("en"):
        assert _working_days(1) == "1 working day"
    client.cookies["django_language"] = "zh-hans"
    body = client.get("/services/hk-macau-reendorsement/").content.decode()
    assert "<strong>1 个工作日</strong>" in body
