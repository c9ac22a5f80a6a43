"""The English catalogue is complete and its compiled form matches its source.

The .mo file is committed so that installing OneWindow needs no gettext tools; these tests
catch a .po edited without recompiling, and strings added without an English translation."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


@pytest.fixture(scope="module")
def compiled() -> gettext.GNUTranslations:
    with MO.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def _live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def test_every_message_has_an_english_translation(catalogue: polib.POFile) -> None:
    untranslated = [
        e.msgid
        for e in _live_entries(catalogue)
        if (e.msgid_plural and not all(e.msgstr_plural.values()))
        or (not e.msgid_plural and not e.msgstr.strip())
    ]
    assert untranslated == [], f"missing English for: {untranslated}"
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


def test_translations_keep_their_placeholders(catalogue: polib.POFile) -> None:
    for entry in _live_entries(catalogue):
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for target in targets:
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(
                PLACEHOLDER.findall(target)
            ), entry.msgid


def test_compiled_catalogue_matches_its_source(
    catalogue: polib.POFile, compiled: gettext.GNUTranslations
) -> None:
    stale = []
    for entry in _live_entries(catalogue):
        if entry.msgid_plural:
            got = compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
            want = entry.msgstr_plural[0]
        elif entry.msgctxt:
            got = compiled.pgettext(entry.msgctxt, entry.msgid)
            want = entry.msgstr
        else:
            got = compiled.gettext(entry.msgid)
            want = entry.msgstr
        if got != want:
            stale.append(entry.msgid)
    assert stale == [], f"django.mo is out of date (run compilemessages): {stale[:10]}"
    # the header counts too: the .mo holds exactly the .po's entries and its metadata
    live = _live_entries(catalogue)
    expected = len({(e.msgctxt, e.msgid) for e in live}) + 1
    expected += sum(len(e.msgstr_plural) - 1 for e in live if e.msgid_plural)
    catalog = compiled._catalog  # type: ignore[attr-defined]
    assert len(catalog) == expected


def test_django_serves_the_english_catalogue() -> None:
    with translation.override("en"):
        assert translation.gettext("首页") == "Home"
        assert translation.gettext("一网通办") == "OneWindow"
