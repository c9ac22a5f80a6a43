"""Earlier applications and records that stand in the way of a new application of a service
(``repeat:`` in its package, ``catalog.packages.repeat``): read by the start page, which
warns before the resident fills anything in, and by the submission, which refuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases.models import Case, CaseMaterial
from onewindow.catalog.packages.repeat import ANY, ONCE, ONE_AT_A_TIME, RepeatRule, repeat_rule
from onewindow.core.errors import Conflict

OPEN = (
    Case.Status.SUBMITTED,
    Case.Status.CONSENT,
    Case.Status.IN_PROGRESS,
    Case.Status.SUPPLEMENT,
)


@dataclass(frozen=True)
class Earlier:
    """A case or a licence the new application would repeat."""

    kind: str  # "case" or "licence"
    number: str
    label: str  # the case's status, or the licence type's name
    url: str
    service: str = ""  # the case's service
    refuses: bool = True  # False: the service allows it, the resident is only told

    @property
    def sentence(self) -> str:
        if self.kind == "licence":
            return _("您已持有%(type)s（证照编号 %(number)s），本事项的办理结果已经存在。") % {
                "type": self.label,
                "number": self.number,
            }
        return _("您已申请过%(service)s：办件编号 %(number)s，状态：%(status)s。") % {
            "service": self.service,
            "number": self.number,
            "status": self.label,
        }


class DuplicateApplication(Conflict):
    code = "duplicate_application"

    def __init__(self, earlier: Earlier) -> None:
        if earlier.kind == "licence":
            ask = _("不能重复办理。查看证照：%(url)s") % {"url": earlier.url}
        else:
            ask = _("请勿重复申请。查看办件：%(url)s") % {"url": earlier.url}
        super().__init__(f"{earlier.sentence}{ask}")
        self.earlier = earlier


def _case_row(case: Case, *, refuses: bool) -> Earlier:
    return Earlier(
        kind="case",
        number=case.number or "",
        label=str(Case.Status(case.status).label),
        url=reverse("cases:case_detail", kwargs={"number": case.number}),
        service=case.service_version.service.display_name,
        refuses=refuses,
    )


def _licence_row(licence: Any) -> Earlier:
    return Earlier(
        kind="licence",
        number=licence.number,
        label=licence.licence_type.name_zh,
        url=reverse("licences:wallet") + f"#licence-{licence.number}",
    )


def earlier_applications(
    *,
    definition: dict[str, Any],
    service_id: int,
    person: Any,
    company: Any = None,
    answers: dict[str, Any] | None = None,
    licence_ids: dict[str, int] | None = None,
    exclude_case_id: int | None = None,
) -> list[Earlier]:
    """What a new application of the service would repeat, refusing ones first: the
    applicant's earlier cases (open ones; approved ones too for ``once``), narrowed to the
    same answers when the package says which (``answers`` None: not known yet, every case
    counts), the open cases that issued or present the same licence (``licence_ids``:
    material code → licence id), and the applicant's valid licences of the ``held`` types.
    For ``any`` the open cases are listed as not refusing."""
    rule: RepeatRule = repeat_rule(definition)
    found: list[Earlier] = []
    if person is None and company is None:
        return found
    statuses = list(OPEN) + ([Case.Status.APPROVED] if rule.allowed == ONCE else [])
    mine = Case.objects.filter(service_version__service_id=service_id, status__in=statuses)
    mine = (
        mine.filter(applicant_company=company)
        if company
        else mine.filter(applicant_person=person, applicant_company__isnull=True)
    )
    if exclude_case_id is not None:
        mine = mine.exclude(pk=exclude_case_id)
    if answers is not None:
        for question in rule.same:
            mine = mine.filter(**{f"form_data__{question}": answers.get(question)})
    for case in mine.select_related("service_version__service").order_by("-submitted_at")[:5]:
        found.append(_case_row(case, refuses=rule.allowed != ANY))
    licence_id = (licence_ids or {}).get(rule.same_licence) if rule.same_licence else None
    if licence_id is not None:
        used = CaseMaterial.objects.filter(licence_id=licence_id, superseded=False).values(
            "case_id"
        )
        from onewindow.licences.selectors import licence_issuing_case_id

        issuer = licence_issuing_case_id(licence_id=licence_id)
        others = Case.objects.filter(status__in=OPEN).filter(Q(pk__in=used) | Q(pk=issuer))
        if exclude_case_id is not None:
            others = others.exclude(pk=exclude_case_id)
        seen = {e.number for e in found}
        for case in others.select_related("service_version__service").distinct()[:5]:
            if case.number not in seen:
                found.append(_case_row(case, refuses=True))
    if rule.held and rule.allowed != ANY:
        from onewindow.licences.selectors import licences_usable

        for code in rule.held:
            for licence in licences_usable(licence_type=code, person=person, company=company):
                found.append(_licence_row(licence))
    return sorted(found, key=lambda e: not e.refuses)


def repeat_refusal(case: Case) -> DuplicateApplication | None:
    """The refusal a submission of ``case`` meets, if any (its answers and the licences it
    presents as they are now). Inside the submission's transaction: the applicant's row is
    locked first, so two submissions of the same applicant are checked one after the
    other."""
    version = case.service_version
    rule = repeat_rule(version.definition)
    if rule.allowed == ANY:
        return None  # nothing refuses: no query at all
    from onewindow.identity.services import company_lock, person_lock

    if case.applicant_company_id:
        company_lock(company_id=case.applicant_company_id)
    elif case.applicant_person_id:
        person_lock(person_id=case.applicant_person_id)
    licence_ids = (
        {
            m.code: m.licence_id
            for m in case.materials.filter(superseded=False, licence__isnull=False)
            if m.licence_id is not None
        }
        if case.pk is not None and rule.same_licence
        else {}
    )
    found = earlier_applications(
        definition=version.definition or {},
        service_id=version.service_id,
        person=case.applicant_person,
        company=case.applicant_company,
        answers=case.form_data or {},
        licence_ids=licence_ids,
        exclude_case_id=case.pk,
    )
    refusing = [e for e in found if e.refuses]
    return DuplicateApplication(refusing[0]) if refusing else None


EXPLAIN = {
    ONE_AT_A_TIME: gettext_lazy("本事项同一时间只能有一件申请在办理，请等上一件办结后再申请。"),
    ONCE: gettext_lazy("本事项每人只能办理一次（不予办理或已撤回的申请除外）。"),
    ANY: gettext_lazy("本事项可以再次申请；如为同一事由，请勿重复提交。"),
}
SAME_EXPLAIN = gettext_lazy("同一%(what)s只能有一件申请在办理。")


def repeat_notice(*, version: Any, person: Any) -> dict[str, Any] | None:
    """What the start page tells a resident before they fill anything in: the earlier
    applications and records the package's rule counts, whether they stand in the way
    (``refused``: the start button is off, unless the answers may differ), and the rule."""
    if person is None:
        return None
    definition = version.definition or {}
    if (definition.get("kind") or "personal") == "enterprise":
        return None  # the company is chosen on this page: told at submission
    found = earlier_applications(
        definition=definition, service_id=version.service_id, person=person
    )
    if not found:
        return None
    rule = repeat_rule(definition)
    refused = any(e.refuses for e in found)
    titles = [
        str(((version.form_schema or {}).get("properties") or {}).get(q, {}).get("title") or q)
        for q in rule.same
    ]
    return {
        "earlier": found,
        "refused": refused,
        "blocks": refused and not rule.same,
        "explain": EXPLAIN.get(rule.allowed, ""),
        "same": SAME_EXPLAIN % {"what": "、".join(titles)} if titles else "",
    }
