"""Reads about the persons named on an application besides the applicant (``CaseParty``):
what the exchange may look up, the requests a resident is asked to confirm, and what the
applicant and staff see of each party (consent, and whether the answers match the records)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onewindow.cases.models import Case, CaseParty
from onewindow.catalog.persons import APPLICANT, applicant_fields, party_specs
from onewindow.core import refs
from onewindow.core.masking import mask_name


@dataclass(frozen=True)
class PartyRef:
    """What a look-up of a party needs to know (``exchange.lookup``)."""

    code: str
    id_field: str
    id_number_bidx: str
    person_id: int | None
    may_look_up: bool  # they agreed, or they are the applicant


def case_party_for_lookup(*, case_id: int, code: str) -> PartyRef | None:
    """The party ``code`` of the case, if the case's package declares it and the form named
    someone (None: nobody else may be looked up under that name)."""
    row = CaseParty.objects.filter(case_id=case_id, code=code).select_related(
        "case__service_version"
    )
    party = row.first()
    if party is None:
        return None
    spec = next(
        (s for s in party_specs(party.case.service_version.definition) if s.code == code), None
    )
    if spec is None:
        return None
    return PartyRef(
        code=party.code,
        id_field=spec.id_field,
        id_number_bidx=party.id_number_bidx,
        person_id=party.person_id,
        may_look_up=party.consent == CaseParty.Consent.GIVEN
        or party.consent_via == CaseParty.Via.SAME_PERSON,
    )


def consent_requests_for(*, user: Any) -> QuerySet[CaseParty]:
    """The requests waiting for this resident's answer: parties whose citizen ID is the one on
    their real-name record, on cases still waiting."""
    from onewindow.identity.selectors import person_for_user

    person = person_for_user(user)
    if person is None or not person.id_number_bidx:
        return CaseParty.objects.none()
    return (
        CaseParty.objects.filter(
            id_number_bidx=person.id_number_bidx,
            consent=CaseParty.Consent.PENDING,
            case__status=Case.Status.CONSENT,
        )
        .select_related("case__service_version__service", "case__applicant_person", "case__agent")
        .order_by("expires_at", "pk")
    )


def consent_request_for(*, user: Any, party_id: int) -> CaseParty | None:
    """One request (open or answered) addressed to this resident; None for anyone else."""
    from onewindow.identity.selectors import person_for_user

    person = person_for_user(user)
    if person is None or not person.id_number_bidx:
        return None
    return (
        CaseParty.objects.filter(pk=party_id, id_number_bidx=person.id_number_bidx)
        .select_related("case__service_version__service", "case__applicant_person", "case__agent")
        .first()
    )


def requester_name(party: CaseParty) -> str:
    """Who asks: the applicant's name as on their real-name record."""
    case = party.case
    person = case.agent if case.applicant_company_id else case.applicant_person
    return str(person.name) if person is not None and person.name else _("申请人")


@dataclass
class PartyLine:
    """One party as the case and task pages show it."""

    party: CaseParty
    warnings: list[str] = field(default_factory=list)

    @property
    def consent_label(self) -> str:
        if self.party.consent_via == CaseParty.Via.SAME_PERSON:
            return str(CaseParty.Via.SAME_PERSON.label)
        return str(CaseParty.Consent(self.party.consent).label)


def _form_name(case: Case, subject: str) -> str:
    if subject == APPLICANT:
        name_field = applicant_fields(case.service_version.form_schema).get("name", "")
    else:
        spec = next(
            (s for s in party_specs(case.service_version.definition) if s.code == subject), None
        )
        name_field = spec.name_field if spec else ""
    return str(case.form_data.get(name_field) or "").strip() if name_field else ""


def record_name_warnings(
    case: Case, variables: Mapping[str, Any], labels: Mapping[str, str]
) -> dict[str, list[str]]:
    """Per subject: the looked-up records (household registration, identity …) whose name is
    not the name the form gives that person."""
    from onewindow.catalog.packages.vocabulary import vocabulary_load
    from onewindow.workflow.actions import exchange_variable

    vocabulary = vocabulary_load()
    out: dict[str, list[str]] = {}
    for code in vocabulary.exchange_resources:
        by_subject = variables.get(exchange_variable(code))
        if not isinstance(by_subject, Mapping):
            continue
        for subject, record in by_subject.items():
            if not isinstance(record, Mapping) or not record.get("name"):
                continue
            given = _form_name(case, str(subject))
            if given and given != str(record["name"]):
                out.setdefault(str(subject), []).append(
                    _("%(who)s的姓名与部门共享的%(resource)s不一致（申请表填写：%(given)s）。")
                    % {
                        "who": labels.get(str(subject), str(subject)),
                        "resource": vocabulary.label("exchange_resources", code),
                        "given": mask_name(given),
                    }
                )
    return out


def case_party_lines(case: Case, variables: Mapping[str, Any] | None = None) -> list[PartyLine]:
    """Each party with its warnings for staff: answers that do not match the real-name
    record, no record on the platform, records looked up under another name."""
    rows = list(case.parties.order_by("pk"))
    labels = {row.code: row.label for row in rows}
    labels[APPLICANT] = _("申请人")
    from_records = record_name_warnings(case, variables or {}, labels)
    lines = []
    for row in rows:
        warnings = []
        if row.record_check == CaseParty.Check.NAME_MISMATCH:
            warnings.append(
                _("申请表填写的%(who)s姓名（%(given)s）与该身份证号码的实名登记姓名不一致。")
                % {"who": row.label, "given": row.masked_name}
            )
        elif row.record_check == CaseParty.Check.NOT_FOUND:
            warnings.append(
                _("本平台没有该身份证号码的实名登记信息，%(who)s的姓名和身份证号码未经核对。")
                % {"who": row.label}
            )
        warnings += from_records.get(row.code, [])
        lines.append(PartyLine(party=row, warnings=warnings))
    return lines


def applicant_record_warnings(case: Case, variables: Mapping[str, Any] | None) -> list[str]:
    """The applicant's own answers against the records looked up for them."""
    return record_name_warnings(case, variables or {}, {APPLICANT: _("申请人")}).get(APPLICANT, [])


@dataclass(frozen=True)
class CasePerson:
    """A person the case names (the applicant, or a party such as the partner), as the
    registry's desk lists them."""

    code: str  # ``applicant`` or the party's code
    label: str  # 申请人, 对方 …
    masked_name: str
    person_id: int | None


def case_persons(*, case_id: int) -> list[CasePerson]:
    """The applicant (or the company's agent) first, then the parties in the order named."""
    return case_persons_many(case_ids=[case_id]).get(case_id, [])


def case_persons_many(*, case_ids: list[int]) -> dict[int, list[CasePerson]]:
    """:func:`case_persons` of several cases at once (a desk's day), in three queries."""
    cases = Case.objects.filter(pk__in=case_ids).select_related("applicant_person", "agent")
    out: dict[int, list[CasePerson]] = {}
    for case in cases:
        person = case.agent if case.applicant_company_id else case.applicant_person
        out[case.pk] = [
            CasePerson(
                code=APPLICANT,
                label=_("申请人"),
                masked_name=person.masked_name if person is not None else "—",
                person_id=person.pk if person is not None else None,
            )
        ]
    for row in CaseParty.objects.filter(case_id__in=list(out)).order_by("case_id", "pk"):
        out[row.case_id].append(
            CasePerson(
                code=row.code,
                label=row.label,
                masked_name=row.masked_name or "—",
                person_id=row.person_id,
            )
        )
    return out


# --- joint applicants (``joint: true``): the other party of a marriage ----------------------


def _joint_codes(case: Case) -> set[str]:
    return {s.code for s in party_specs(case.service_version.definition) if s.joint}


@dataclass(frozen=True)
class JointParty:
    """A joint applicant who has agreed and whom the platform knows: they see the case, are
    told its outcome and hold a copy of the licence it issues."""

    code: str
    label: str
    person_id: int
    user_id: int | None
    phone: str


def joint_parties(*, case_id: int) -> list[JointParty]:
    case = Case.objects.filter(pk=case_id).select_related("service_version").first()
    if case is None:
        return []
    codes = _joint_codes(case)
    if not codes:
        return []
    rows = (
        case.parties.filter(code__in=codes, consent=CaseParty.Consent.GIVEN, person__isnull=False)
        .select_related("person")
        .order_by("pk")
    )
    return [
        JointParty(
            code=row.code,
            label=row.label,
            person_id=row.person.pk,
            user_id=row.person.user_id,
            phone=str(row.person.phone or ""),
        )
        for row in rows
        if row.person is not None
    ]


def joint_party_refs(case: Case) -> tuple[refs.PartyRef, ...]:
    """The joint applicants of a loaded case who agreed and whom the platform knows, as the
    frozen values its ``CaseRef`` carries (the same persons as :func:`joint_parties`). No
    query for a package without joint parties."""
    codes = _joint_codes(case) if case.pk is not None else set()
    if not codes:
        return ()
    rows = case.parties.filter(
        code__in=codes, consent=CaseParty.Consent.GIVEN, person__isnull=False
    ).order_by("pk")
    return tuple(
        refs.PartyRef(code=code, person_id=person_id)
        for code, person_id in rows.values_list("code", "person_id")
        if person_id is not None
    )


def _joint_rows_for(user: Any) -> QuerySet[CaseParty]:
    from onewindow.identity.selectors import person_for_user

    person = person_for_user(user)
    if person is None or not person.id_number_bidx:
        return CaseParty.objects.none()
    return (
        CaseParty.objects.filter(
            person=person,
            id_number_bidx=person.id_number_bidx,
            consent=CaseParty.Consent.GIVEN,
        )
        .exclude(case__created_by_id=user.pk)
        .select_related(
            "case__service_version__service__department", "case__applicant_person", "case__agent"
        )
        .order_by("-case__updated_at", "-pk")
    )


def joint_cases_for(*, user: Any) -> list[CaseParty]:
    """The cases this resident is a joint applicant of (they agreed; the other party
    applied): for 我的办件."""
    return [row for row in _joint_rows_for(user)[:100] if row.code in _joint_codes(row.case)]


def joint_case_for(*, user: Any, number: str) -> CaseParty | None:
    """This resident's part in case ``number`` as a joint applicant; None for anyone else."""
    row = _joint_rows_for(user).filter(case__number=number).first()
    return row if row is not None and row.code in _joint_codes(row.case) else None
