"""Persons named on an application besides the applicant (``parties:`` of the package; the
rows are :class:`CaseParty`).

At submission each named person's answers are checked against the real-name records (a
mismatch is a warning to staff), and the person is linked when the platform knows them.
When the process looks up a party's records through the exchange, that person must agree
first: the case waits in ``consent`` (等待相关人授权), its process not started, until every
such party has agreed — from their own account (the request is in their message centre and
under 待我确认的授权) or with a code sent by SMS to the phone on their real-name record,
which they tell the applicant. A refusal, or no answer within the party's
``consent_days``, ends the case with the reason. A party who is the applicant themself needs
no consent."""

from __future__ import annotations

import datetime
import re
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import Actor, audit_record
from onewindow.cases import audit_events
from onewindow.cases.home_changes import case_home_changed
from onewindow.cases.models import Case, CaseEvent, CaseParty
from onewindow.cases.services._common import (
    actor_for,
    event_row,
    lock_case,
    own_case,
    save_case,
)
from onewindow.cases.services.ratable import case_rating_expect
from onewindow.cases.signals import publish
from onewindow.catalog.packages.vocabulary import vocabulary_load
from onewindow.catalog.persons import party_specs
from onewindow.core.crypto import blind_index
from onewindow.core.crypto.digests import constant_time_equal
from onewindow.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from onewindow.core.identifiers import normalize_citizen_id
from onewindow.core.masking import mask_name, mask_phone
from onewindow.core.pii import id_number_index
from onewindow.identity.selectors import person_find_by_id_number_bidx

if TYPE_CHECKING:
    from onewindow.catalog.models import ServiceVersion
    from onewindow.identity.models import Person, User

CODE_TTL = datetime.timedelta(minutes=10)
CODE_RESEND = datetime.timedelta(seconds=60)
MAX_CODES = 5  # codes sent per request
MAX_ATTEMPTS = 5  # wrong tries per code
CODE_RE = re.compile(r"^\d{6}$")
OPEN = (CaseParty.Consent.PENDING,)


class ConsentClosed(Conflict):
    code = "consent_closed"

    def __init__(self) -> None:
        super().__init__(gettext_lazy("该授权请求已处理或已失效。"))


def resource_names(codes: list[str]) -> str:
    """``户籍信息、婚姻登记信息`` (the vocabulary's names, in the active language)."""
    vocabulary = vocabulary_load()
    return _("、").join(vocabulary.label("exchange_resources", code) for code in codes)


# --- at submission ---------------------------------------------------------------------------


def parties_prepare(
    case: Case, version: ServiceVersion, *, applicant: Person | None, now: datetime.datetime
) -> list[CaseParty]:
    """The case's party rows, not yet saved: one per declared party the form names (an
    optional question left empty names nobody)."""
    rows: list[CaseParty] = []
    for spec in party_specs(version.definition):
        raw = case.form_data.get(spec.id_field)
        if not isinstance(raw, str) or not raw.strip():
            continue
        try:
            number = normalize_citizen_id(raw)
        except ValidationFailed:
            continue  # the form's own validation reports it
        bidx = id_number_index(number)
        known = person_find_by_id_number_bidx(id_number_bidx=bidx)
        name = str(case.form_data.get(spec.name_field) or "").strip() if spec.name_field else ""
        same = known is not None and applicant is not None and known.pk == applicant.pk
        if same:
            check = CaseParty.Check.SAME_PERSON
        elif known is None:
            check = CaseParty.Check.NOT_FOUND
        elif name and known.name and name != known.name:
            check = CaseParty.Check.NAME_MISMATCH
        else:
            check = CaseParty.Check.MATCHED
        row = CaseParty(
            case=case,
            code=spec.code,
            label=spec.label_zh,
            name=name[:64],
            id_number_bidx=bidx,
            person=known,
            record_check=check,
            lookups=list(spec.lookups),
        )
        if spec.needs_consent and same:
            row.consent_via = CaseParty.Via.SAME_PERSON
        elif spec.needs_consent:
            row.consent = CaseParty.Consent.PENDING
            row.requested_at = now
            row.expires_at = now + datetime.timedelta(days=spec.consent_days)
        rows.append(row)
    return rows


def parties_record(
    case: Case, rows: list[CaseParty], *, applicant: Person | None, now: datetime.datetime
) -> list[CaseEvent]:
    """Save the rows (the case is in the database) and ask each party whose consent is
    needed; returns the timeline rows to insert with the submission's."""
    events: list[CaseEvent] = []
    for row in rows:
        row.case = case
        row.save(force_insert=True)
        if row.consent != CaseParty.Consent.PENDING:
            continue
        events.append(
            event_row(
                case,
                "consent_requested",
                actor_label=_("系统"),
                message=_(
                    "须经%(who)s（%(name)s）同意后才能查询其%(records)s：已请其确认，"
                    "确认前暂不办理，请于 %(date)s 前完成。"
                )
                % {
                    "who": row.label,
                    "name": row.masked_name or _("未填写姓名"),
                    "records": resource_names(row.lookups),
                    "date": _day(row.expires_at),
                },
                data={"party": row.code, "lookups": row.lookups},
                at=now,
            )
        )
        _ask(case, row, applicant=applicant)
    return events


def _day(at: datetime.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _ask(case: Case, row: CaseParty, *, applicant: Person | None) -> None:
    """Tell a known party of the request: in their message centre (an account) and by SMS to
    the phone on their real-name record. A party the platform does not know yet finds the
    request once they log in with a real-name account of that citizen ID."""
    if row.person is None:
        return
    from onewindow.notify.services import Recipient, notify_tell

    # an approved template of its own (notify.messages: consent_request), not free text
    params = {
        "applicant": (applicant.name if applicant else "") or _("申请人"),
        "service": case.service_version.service.name,
        "number": case.number,
        "records": resource_names(row.lookups),
        "date": _day(row.expires_at),
    }
    notify_tell(
        recipient=Recipient(user_id=row.person.user_id, phone=row.person.phone or ""),
        template="consent_request",
        params=params,
        kind="consent_request",
        source_key=f"case-party:{row.pk}:request",
        link=reverse("cases:consent_detail", kwargs={"party_id": row.pk}),
    )


def awaiting_consent(rows: list[CaseParty]) -> bool:
    return any(row.consent == CaseParty.Consent.PENDING for row in rows)


# --- deciding -----------------------------------------------------------------------------------


def _settle(case: Case, *, now: datetime.datetime, events: list[CaseEvent]) -> None:
    """After a party's answer: a refusal or an expiry ends the case; when nobody is left to
    ask, the process starts (with the deadline counted from today)."""
    rows = list(case.parties.all())
    ended = [
        r for r in rows if r.consent in {CaseParty.Consent.DECLINED, CaseParty.Consent.EXPIRED}
    ]
    if ended:
        _end(case, ended[0], rows=rows, now=now, events=events)
    elif not awaiting_consent(rows):
        _start(case, now=now, events=events)
    else:
        CaseEvent.objects.bulk_create(events)
        publish(case, events)


def _start(case: Case, *, now: datetime.datetime, events: list[CaseEvent]) -> None:
    from onewindow.cases.services.process import apply_run, enqueue_advance, process_context
    from onewindow.cases.services.submission import _deadline
    from onewindow.workflow import ProcessRun

    version = case.service_version
    run = ProcessRun.start(
        version.process_spec, data=dict(case.form_data), now=now, context=process_context(case)
    )
    case.deadline = _deadline(version, timezone.localdate(now))
    events.append(
        event_row(
            case,
            "consent_complete",
            actor_label=_("系统"),
            message=_("相关人已全部同意，开始办理。"),
            at=now,
        )
    )
    apply_run(case, run, now=now, fresh=True, also=("deadline",), events=events)
    enqueue_advance(case)


def _end(
    case: Case,
    row: CaseParty,
    *,
    rows: list[CaseParty],
    now: datetime.datetime,
    events: list[CaseEvent],
) -> None:
    if row.consent == CaseParty.Consent.DECLINED:
        reason = _("%(who)s不同意查询其%(records)s，申请无法办理。") % {
            "who": row.label,
            "records": resource_names(row.lookups),
        }
    else:
        reason = _("%(who)s未在 %(date)s 前确认授权，申请无法办理，可重新申请。") % {
            "who": row.label,
            "date": _day(row.expires_at),
        }
    for other in rows:
        if other.consent == CaseParty.Consent.PENDING:
            other.consent, other.decided_at = CaseParty.Consent.CANCELLED, now
            other.save(update_fields=["consent", "decided_at"])
    case.status, case.concluded_at, case.outcome_note = Case.Status.REJECTED, now, reason
    events.append(
        event_row(
            case,
            "concluded",
            actor_label=_("系统"),
            message=_("%(status)s：%(reason)s")
            % {"status": Case.Status.REJECTED.label, "reason": reason},
            data={"outcome": "rejected", "reason": reason},
            at=now,
        )
    )
    CaseEvent.objects.bulk_create(events)
    publish(case, events)
    save_case(case, "status", "concluded_at", "outcome_note")
    from onewindow.appointments.services import bookings_release_for_case

    bookings_release_for_case(case_id=case.pk, reason="consent not given", now=now)
    case_rating_expect(case, now=now)


def parties_cancel(case: Case, *, now: datetime.datetime) -> None:
    """The case ended otherwise (withdrawn): open requests are void."""
    case.parties.filter(consent__in=OPEN).update(
        consent=CaseParty.Consent.CANCELLED, decided_at=now
    )
    case_home_changed(case_ids=[case.pk])


def _locked_party(case_id: int, party_id: int) -> tuple[Case, CaseParty]:
    case = lock_case(case_id)
    party = CaseParty.objects.filter(pk=party_id, case_id=case.pk).select_related("person").first()
    if party is None:
        raise NotFound(gettext_lazy("没有找到该授权请求。"))
    return case, party


def _still_open(case: Case, party: CaseParty, now: datetime.datetime) -> None:
    if party.consent != CaseParty.Consent.PENDING or case.status != Case.Status.CONSENT:
        raise ConsentClosed()
    if party.expires_at is not None and party.expires_at <= now:
        raise ConsentClosed()


@transaction.atomic(durable=True)
def party_consent_decide(
    *,
    user: User,
    party_id: int,
    agree: bool,
    note: str = "",
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> CaseParty:
    """The named person answers from their own account: a resident whose real-name record
    has the citizen ID the applicant wrote. Anyone else gets "not found"."""
    from onewindow.identity.selectors import person_for_user

    now = now or timezone.now()
    person = person_for_user(user)
    found = (
        CaseParty.objects.filter(pk=party_id, id_number_bidx=person.id_number_bidx).first()
        if person is not None and person.id_number_bidx
        else None
    )
    if found is None or person is None:
        raise NotFound(gettext_lazy("没有找到该授权请求。"))
    case, party = _locked_party(found.case_id, party_id)
    _still_open(case, party, now)
    party.consent = CaseParty.Consent.GIVEN if agree else CaseParty.Consent.DECLINED
    party.consent_via, party.decided_at, party.person = CaseParty.Via.ACCOUNT, now, person
    party.decided_note = "" if agree else note.strip()[:200]
    party.save(update_fields=["consent", "consent_via", "decided_at", "person", "decided_note"])
    if agree:
        message = _("%(who)s已通过本人账号同意查询其%(records)s。")
    else:
        message = _("%(who)s已通过本人账号拒绝查询其%(records)s。")
    message %= {"who": party.label, "records": resource_names(party.lookups)}
    if party.decided_note:
        message += _("理由：%(note)s") % {"note": party.decided_note}
    events = [
        event_row(
            case,
            "consent_given" if agree else "consent_declined",
            actor_label=party.label,
            message=message,
            data={"party": party.code, "via": party.consent_via},
            at=now,
        )
    ]
    _settle(case, now=now, events=events)
    audit_record(
        actor=actor_for(user, actor),
        action=audit_events.PARTY_CONSENT,
        target=case,
        changes={"party": party.code, "consent": party.consent, "via": party.consent_via},
    )
    return party


# --- consent by an SMS code ----------------------------------------------------------------


def _code_hash(party: CaseParty, code: str) -> str:
    return blind_index("case-party-consent-code", f"{party.pk}:{code}")


def _own(case: Case, user: User) -> None:
    own_case(case, user)


def party_phone(party: CaseParty) -> str:
    """The phone on the party's real-name record ('' when the platform has none)."""
    person = party.person or person_find_by_id_number_bidx(id_number_bidx=party.id_number_bidx)
    return str(person.phone) if person is not None and person.phone else ""


@transaction.atomic(durable=True)
def party_consent_code_send(
    *,
    user: User,
    case_id: int,
    party_id: int,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> CaseParty:
    """The applicant asks the platform to text a code to the phone on the party's real-name
    record (never to a number typed on the form); the party tells the applicant the code if
    they agree."""
    now = now or timezone.now()
    case, party = _locked_party(case_id, party_id)
    _own(case, user)
    _still_open(case, party, now)
    person = party.person or person_find_by_id_number_bidx(id_number_bidx=party.id_number_bidx)
    if person is None or not person.phone:
        raise ValidationFailed(
            gettext_lazy(
                "本平台没有%(who)s的实名登记手机号码，无法发送验证码。请%(who)s用本人手机号"
                "登录一网通办并完成实名认证后，在“待我确认的授权”中确认。"
            )
            % {"who": party.label},
            code="no_phone",
            field="code",
        )
    if party.code_sent_at is not None and now - party.code_sent_at < CODE_RESEND:
        wait = int((CODE_RESEND - (now - party.code_sent_at)).total_seconds()) + 1
        raise RateLimited(
            gettext_lazy("验证码已发送，请%(n)s秒后再试。") % {"n": wait},
            retry_after=wait,
            field="code",
        )
    if party.codes_sent >= MAX_CODES:
        raise RateLimited(
            gettext_lazy("验证码发送次数已达上限，请%(who)s登录一网通办确认。")
            % {"who": party.label},
            retry_after=3600,
            field="code",
        )
    code = f"{secrets.randbelow(10**6):06d}"
    party.person = person
    party.code_hash, party.code_sent_at = _code_hash(party, code), now
    party.code_expires_at, party.code_attempts = now + CODE_TTL, 0
    party.codes_sent += 1
    party.save(
        update_fields=[
            "person",
            "code_hash",
            "code_sent_at",
            "code_expires_at",
            "code_attempts",
            "codes_sent",
        ]
    )
    from onewindow.notify.services import sms_queue

    applicant = case.agent if case.applicant_company_id else case.applicant_person
    params = {
        "applicant": (applicant.name if applicant else "") or _("申请人"),
        "service": case.service_version.service.name,
        "number": case.number,
        "records": resource_names(party.lookups),
        "code": code,
        "minutes": int(CODE_TTL.total_seconds() // 60),
    }
    sms_queue(phone=person.phone, template="consent_code", params=params)
    row = event_row(
        case,
        "consent_code_sent",
        user=user,
        message=_("已向%(who)s实名登记的手机（%(phone)s）发送授权验证码。")
        % {"who": party.label, "phone": mask_phone(person.phone)},
        data={"party": party.code},
        at=now,
    )
    row.save(force_insert=True)
    audit_record(
        actor=actor_for(user, actor),
        action=audit_events.PARTY_CONSENT_CODE,
        target=case,
        changes={"party": party.code, "sent": party.codes_sent},
    )
    return party


def party_consent_code_verify(
    *,
    user: User,
    case_id: int,
    party_id: int,
    code: str,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> CaseParty:
    """The applicant enters the code the party told them: the party has agreed (by SMS).
    A wrong code counts (committed even though an error is raised)."""
    now = now or timezone.now()
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ValidationFailed(
            gettext_lazy("请输入6位数字验证码。"), code="code_format", field="code"
        )
    refusal: ValidationFailed | None = None
    with transaction.atomic(durable=True):
        case, party = _locked_party(case_id, party_id)
        _own(case, user)
        _still_open(case, party, now)
        if not party.code_hash or party.code_expires_at is None or party.code_expires_at <= now:
            refusal = ValidationFailed(
                gettext_lazy("验证码已失效，请重新发送。"), code="code_expired", field="code"
            )
        elif party.code_attempts >= MAX_ATTEMPTS:
            refusal = ValidationFailed(
                gettext_lazy("验证码错误次数过多，请重新发送。"), code="code_locked", field="code"
            )
        elif not constant_time_equal(party.code_hash, _code_hash(party, code)):
            party.code_attempts += 1
            party.save(update_fields=["code_attempts"])
            left = MAX_ATTEMPTS - party.code_attempts
            refusal = ValidationFailed(
                gettext_lazy("验证码不正确，还可再试%(n)s次。") % {"n": left}
                if left
                else gettext_lazy("验证码错误次数过多，请重新发送。"),
                code="code_wrong",
                field="code",
            )
        else:
            party.consent, party.consent_via = CaseParty.Consent.GIVEN, CaseParty.Via.SMS
            party.decided_at, party.code_hash = now, ""
            party.save(update_fields=["consent", "consent_via", "decided_at", "code_hash"])
            events = [
                event_row(
                    case,
                    "consent_given",
                    actor_label=party.label,
                    message=_("%(who)s已通过短信验证码同意查询其%(records)s。")
                    % {"who": party.label, "records": resource_names(party.lookups)},
                    data={"party": party.code, "via": party.consent_via},
                    at=now,
                )
            ]
            _settle(case, now=now, events=events)
            audit_record(
                actor=actor_for(user, actor),
                action=audit_events.PARTY_CONSENT,
                target=case,
                changes={"party": party.code, "consent": party.consent, "via": party.consent_via},
            )
    if refusal is not None:
        raise refusal
    return party


# --- expiry -------------------------------------------------------------------------------------


def party_consents_expire(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Requests past their time end their cases (the SLA sweep runs this every minute)."""
    now = now or timezone.now()
    case_ids = list(
        CaseParty.objects.filter(consent__in=OPEN, expires_at__lte=now)
        .values_list("case_id", flat=True)
        .distinct()[:limit]
    )
    ended = 0
    for case_id in case_ids:
        with transaction.atomic(durable=True):
            case = lock_case(case_id)
            rows = list(case.parties.filter(consent__in=OPEN, expires_at__lte=now))
            if case.status != Case.Status.CONSENT or not rows:
                continue
            events = []
            for row in rows:
                row.consent, row.decided_at = CaseParty.Consent.EXPIRED, now
                row.save(update_fields=["consent", "decided_at"])
                events.append(
                    event_row(
                        case,
                        "consent_expired",
                        actor_label=_("系统"),
                        message=_("%(who)s（%(name)s）未在期限内确认授权。")
                        % {"who": row.label, "name": mask_name(row.name) or _("未填写姓名")},
                        data={"party": row.code},
                        at=now,
                    )
                )
            _settle(case, now=now, events=events)
            audit_record(
                actor=Actor.system("cases.consents"),
                action=audit_events.PARTY_EXPIRE,
                target=case,
                changes={"parties": [row.code for row in rows]},
            )
            ended += 1
    return ended
