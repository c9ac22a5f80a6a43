"""Reads for licences: a resident's wallet, published keys, and the licences an applicant
may present as a case material (电子证照免提交)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from onewindow.licences import jose
from onewindow.licences.models import Licence, SigningKey

if TYPE_CHECKING:
    from onewindow.catalog.models import Service
    from onewindow.identity.models import User
    from onewindow.licences.verification import Verification


def licences_for_user(*, user: User) -> QuerySet[Licence]:
    """The licences a resident holds: their own, and those of companies they act for."""
    person = getattr(user, "person", None)
    if person is None:
        return Licence.objects.none()
    from onewindow.identity.selectors import company_ids_for_person

    # only while the person may act for the company (an agent's authorisation in force)
    companies = company_ids_for_person(person_id=person.pk)
    return Licence.objects.select_related("licence_type").filter(
        Q(holder_person=person) | Q(holder_company_id__in=companies)
    )


def published_keys() -> dict[str, Any]:
    return {
        "keys": [
            jose.public_jwk(
                alg=key.algorithm, kid=key.kid, public_key=bytes(key.public_key), active=key.active
            )
            for key in SigningKey.objects.all()
        ]
    }


NUMBER_TAIL = 4


def licence_number_tail(number: str) -> str:
    """The last digits of a licence number: enough to tell two licences of a type apart,
    and unlike a masked 20-digit number, nothing that looks like a citizen ID."""
    return number[-NUMBER_TAIL:]


def licence_summaries(*, user: User, limit: int = 5) -> list[dict[str, Any]]:
    """Rows for the home page's 我的证照 section: the type, and the number's last four
    digits (``masked_number``, shown labelled as the number's tail)."""
    from django.urls import reverse

    out = []
    for lic in licences_for_user(user=user).filter(status=Licence.Status.VALID)[:limit]:
        out.append(
            {
                "name": lic.licence_type.name_zh,
                "masked_number": licence_number_tail(lic.number),
                "issued_on": timezone.localdate(lic.issued_at),
                "url": reverse("licences:wallet") + f"#licence-{lic.number}",
            }
        )
    return out


def _held_by(*, person: Any = None, company: Any = None) -> QuerySet[Licence]:
    """Licences held by exactly this applicant: the company for an enterprise case, else the
    person (a person's wallet also shows their companies' licences, an applicant does not)."""
    from onewindow.licences.verification import LICENCE_RELATED

    base = Licence.objects.select_related(*LICENCE_RELATED)
    if company is not None:
        return base.filter(holder_company=company)
    if person is not None:
        return base.filter(holder_person=person, holder_company__isnull=True)
    return Licence.objects.none()


def licences_usable(*, licence_type: str, person: Any = None, company: Any = None) -> list[Licence]:
    """The applicant's licences of one type that are neither revoked nor expired, newest
    first (what the materials step offers)."""
    return list(
        _held_by(person=person, company=company)
        .filter(licence_type__code=licence_type, status=Licence.Status.VALID)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.now()))
    )


def licence_exists(*, issue_key: str) -> bool:
    """Whether a licence was issued under this issue key (``licence_issue(issue_key=...)``)."""
    return Licence.objects.filter(issue_key=issue_key).exists()


def licence_issuing_case_id(*, licence_id: int) -> int | None:
    """The case whose process issued the licence, if a case did."""
    return Licence.objects.filter(pk=licence_id).values_list("case_id", flat=True).first()


def licences_issued_by_case(*, case_id: int) -> list[Licence]:
    """The licences a case's process has issued so far, in the order issued (a chain's
    permit, then its household record), with what ``licence_check`` reads."""
    from onewindow.licences.verification import LICENCE_RELATED

    return list(
        Licence.objects.select_related(*LICENCE_RELATED)
        .filter(case_id=case_id)
        .order_by("issued_at", "pk")
    )


def licence_of_applicant(
    *, licence_id: int, person: Any = None, company: Any = None
) -> Licence | None:
    """One licence of the applicant's, or None — also for another holder's licence, so a
    caller cannot tell whether someone else's id exists."""
    return _held_by(person=person, company=company).filter(pk=licence_id).first()


def licence_check(*, licence: Licence) -> Verification:
    """Verify an issued licence as a third party would (signature, record, status list,
    expiry): ``result`` is valid, revoked, altered or unknown. The licence as the caller read
    it, in this request, with ``verification.LICENCE_RELATED`` (else those are read here)."""
    from onewindow.licences.verification import licence_verify_issued

    return licence_verify_issued(licence)


# What a verification result is called on pages (the verify page, a case's licences, a
# licence presented as a material).
RESULT_LABELS = {
    "valid": gettext_lazy("有效"),
    "revoked": gettext_lazy("已撤销"),
    "altered": gettext_lazy("已篡改"),
    "unknown": gettext_lazy("未知"),
}


def licence_result_label(result: str) -> str:
    """The label of a verification result (``licence_check(...).result``), in the active
    language; an unknown result is shown as it is."""
    return str(RESULT_LABELS.get(result, result))


# Claims shown to people, with their Chinese labels (the PDF, the wallet); others stay in the
# signed credential only.
CLAIM_LABELS = {  # Chinese on the PDF; marked so that pages can translate them
    "name": gettext_noop("持证人"),
    "idNumber": gettext_noop("身份证号"),
    "permitNumber": gettext_noop("证件号码"),
    "caseNumber": gettext_noop("办件编号"),
}
HOLDER_CLAIMS = frozenset({"name", "idNumber"})


def licence_claim_lines(licence: Licence, *, holder: bool = True) -> list[tuple[str, str]]:
    """(label, value) of the licence's labelled claims, in the order of ``CLAIM_LABELS``,
    then what the decision granted (its particulars, in the package's order);
    ``holder=False`` leaves out the holder's own name and ID (the wallet is theirs)."""
    from onewindow.licences.verification import licence_particulars

    claims = licence.claims or {}
    lines = [
        (label, str(claims[key]))
        for key, label in CLAIM_LABELS.items()
        if key in claims and (holder or key not in HOLDER_CLAIMS)
    ]
    return lines + [(str(p["label"]), str(p["value"])) for p in licence_particulars(licence)]


def licence_type_name(*, code: str) -> str:
    """The Chinese name of a licence type (``""`` for an unknown code)."""
    from onewindow.licences.models import LicenceType

    row = LicenceType.objects.filter(code=code).only("name_zh").first()
    return row.name_zh if row is not None else ""


def licence_related(path: str) -> tuple[str, ...]:
    """``select_related`` paths for a licence reached through ``path`` (``"licence"`` from a
    case material), with what ``licence_check`` reads: it then reads nothing more."""
    from onewindow.licences.verification import LICENCE_RELATED

    return (path, *(f"{path}__{name}" for name in LICENCE_RELATED))


def licence_issuing_service(*, licence_type: str) -> Service | None:
    """An online service whose outcome is a licence of this type, if the catalogue has one."""
    from onewindow.catalog.selectors import service_issuing_licence

    return service_issuing_licence(licence_type=licence_type)


# --- the citizen page ------------------------------------------------------------------------

EXPIRING_SOON_DAYS = 30


@dataclass(frozen=True)
class LicenceHomeRow:
    number_tail: str  # the number's last digits (see licence_number_tail)
    type_code: str
    name: str
    issued_at: datetime.datetime
    valid_until: datetime.datetime | None
    expiring_soon: bool  # valid, and ends within EXPIRING_SOON_DAYS
    url: str


def licences_for_home(
    *, user: User | None = None, company_id: int | None = None, limit: int = 5
) -> tuple[list[LicenceHomeRow], int]:
    """The valid licences a resident holds in their own name (``user``) or a company holds
    (``company_id``): those expiring soonest first, then the newest; and how many in all.
    Two queries at most."""
    from django.urls import reverse

    rows = Licence.objects.filter(status=Licence.Status.VALID)
    if company_id is not None:
        rows = rows.filter(holder_company_id=company_id)
    else:
        person = getattr(user, "person", None)
        if person is None:
            return [], 0
        rows = rows.filter(holder_person=person)
    now = timezone.now()
    rows = rows.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
    soon = now + datetime.timedelta(days=EXPIRING_SOON_DAYS)
    found = list(
        rows.select_related("licence_type").order_by(
            F("valid_until").asc(nulls_last=True), "-issued_at", "-pk"
        )[:limit]
    )
    total = len(found) if len(found) < limit else rows.count()
    return [
        LicenceHomeRow(
            number_tail=licence_number_tail(lic.number),
            type_code=lic.licence_type.code,
            name=lic.licence_type.name_zh,
            issued_at=lic.issued_at,
            valid_until=lic.valid_until,
            expiring_soon=lic.valid_until is not None and lic.valid_until <= soon,
            url=reverse("licences:wallet") + f"#licence-{lic.number}",
        )
        for lic in found
    ], total
