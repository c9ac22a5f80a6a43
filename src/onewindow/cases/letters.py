"""Decision letters of refusals (不予决定书).

When a case ends rejected the platform issues the written decision the Administrative
Licensing Law asks for (行政许可法第三十八条第二款: reasons stated, the right to
reconsideration or litigation told), in the name of the department that owns the service:

- the kind follows the step and the service: a refusal at the case's first step (the window's
  acceptance) is a 不予受理决定书; otherwise a licensing service (``refusal.letter:
  licensing``, the default for services whose outcome is a licence) gets a 不予行政许可决定书
  and every other service (qualifications, benefits, records) a 不予批准决定书;
- the number is ``<issuer>不予批准〔<year>〕<n>号``, counted per department and year;
- the reasons are the decision table's reason with the figures against its standard (the
  matched rule, ``cases.rule_results``), or what the refusing department wrote, naming it;
- the records used are the case's look-ups: resource, providing department, when, call-log
  reference;
- the remedies: administrative reconsideration within 60 days of knowing of the decision
  (行政复议法第二十条) to the body the package names (``refusal.reconsideration``), else the
  people's government at the issuer's level (行政复议法 2023 第二十四条: the nearest
  department above the issuer named 人民政府); or a suit within 6 months (行政诉讼法第四十六条)
  in the court the package names (``refusal.court``), else 有管辖权的人民法院.

The letter is kept as issued (``DecisionLetter.content``); the PDF and the pages draw it
from there."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onewindow.cases.models import Case, CaseTask, DecisionLetter
from onewindow.cases.rule_results import case_sources, table_refusal
from onewindow.core.text import zh_text
from onewindow.identity.selectors import department_get

if TYPE_CHECKING:
    from onewindow.identity.models import Department

GOVERNMENT_SUFFIX = "人民政府"
RECONSIDERATION_DAYS = 60
LITIGATION_MONTHS = 6
NUMBER_WORDS = {
    DecisionLetter.Kind.LICENSING: "不予许可",
    DecisionLetter.Kind.APPROVAL: "不予批准",
    DecisionLetter.Kind.ACCEPTANCE: "不予受理",
}


def letter_kind_default(definition: Mapping[str, Any]) -> str:
    """The letter of a refusal after acceptance, as the package says (``refusal.letter``),
    else licensing for a service whose outcome is a licence and approval otherwise."""
    refusal = definition.get("refusal") or {}
    if refusal.get("letter") in (DecisionLetter.Kind.LICENSING, DecisionLetter.Kind.APPROVAL):
        return str(refusal["letter"])
    outcome = definition.get("outcome") or {}
    return (
        DecisionLetter.Kind.LICENSING
        if outcome.get("type") == "licence"
        else DecisionLetter.Kind.APPROVAL
    )


def reconsideration_body(definition: Mapping[str, Any], issuer: Department) -> str:
    """Where to apply for reconsideration: the package's body, else the people's government
    at the issuer's level (the nearest department above it named …人民政府)."""
    named = zh_text((definition.get("refusal") or {}).get("reconsideration"))
    if named:
        return named
    for department in issuer.ancestors():
        if department.name.endswith(GOVERNMENT_SUFFIX):
            return department.name
    return _("%(issuer)s的本级人民政府") % {"issuer": issuer.name}


def court_name(definition: Mapping[str, Any]) -> str:
    return zh_text((definition.get("refusal") or {}).get("court")) or _("有管辖权的人民法院")


def _issuer(case: Case) -> Department:
    service = case.service_version.service
    code = str((case.service_version.definition or {}).get("department") or "")
    if code and code != service.department.code:
        found = department_get(code=code)
        if found is not None:
            return found
    return service.department


def _number(issuer: Department, kind: str, year: int) -> str:
    table = "cases_letternumbercounter"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (department_code, year, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (department_code, year) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [issuer.code, year],
        )
        (seq,) = cursor.fetchone()
    return f"{issuer.name}{NUMBER_WORDS[DecisionLetter.Kind(kind)]}〔{year}〕{seq}号"


def _addressee(case: Case) -> str:
    if case.applicant_company_id and case.applicant_company is not None:
        return str(case.applicant_company.name)
    person = case.applicant_person
    return str(person.name) if person is not None else ""


def _refusing_task(case: Case) -> CaseTask | None:
    return (
        case.tasks.filter(status=CaseTask.Status.COMPLETED, decision=CaseTask.Decision.REJECT)
        .select_related("department")
        .order_by("-completed_at", "-pk")
        .first()
    )


def letter_issue(
    case: Case, *, variables: Mapping[str, Any], decided: bool, now: datetime.datetime
) -> DecisionLetter:
    """Issue the refusal letter of a case that has just ended rejected (in the transaction
    that ended it; no audit row of its own). ``decided``: the process decided the refusal
    (a decision table, or the departments' findings), not a department's 不予许可. Issuing
    twice returns the letter issued first."""
    existing = DecisionLetter.objects.filter(case=case).first()
    if existing is not None:
        return existing
    definition = case.service_version.definition or {}
    issuer = _issuer(case)
    refusing = None if decided else _refusing_task(case)
    first = case.tasks.order_by("created_at", "pk").values_list("pk", flat=True).first()
    kind = (
        DecisionLetter.Kind.ACCEPTANCE
        if refusing is not None and refusing.pk == first
        else letter_kind_default(definition)
    )
    reasons: list[dict[str, Any]] = []
    table = table_refusal(case, variables) if decided else None
    if table is not None and table[0]:
        reason, lines, standard = table
        reasons.append(
            {
                "text": reason,
                "standard": standard,
                "figures": [
                    {"text": line.text, "source": line.source} for line in lines if not line.boolean
                ],
                "department": "",
            }
        )
    else:
        reasons.append(
            {
                "text": case.outcome_note or _("不符合办理条件"),
                "standard": "",
                "figures": [],
                "department": refusing.department.name if refusing is not None else "",
            }
        )
    records = [
        {
            "resource": source.name,
            "department": source.department,
            "at": source.at.isoformat() if source.at else "",
            "reference": source.reference,
            "found": source.found,
        }
        for source in case_sources(case).values()
    ]
    local = timezone.localtime(now)
    submitted = timezone.localtime(case.submitted_at) if case.submitted_at else local
    content = {
        "addressee": _addressee(case),
        "service": case.service_version.service.name,
        "case_number": case.number or "",
        "submitted_on": submitted.date().isoformat(),
        "issuer": issuer.name,
        "reasons": reasons,
        "records": records,
        "legal_basis": [str(x) for x in definition.get("legal_basis") or []],
        "reconsideration": reconsideration_body(definition, issuer),
        "court": court_name(definition),
        "reconsideration_days": RECONSIDERATION_DAYS,
        "litigation_months": LITIGATION_MONTHS,
    }
    return DecisionLetter.objects.create(
        case=case,
        number=_number(issuer, kind, local.year),
        kind=kind,
        issuer=issuer,
        issued_at=now,
        content=content,
    )


@dataclass(frozen=True)
class LetterReason:
    text: str  # the reason, naming the department that found it
    details: list[str]  # each figure against its standard, with where it came from


@dataclass(frozen=True)
class LetterView:
    """A letter as the pages and the PDF print it."""

    number: str
    title: str
    kind: str
    issuer: str
    issued_on: datetime.date
    addressee: str
    opening: str
    reasons: list[LetterReason]
    records: list[str]
    legal_basis: str
    remedies: str
    case_number: str


def _record_line(record: Mapping[str, Any]) -> str:
    what = str(record.get("resource") or "")
    if record.get("department"):
        what = _("%(what)s（%(department)s提供）") % {
            "what": what,
            "department": record["department"],
        }
    at = ""
    if record.get("at"):
        at = timezone.localtime(datetime.datetime.fromisoformat(str(record["at"]))).strftime(
            "%Y-%m-%d %H:%M"
        )
    if not record.get("found"):
        return _("%(what)s：%(at)s 查询，未查到记录（调用记录 %(ref)s）") % {
            "what": what,
            "at": at,
            "ref": record.get("reference") or "—",
        }
    return _("%(what)s：%(at)s 调取（调用记录 %(ref)s）") % {
        "what": what,
        "at": at,
        "ref": record.get("reference") or "—",
    }


def remedies_text(content: Mapping[str, Any]) -> str:
    return _(
        "如不服本决定，可以自知道本决定之日起%(days)s日内向%(body)s申请行政复议，"
        "也可以自知道本决定之日起%(months)s个月内向%(court)s提起行政诉讼。"
    ) % {
        "days": content.get("reconsideration_days") or RECONSIDERATION_DAYS,
        "body": content.get("reconsideration") or "",
        "months": content.get("litigation_months") or LITIGATION_MONTHS,
        "court": content.get("court") or "",
    }


OPENING = {
    DecisionLetter.Kind.LICENSING: gettext_noop(
        "你于%(date)s申请办理的“%(service)s”（办件编号 %(case)s），经审查，"
        "不符合法定条件，本机关决定不予行政许可。理由如下："
    ),
    DecisionLetter.Kind.APPROVAL: gettext_noop(
        "你于%(date)s申请办理的“%(service)s”（办件编号 %(case)s），经审查，"
        "不符合规定条件，本机关决定不予批准。理由如下："
    ),
    DecisionLetter.Kind.ACCEPTANCE: gettext_noop(
        "你于%(date)s申请办理的“%(service)s”（办件编号 %(case)s），经审查，"
        "本机关决定不予受理。理由如下："
    ),
}


def letter_view(letter: DecisionLetter) -> LetterView:
    content = letter.content or {}
    kind = DecisionLetter.Kind(letter.kind)
    submitted = datetime.date.fromisoformat(str(content.get("submitted_on")))
    reasons = []
    for reason in content.get("reasons") or []:
        text = str(reason.get("text") or "")
        if reason.get("department"):
            text = _("经%(department)s审查：%(text)s") % {
                "department": reason["department"],
                "text": text,
            }
        details = [
            _("%(figure)s。数据来源：%(source)s") % {"figure": f["text"], "source": f["source"]}
            if f.get("source")
            else str(f.get("text") or "")
            for f in reason.get("figures") or []
        ]
        if not details and reason.get("standard"):
            details = [str(reason["standard"])]
        reasons.append(LetterReason(text=text, details=details))
    basis = "、".join(content.get("legal_basis") or [])
    return LetterView(
        number=letter.number,
        title=str(kind.label),
        kind=letter.kind,
        issuer=str(content.get("issuer") or letter.issuer.name),
        issued_on=timezone.localtime(letter.issued_at).date(),
        addressee=str(content.get("addressee") or ""),
        opening=_(OPENING[kind])
        % {
            "date": _("%(y)s年%(m)s月%(d)s日")
            % {"y": submitted.year, "m": submitted.month, "d": submitted.day},
            "service": content.get("service") or "",
            "case": content.get("case_number") or "",
        },
        reasons=reasons,
        records=[_record_line(r) for r in content.get("records") or []],
        legal_basis=_("依据：%(basis)s。") % {"basis": basis} if basis else "",
        remedies=remedies_text(content),
        case_number=str(content.get("case_number") or ""),
    )


def letter_for_case(case: Case) -> DecisionLetter | None:
    return DecisionLetter.objects.filter(case=case).select_related("issuer").first()
