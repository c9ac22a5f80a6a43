"""What a licence states, as catalogue data: a licence type's validity and issuing department
(``catalog/vocabulary.yaml``, ``licence_types``) and a package's ``outcome`` declaration of
the licence its decision grants (issuer, validity, particulars from the case's answers).

Validity rules (a licence type's ``validity``, or a package's ``outcome.validity``):

- ``none``: no expiry (a marriage certificate, a business licence);
- an ISO 8601 period of years, months or days (``P10Y``, ``P3M``, ``P40D``): the licence is
  valid from its day of issue for that period (issued 2026-03-15 with ``P1Y``: valid to
  2027-03-14 inclusive);
- ``granted`` (a type only): the decision sets it, so every package whose process issues the
  type says how; ``{granted: P3M}``: likewise, and a licence issued outside a case (the
  admin, a seed) gets that period, the shortest the rules allow;
- ``{by_age: [[0, P5Y], [16, P10Y]]}`` (a type only): by the holder's age in full years on
  the day of issue, the last row whose age is reached (passports, ID cards); the first row
  when the age is not known (a company holder, no date of birth);
- ``{answer: <question>, periods: {<choice>: <period or none>}}`` (a package only): by the
  applicant's choice on the form (an endorsement's 一年一次 → ``P1Y``), every choice mapped;
- ``{until: <date question>}`` (a package only): to the date answered (a lease's last day).

Pure functions: the package validator and the licences app both use them."""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

NO_EXPIRY = "none"
GRANTED = "granted"
PERIOD_RE = re.compile(r"^P(?:(\d{1,3})Y)?(?:(\d{1,3})M)?(?:(\d{1,4})D)?$")
MASKS = ("name", "citizen-id")


@dataclass(frozen=True)
class Period:
    years: int = 0
    months: int = 0
    days: int = 0

    def last_day(self, issued: datetime.date) -> datetime.date:
        """The last day a licence issued on ``issued`` is valid (inclusive)."""
        months = issued.month - 1 + self.months + 12 * self.years
        year, month = issued.year + months // 12, months % 12 + 1
        day = min(issued.day, calendar.monthrange(year, month)[1])
        end = datetime.date(year, month, day) + datetime.timedelta(days=self.days)
        return end - datetime.timedelta(days=1)


def period_parse(value: Any) -> Period | None:
    """``P1Y`` → Period(years=1); None for anything else (``P`` alone, ``P0D``)."""
    match = PERIOD_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    years, months, days = (int(part or 0) for part in match.groups())
    if not (years or months or days):
        return None
    return Period(years, months, days)


def _period_or_none_problem(value: Any) -> str | None:
    if value == NO_EXPIRY or period_parse(value) is not None:
        return None
    return _("有效期 %(value)s 应为 none（长期有效）或 ISO 8601 期间（如 P1Y、P3M、P40D）。") % {
        "value": value
    }


def type_validity_problem(rule: Any) -> str | None:
    """What is wrong with a licence type's ``validity`` (None when it is well formed)."""
    if rule is None:
        return _("证照类型未声明有效期（vocabulary.yaml 的 validity）。")
    if rule == GRANTED:
        return None
    if isinstance(rule, dict) and set(rule) == {GRANTED}:
        return _period_or_none_problem(rule[GRANTED])
    if isinstance(rule, dict) and set(rule) == {"by_age"}:
        rows = rule["by_age"]
        if not isinstance(rows, list) or not rows:
            return _("by_age 应为 [起始年龄, 有效期] 的列表。")
        ages = []
        for row in rows:
            if not (isinstance(row, list) and len(row) == 2 and isinstance(row[0], int)):
                return _("by_age 应为 [起始年龄, 有效期] 的列表。")
            if problem := _period_or_none_problem(row[1]):
                return problem
            ages.append(row[0])
        if ages[0] != 0 or ages != sorted(set(ages)):
            return _("by_age 的起始年龄应从 0 开始并递增。")
        return None
    if isinstance(rule, dict | list):
        return _("证照类型的有效期应为 none、ISO 8601 期间、granted 或 by_age。")
    return _period_or_none_problem(rule)


def validity_last_day(
    rule: Any,
    *,
    issued: datetime.date,
    answers: Mapping[str, Any] | None = None,
    birth_date: datetime.date | None = None,
) -> datetime.date | str | None:
    """The last valid day under ``rule`` for a licence issued on ``issued``; None for no
    expiry; ``GRANTED`` when the rule leaves it to a decision not given here. Raises
    ValueError when the rule cannot be applied (an unmapped choice, no birth date)."""
    if rule == NO_EXPIRY:
        return None
    if rule == GRANTED:
        return GRANTED
    if isinstance(rule, dict) and "until" in rule:
        value = (answers or {}).get(str(rule["until"]))
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValueError(f"no date for {rule['until']}={value!r}") from exc
    if isinstance(rule, dict) and "answer" in rule:
        choice = (answers or {}).get(str(rule["answer"]))
        periods = rule.get("periods") or {}
        if not isinstance(choice, str) or choice not in periods:
            raise ValueError(f"no validity for {rule['answer']}={choice!r}")
        return validity_last_day(periods[choice], issued=issued)
    if isinstance(rule, dict) and GRANTED in rule:
        return validity_last_day(rule[GRANTED], issued=issued)
    if isinstance(rule, dict) and "by_age" in rule:
        chosen = rule["by_age"][0][1]
        if birth_date is not None:
            age = issued.year - birth_date.year
            if (issued.month, issued.day) < (birth_date.month, birth_date.day):
                age -= 1
            for start, value in rule["by_age"]:
                if age >= start:
                    chosen = value
        return validity_last_day(chosen, issued=issued)
    period = period_parse(rule)
    if period is None:
        raise ValueError(f"not a validity rule: {rule!r}")
    return period.last_day(issued)


def _choices(form_schema: Mapping[str, Any], question: str) -> list[str] | None:
    spec = ((form_schema or {}).get("properties") or {}).get(question)
    if not isinstance(spec, dict):
        return None
    return [str(value) for value in spec.get("enum") or []]


def decided_by_grant(rule: Any) -> bool:
    return rule == GRANTED or (isinstance(rule, dict) and GRANTED in rule)


def outcome_licence_problems(
    outcome: Mapping[str, Any],
    *,
    form_schema: Mapping[str, Any],
    licence_types: Mapping[str, Any],
    has_department: Callable[[str], bool],
    add: Callable[[tuple[str | int, ...], str], None],
    issues: bool = True,
    at: tuple[str | int, ...] = ("outcome",),
) -> None:
    """Check a package's licence outcome: the type's own validity and issuer, and the
    package's ``issuer``, ``validity`` and ``particulars`` against the form. ``issues``:
    the package's process issues the licence (``licences.issue``), so a validity the
    decision sets must be declared. ``at``: where the declaration is (the outcome, or
    one of its ``bundle`` entries)."""
    code = outcome.get("licence_type")
    entry = licence_types.get(code) if isinstance(code, str) else None
    if not isinstance(entry, dict):
        return  # an unknown type is reported by check_city
    where: tuple[str | int, ...] = (*at, "licence_type")
    type_rule = entry.get("validity")
    if problem := type_validity_problem(type_rule):
        add(where, _("证照类型 %(code)s：%(problem)s") % {"code": code, "problem": problem})
    type_issuer = entry.get("issuer")
    if isinstance(type_issuer, str) and not has_department(type_issuer):
        add(
            where,
            _("证照类型 %(code)s 的发证部门 %(dept)s 不存在。")
            % {"code": code, "dept": type_issuer},
        )
    issuer = outcome.get("issuer")
    if isinstance(issuer, str):
        if not has_department(issuer):
            add((*at, "issuer"), _("部门 %(code)s 不存在。") % {"code": issuer})
        elif isinstance(type_issuer, str) and issuer != type_issuer:
            add(
                (*at, "issuer"),
                _("%(type)s 依法由 %(dept)s 签发，不能写成 %(issuer)s。")
                % {"type": code, "dept": type_issuer, "issuer": issuer},
            )
    questions = set(((form_schema or {}).get("properties") or {}).keys())
    validity = outcome.get("validity")
    if validity is None:
        if issues and decided_by_grant(type_rule):
            add(
                at,
                _("证照类型 %(code)s 的有效期由审批决定：请在 %(where)s.validity 中写明。")
                % {"code": code, "where": ".".join(str(p) for p in at)},
            )
    elif isinstance(validity, dict) and "until" in validity:
        spec = ((form_schema or {}).get("properties") or {}).get(str(validity["until"]))
        if questions and not (isinstance(spec, dict) and spec.get("format") == "date"):
            add(
                (*at, "validity", "until"),
                _("%(name)s 应为申请表中的日期题（format: date）。") % {"name": validity["until"]},
            )
    elif isinstance(validity, dict):
        _answer_mapping(validity, (*at, "validity"), "periods", form_schema, questions, add)
        for choice, value in (validity.get("periods") or {}).items():
            if problem := _period_or_none_problem(value):
                add((*at, "validity", "periods", choice), problem)
    elif problem := _period_or_none_problem(validity):
        add((*at, "validity"), problem)
    for index, item in enumerate(outcome.get("particulars") or []):
        if not isinstance(item, dict):
            continue
        path: tuple[str | int, ...] = (*at, "particulars", index)
        if "values" in item:
            _answer_mapping(item, path, "values", form_schema, questions, add)
        elif item.get("answer") not in questions and questions:
            add(
                (*path, "answer"),
                _("%(name)s 不是申请表（form.schema.json）中的字段。")
                % {"name": item.get("answer")},
            )


def _answer_mapping(
    spec: Mapping[str, Any],
    path: tuple[str | int, ...],
    key: str,
    form_schema: Mapping[str, Any],
    questions: set[str],
    add: Callable[[tuple[str | int, ...], str], None],
) -> None:
    """``{answer: q, <key>: {choice: …}}``: q is a choice question and every choice, and
    only those, is mapped."""
    question = spec.get("answer")
    choices = _choices(form_schema, str(question))
    if not questions:
        return  # the form did not load: reported there
    if choices is None:
        add(
            (*path, "answer"),
            _("%(name)s 不是申请表（form.schema.json）中的字段。") % {"name": question},
        )
        return
    if not choices:
        add((*path, "answer"), _("%(name)s 应为单选题（带 enum）。") % {"name": question})
        return
    mapped = set((spec.get(key) or {}).keys())
    missing = [c for c in choices if c not in mapped]
    extra = sorted(mapped - set(choices))
    if missing:
        add(
            (*path, key),
            _("未对选项 %(choices)s 写明。") % {"choices": "、".join(missing)},
        )
    for choice in extra:
        add(
            (*path, key, choice),
            _("%(choice)s 不是 %(name)s 的选项。") % {"choice": choice, "name": question},
        )


def particular_value(
    item: Mapping[str, Any], *, answers: Mapping[str, Any], form_schema: Mapping[str, Any]
) -> str:
    """The text a particular shows for the case's answers: the mapped text of the choice,
    else the choice's label on the form, else the answer itself (with ``suffix``), masked
    as declared; "" when the question was not answered."""
    question = str(item.get("answer") or "")
    raw = answers.get(question)
    if raw is None or raw == "":
        return ""
    values = item.get("values")
    if isinstance(values, dict) and str(raw) in values:
        text = _zh(values[str(raw)])
    else:
        spec = ((form_schema or {}).get("properties") or {}).get(question) or {}
        labels = spec.get("x-enum-labels") or {}
        text = _zh(labels[str(raw)]) if str(raw) in labels else _plain(raw)
        suffix = item.get("suffix")
        if suffix:
            text = f"{text}{suffix}"
    mask = item.get("mask")
    if mask == "name":
        from onewindow.core.masking import mask_name

        return mask_name(text)
    if mask == "citizen-id":
        from onewindow.core.masking import mask_citizen_id

        return mask_citizen_id(text)
    return text


def _zh(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("zh") or value.get("en") or "")
    return str(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
