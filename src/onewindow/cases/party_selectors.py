"""Reads about the persons named on an application besides the applicant (``CaseParty``):
the parties who agreed (``CaseRef.parties``: whom the exchange may look up), the requests a
resident is asked to confirm, and what the applicant and staff see of each party (consent,
and whether the answers match the records)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onewindow.cases.models import Case, CaseParty
from onewindow.catalog.persons import APPLICANT, applicant_fields, party_specs
from onewindow.core import refs
from onewindow.core.masking import mask_name
from onewindow.core.pii import id_number_index

if TYPE_CHECKING:
    from onewindow.identity.models import User


def agreed_parties(case: Case) -> tuple[refs.PartyRef, ...]:
    """The parties of ``CaseRef.parties``: each person the form names besides the applicant
    who agreed to take part (or who is the applicant themself), known to the platform, while
    the form still names them (the citizen ID answered is the one they agreed under), each
    marked ``joint`` when the package makes them a joint applicant. No query for a service
    that declares no parties."""
    specs = {spec.code: spec for spec in party_specs(case.service_version.definition)}
    if not specs or case.pk is None:
        return ()
    out: list[refs.PartyRef] = []
    for row in case.parties.filter(person__isnull=False).order_by("pk"):
        spec = specs.get(row.code)
        agreed = (
            row.consent == CaseParty.Consent.GIVEN or row.consent_via == CaseParty.Via.SAME_PERSON
        )
        if spec is None or not agreed or row.person_id is None:
            continue
        number = str(case.form_data.get(spec.id_field) or "").strip().upper()
        if not number or id_number_index(number) != row.id_number_bidx:
            continue
        out.append(refs.PartyRef(code=row.code, person_id=row.person_id, joint=spec.joint))
    return tuple(out)


def consent_requests_for(*, user: User) -> QuerySet[CaseParty]:
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


def consent_request_for(*, user: User, party_id: int) -> CaseParty | None:
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


def _joint_rows_for(user: User) -> QuerySet[CaseParty]:
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


def joint_cases_for(*, user: User) -> list[CaseParty]:
    """The cases this resident is a joint applicant of (they agreed; the other party
    applied): for 我的办件."""
    return [row for row in _joint_rows_for(user)[:100] if row.code in _joint_codes(row.case)]


def joint_case_for(*, user: User, number: str) -> CaseParty | None:
    """This resident's part in case ``number`` as a joint applicant; None for anyone else."""
    row = _joint_rows_for(user).filter(case__number=number).first()
    return row if row is not None and row.code in _joint_codes(row.case) else None
