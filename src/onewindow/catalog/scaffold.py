"""The skeleton that ``service_new`` writes: a package that passes ``service_validate`` as
it is (no BPMN, so the default accept → approve → conclude process of the owning department),
with comments that say what to fill in."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")

SERVICE_TEMPLATE = """\
# Service package — see docs/service-packages.md for every field.
# code = folder name; kind: personal | enterprise; department: owning department code
code: {code}
name: {{zh: {name_zh}, en: {name_en}}}
kind: {kind}
department: {department}
co_departments: []                # departments that approve in parallel
life_events: []                   # codes from catalog/vocabulary.yaml, e.g. [employment]
topics: []                        # codes from catalog/vocabulary.yaml
tags: []                          # extra search words
legal_basis: []                   # e.g. ["《中华人民共和国行政许可法》第二十九条"]
conditions:
  zh: 请在此写明申请条件。
  en: Describe who may apply.
materials:
  - code: application
    name: {{zh: 申请材料, en: Application documents}}
    source: upload                # upload | exchange (resource:) | licence (licence_type:)
    required: true
    accept: [application/pdf, image/jpeg, image/png]
    max_mb: 10
fees: []                          # - {{code: fee, name: {{zh: 费用, en: Fee}}, amount: "10.00"}}
time_limit: {{statutory_days: 20, promised_days: 10}}   # working days
online_depth: 3                   # 1..4
appointment: false
outcome: {{type: decision}}         # or {{type: licence, licence_type: ...}}
delivery: [electronic]            # mail | pickup | electronic
where:
  zh: 广州市政务服务中心
  en: Guangzhou Government Service Centre
roles: {{}}                         # BPMN candidate group -> {{department: ..., role: ...}}
"""


def form_skeleton() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["applicant_name", "id_number", "phone"],
        "x-order": ["applicant_name", "id_number", "phone", "remarks"],
        "properties": {
            "applicant_name": {
                "type": "string",
                "title": "申请人姓名",
                "x-title-en": "Applicant name",
                "minLength": 1,
                "maxLength": 50,
            },
            "id_number": {
                "type": "string",
                "title": "身份证号码",
                "x-title-en": "Citizen ID number",
                "format": "citizen-id",
            },
            "phone": {
                "type": "string",
                "title": "手机号码",
                "x-title-en": "Mobile phone",
                "format": "phone",
            },
            "remarks": {
                "type": "string",
                "title": "备注",
                "x-title-en": "Remarks",
                "maxLength": 500,
                "x-widget": "textarea",
            },
        },
    }


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def scaffold_write(
    *, root: Path, code: str, department: str, name: str, name_en: str = "", kind: str = "personal"
) -> Path:
    """Write ``root/code/`` and return it. Raises ValueError for a bad code or an existing
    folder."""
    if not CODE_RE.match(code) or len(code) > 64:
        raise ValueError(_("服务编码只能包含小写字母、数字和连字符，例如 pet-licence。"))
    target = root / code
    if target.exists():
        raise ValueError(_("目录 %(path)s 已存在。") % {"path": target})
    target.mkdir(parents=True)
    (target / "service.yaml").write_text(
        SERVICE_TEMPLATE.format(
            code=code,
            name_zh=_quoted(name),
            name_en=_quoted(name_en or code.replace("-", " ").capitalize()),
            kind=kind,
            department=department,
        ),
        encoding="utf-8",
    )
    (target / "form.schema.json").write_text(
        json.dumps(form_skeleton(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return target
