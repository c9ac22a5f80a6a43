"""``establishes:`` in service.yaml: an application that creates a company once approved
(企业设立登记). The answers it reads are questions of the form, its legal representative is a
party the package declares, and the service is the applicant's own (``kind: personal``): a
company that does not exist yet cannot apply (``cases.services.establish``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

Add = Callable[[tuple[str | int, ...], str], None]
ANSWERS = ("name", "address", "region")


def establishes_problems(
    data: Mapping[str, Any], form_schema: Mapping[str, Any], *, add: Add
) -> None:
    spec = data.get("establishes")
    if not isinstance(spec, Mapping):
        return  # absent, or reported by the format check
    if data.get("kind") != "personal":
        add(
            ("kind",),
            _("设立类事项（establishes）由拟任法定代表人本人申请，kind 应为 personal。"),
        )
    questions = set(((form_schema or {}).get("properties") or {}).keys())
    for key in ANSWERS:
        name = spec.get(key)
        if isinstance(name, str) and questions and name not in questions:
            add(
                ("establishes", key),
                _("%(name)s 不是申请表（form.schema.json）中的字段。") % {"name": name},
            )
    party = spec.get("legal_representative")
    parties = {
        str(item.get("code"))
        for item in data.get("parties") or []
        if isinstance(item, Mapping) and item.get("code")
    }
    if isinstance(party, str) and party not in parties:
        add(
            ("establishes", "legal_representative"),
            _("%(code)s 不是 parties 中声明的相关人。") % {"code": party},
        )
