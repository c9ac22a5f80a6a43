"""Persons named on an application form.

- **The applicant's own questions** (name, citizen ID, phone) are filled from the real-name
  record of the person applying (for an enterprise service: the agent acting for it) and
  cannot be changed on the form. A question is the applicant's when it says so with
  ``"x-applicant": "name" | "id_number" | "phone"``, or — without that keyword — by the names
  the catalogue and ``service_new`` give these questions (:data:`APPLICANT_NAMES`).
  ``"x-applicant": false`` says a question with such a name is not the applicant's.
- **Other persons** (对方, 配偶, 子女, 法定代表人 …) are declared by the package in
  ``service.yaml`` under ``parties:``: which questions give their name and citizen ID, and
  which exchange resources the process looks up about them. Their answers are checked
  against the real-name records; a look-up of their records waits for their consent.
- **Name questions** (the applicant's, a party's, or any question with
  ``"format": "person-name"``) accept a person's name only: no markup, digits or control
  characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

APPLICANT = "applicant"
APPLICANT_KINDS = ("name", "id_number", "phone")
# The names the catalogue's forms (and the scaffold) give the applicant's own questions, in
# order of preference; the format each must have to count.
APPLICANT_NAMES: dict[str, tuple[str, ...]] = {
    "name": ("applicant_name", "contact_name"),
    "id_number": ("applicant_id_number", "id_number"),
    "phone": ("phone",),
}
KIND_FORMATS = {"id_number": "citizen-id", "phone": "phone"}
PERSON_NAME_FORMAT = "person-name"
# Written before parties were declared: the applicant and the partner (结婚登记).
LEGACY_SUBJECTS = {"both_parties": (APPLICANT, "partner")}
DEFAULT_CONSENT_DAYS = 7

# A person's name as it is written on an identity document: Chinese characters (with the
# extension planes), Latin letters (with accents), the middle dots of minority and foreign
# names, spaces, hyphens, apostrophes and full stops. Everything else — markup, digits,
# punctuation, control characters — is refused.
_NAME_OK = re.compile(
    r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134a"
    r"A-Za-z\u00c0-\u024f·•・‧.．' \-]+$"
)


def person_name_problem(value: Any) -> str:
    """Why ``value`` is not a person's name ('' when it is one; a non-string is left to the
    schema's ``type``)."""
    if not isinstance(value, str) or value == "":
        return ""
    if value.strip() != value or "  " in value or not _NAME_OK.match(value):
        return str(_("只能填写姓名，不能含有数字、“<”“>”等符号或控制字符"))
    return ""


def _top(schema: Mapping[str, Any] | None) -> Mapping[str, Any]:
    properties = (schema or {}).get("properties")
    return properties if isinstance(properties, Mapping) else {}


def applicant_fields(schema: Mapping[str, Any] | None) -> dict[str, str]:
    """``{kind: question}`` for the applicant's own questions of the form (kinds ``name``,
    ``id_number``, ``phone``): the question marked ``x-applicant: <kind>``, else the first
    question of :data:`APPLICANT_NAMES` present (a string, of the kind's format) that is not
    marked ``x-applicant: false``."""
    properties = _top(schema)
    found: dict[str, str] = {}
    for name, spec in properties.items():
        kind = spec.get("x-applicant") if isinstance(spec, Mapping) else None
        if isinstance(kind, str) and kind in APPLICANT_KINDS and kind not in found:
            found[kind] = str(name)
    for kind, names in APPLICANT_NAMES.items():
        if kind in found:
            continue
        for name in names:
            spec = properties.get(name)
            if not isinstance(spec, Mapping) or "x-applicant" in spec:
                continue
            if spec.get("type") != "string":
                continue
            wanted = KIND_FORMATS.get(kind)
            if wanted and spec.get("format") != wanted:
                continue
            found[kind] = name
            break
    return found


@dataclass(frozen=True)
class PartySpec:
    """One other person the package names on its form (``parties:`` in service.yaml)."""

    code: str
    label_zh: str
    label_en: str
    id_field: str
    name_field: str = ""
    lookups: tuple[str, ...] = ()
    consent_days: int = DEFAULT_CONSENT_DAYS
    # A joint applicant (``joint: true``, e.g. the other party of a marriage): once they
    # have agreed, the case is theirs to see too, they are told its outcome, and a licence
    # the package issues is issued to them as well (``outcome.copies``).
    joint: bool = False

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("en") and self.label_en:
            return self.label_en
        return self.label_zh

    @property
    def needs_consent(self) -> bool:
        """Their records are looked up: they must agree first."""
        return bool(self.lookups)


def party_specs(definition: Mapping[str, Any] | None) -> list[PartySpec]:
    """The parties of a published definition (or of a package being checked; entries that
    are not well formed are skipped — the validator reports them)."""
    out: list[PartySpec] = []
    for item in (definition or {}).get("parties") or []:
        if not isinstance(item, Mapping):
            continue
        fields = item.get("fields")
        fields = fields if isinstance(fields, Mapping) else {}
        code, id_field = item.get("code"), fields.get("id_number")
        if not isinstance(code, str) or not isinstance(id_field, str):
            continue
        name = item.get("name")
        name = name if isinstance(name, Mapping) else {}
        days = item.get("consent_days")
        out.append(
            PartySpec(
                code=code,
                label_zh=str(name.get("zh") or code),
                label_en=str(name.get("en") or ""),
                id_field=id_field,
                name_field=str(fields.get("name") or ""),
                lookups=tuple(str(r) for r in item.get("lookups") or [] if isinstance(r, str)),
                consent_days=days if isinstance(days, int) and days > 0 else DEFAULT_CONSENT_DAYS,
                joint=item.get("joint") is True,
            )
        )
    return out


def lookup_subjects(params: Mapping[str, Any] | None) -> list[str]:
    """Who an ``exchange.lookup`` service task looks up: its ``subject`` parameter, a
    comma-separated list of ``applicant`` and party codes (default ``applicant``; the
    legacy ``both_parties`` is ``applicant,partner``). Order kept, repeats dropped."""
    raw = str((params or {}).get("subject") or "").strip()
    out: list[str] = []
    for word in re.split(r"[\s,，]+", raw):
        for subject in LEGACY_SUBJECTS.get(word, (word,)):
            if subject and subject not in out:
                out.append(subject)
    return out or [APPLICANT]


def person_name_fields(
    schema: Mapping[str, Any] | None, definition: Mapping[str, Any] | None
) -> list[str]:
    """The form's top-level questions that hold a person's name: the applicant's, each
    party's, and those with ``format: person-name``."""
    properties = _top(schema)
    names = [applicant_fields(schema).get("name", "")]
    names += [spec.name_field for spec in party_specs(definition)]
    names += [
        str(n)
        for n, s in properties.items()
        if isinstance(s, Mapping) and s.get("format") == PERSON_NAME_FORMAT
    ]
    return [n for n in dict.fromkeys(names) if n and n in properties]
