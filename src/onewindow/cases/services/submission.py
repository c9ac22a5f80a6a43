"""Applying: a draft per resident and service (resumable), the form saved on every step, and
the submission — one transaction that validates again, numbers the case, pins the service
version, computes the working-day deadline, starts the process and opens the first tasks."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import Actor, audit_record
from onewindow.cases import audit_events
from onewindow.cases.home_changes import case_home_changed
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services._common import (
    CaseNotFound,
    actor_for,
    event_row,
    lock_case,
    own_case,
    save_case,
)
from onewindow.cases.services.materials import material_errors, material_specs
from onewindow.cases.services.parties import (
    awaiting_consent,
    parties_prepare,
    parties_record,
)
from onewindow.cases.services.persons import (
    applicant_errors,
    applicant_fill,
    applicant_mismatches,
    applicant_of,
    merged,
)
from onewindow.cases.services.process import apply_run, enqueue_advance, process_context
from onewindow.catalog.selectors import service_current_id_by_code
from onewindow.core.calendar import add_working_days
from onewindow.core.errors import (
    ApplicationError,
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from onewindow.identity.selectors import company_get_by_uscc, person_for_user, person_may_act_for
from onewindow.workflow import ProcessRun

if TYPE_CHECKING:
    from onewindow.catalog.models import ServiceVersion
    from onewindow.identity.models import Company, Person, User

logger = logging.getLogger(__name__)

DEFAULT_REGION = "440100"


class AlreadySubmitted(Conflict):
    code = "already_submitted"


def _current_version(service_code: str) -> ServiceVersion:
    """The version in force, with its service (and the service's department) attached: one
    narrow read of the service's current version, the version itself from the worker's cache
    of published versions (catalog.versions)."""
    from onewindow.catalog.versions import service_version_cached

    current_id = service_current_id_by_code(code=service_code)
    if current_id is None:
        raise NotFound(
            gettext_lazy("没有找到该服务事项，或该事项暂停受理。"), code="service_not_found"
        )
    return service_version_cached(current_id)


def form_errors(version: ServiceVersion, data: dict[str, Any]) -> list[FieldError]:
    from onewindow.catalog.selectors import form_validate

    return list(form_validate(schema=version.form_schema, data=data, definition=version.definition))


def applicant_form(
    version: ServiceVersion, data: dict[str, Any], person: Person | None
) -> tuple[dict[str, Any], list[FieldError]]:
    """The answers with the applicant's own questions taken from their real-name record
    (``cases.services.persons``), and every problem of the result: the record's gaps first,
    then the form's validation."""
    from onewindow.catalog.selectors import form_normalize

    answers = form_normalize(version.form_schema or {}, data)
    filled = applicant_fill(version.form_schema, answers, person)
    errors = merged(applicant_errors(version.form_schema, person), form_errors(version, filled))
    return filled, errors


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The form fields whose answer differs (added, changed or cleared)."""
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def service_kind(version: ServiceVersion) -> str:
    return str((version.definition or {}).get("kind") or version.service.kind or "personal")


def _applicant(
    user: User, version: ServiceVersion, company_uscc: str | None
) -> tuple[Person, Company | None]:
    person = person_for_user(user)
    if person is None:
        raise PermissionDenied(gettext_lazy("请先完成实名登记后再申请。"), code="no_person")
    if service_kind(version) != "enterprise":
        return person, None
    if not company_uscc:
        raise ValidationFailed(
            gettext_lazy("请选择您代为办理的企业。"), code="required", field="company"
        )
    company = company_get_by_uscc(uscc=company_uscc)
    if company is None or not person_may_act_for(person=person, company=company):
        raise PermissionDenied(
            gettext_lazy("您不能代表该企业办理业务。"), code="not_agent", field="company"
        )
    return person, company


@transaction.atomic(durable=True)
def case_draft_start(
    *,
    user: User,
    service_code: str,
    company_uscc: str | None = None,
    actor: Actor | None = None,
    answers: dict[str, Any] | None = None,
    carried_from: str = "",
) -> Case:
    """The resident's open draft for this service (and company), or a new one.
    ``answers``: carried over from the case numbered ``carried_from`` (the chain's previous
    step, ``cases.services.chain``), into the questions the draft has not answered."""
    version = _current_version(service_code)
    person, company = _applicant(user, version, company_uscc)
    existing = (
        Case.objects.filter(
            created_by=user,
            status=Case.Status.DRAFT,
            service_version__service=version.service,
            applicant_company=company,
        )
        .order_by("-updated_at")
        .first()
    )
    answered = existing.form_data if existing is not None else {}
    carried = {k: v for k, v in (answers or {}).items() if k not in answered}
    if existing is not None and not carried:
        return existing
    if existing is not None:
        existing.form_data = {**existing.form_data, **carried}
        save_case(existing, "form_data")
        audit_record(
            actor=actor_for(user, actor),
            action=audit_events.DRAFT_CARRY,
            target=existing,
            changes={"fields": sorted(carried), "from": carried_from},
        )
        return existing
    case = Case.objects.create(
        form_data=carried,
        service_version=version,
        created_by=user,
        applicant_person=None if company else person,
        applicant_company=company,
        agent=person if company else None,
        submit_token=secrets.token_urlsafe(24),
    )
    audit_record(
        actor=actor_for(user, actor),
        action=audit_events.DRAFT_START,
        target=case,
        changes={
            "service": version.service.code,
            "version": version.number,
            **({"from": carried_from, "fields": sorted(carried)} if carried_from else {}),
        },
    )
    return case


@transaction.atomic(durable=True)
def case_draft_save_form(
    *, user: User, case_id: int, data: dict[str, Any], actor: Actor | None = None
) -> list[FieldError]:
    """Save the form of a draft (even with mistakes: it is a draft) and return the field
    errors. Only a draft without errors moves on to the materials step."""
    case = lock_case(case_id)
    own_case(case, user)
    if case.status != Case.Status.DRAFT:
        raise CaseNotFound()
    data, errors = applicant_form(case.service_version, data, applicant_of(case))
    changed = changed_fields(case.form_data, data)
    case.form_data = data
    if not errors and case.step == Case.Step.FORM:
        case.step = Case.Step.MATERIALS
    case.submit_token = secrets.token_urlsafe(24)
    save_case(case, "form_data", "step", "submit_token")
    audit_record(
        actor=actor_for(user, actor),
        action=audit_events.DRAFT_SAVE,
        target=case,
        changes={"fields": changed, "errors": len(errors)},
    )
    return errors


@transaction.atomic
def case_draft_set_step(*, user: User, case_id: int, step: str) -> Case:
    case = lock_case(case_id)
    own_case(case, user)
    if case.status != Case.Status.DRAFT:
        raise CaseNotFound()
    if case.step != step:
        case.step = step
        save_case(case, "step")
    return case


@transaction.atomic(durable=True)
def case_draft_discard(*, user: User, case_id: int, actor: Actor | None = None) -> None:
    case = lock_case(case_id)
    own_case(case, user)
    if case.status != Case.Status.DRAFT:
        raise CaseNotFound()
    audit_record(actor=actor_for(user, actor), action=audit_events.DRAFT_DISCARD, target=case)
    from onewindow.appointments.services import bookings_release_for_case

    bookings_release_for_case(case_id=case.pk, reason="draft_discarded", actor=actor)
    case.materials.all().delete()
    case.delete()


def allocate_number(*, region_code: str, day: datetime.date) -> str:
    """Region (6) + date (8) + a 5-digit daily sequence. The counter row of the day is bumped
    with one upsert inside the submit transaction: its row lock orders concurrent submits."""
    table = "cases_casenumbercounter"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (region_code, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (region_code, day) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [region_code, day],
        )
        (seq,) = cursor.fetchone()
    return _case_number(region_code, day, seq)


def _case_number(region_code: str, day: datetime.date, seq: int) -> str:
    """The number for the day's ``seq``-th case; past 99,999 the submission is refused (its
    transaction, and so the counter's bump, is rolled back by the error)."""
    if seq > 99999:
        raise Conflict(gettext_lazy("今日办件编号已用完，请明日再试。"), code="number_exhausted")
    return f"{region_code}{day:%Y%m%d}{seq:05d}"


def number_case(*, case_id: int, region_code: str, day: datetime.date) -> str:
    """``allocate_number`` for a case row this transaction has inserted, written to the row:
    on PostgreSQL the counter's bump and the row's update are one statement."""
    if connection.vendor != "postgresql":
        number = allocate_number(region_code=region_code, day=day)
        Case.objects.filter(pk=case_id).update(number=number)
        case_home_changed(case_ids=[case_id])
        return number
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH n AS (INSERT INTO cases_casenumbercounter (region_code, day, last) "
            "VALUES (%s, %s, 1) ON CONFLICT (region_code, day) "
            "DO UPDATE SET last = cases_casenumbercounter.last + 1 RETURNING last) "
            "UPDATE cases_case SET number = %s || lpad(n.last::text, 5, '0') FROM n "
            "WHERE cases_case.id = %s RETURNING n.last",
            [region_code, day, f"{region_code}{day:%Y%m%d}", case_id],
        )
        (seq,) = cursor.fetchone()
    case_home_changed(case_ids=[case_id])
    return _case_number(region_code, day, seq)  # past 99,999 lpad cut it: refused there


def _deadline(version: ServiceVersion, day: datetime.date) -> datetime.date | None:
    limit = (version.definition or {}).get("time_limit") or {}
    days = int(limit.get("promised_days") or limit.get("statutory_days") or 0)
    if days <= 0:
        return None
    # Past the holiday data Monday–Friday are counted: the case shows the date as 预计.
    return add_working_days(day, days, estimate=True)


def request_digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


SUBMIT_FIELDS = (
    "number",
    "service_version",
    "idempotency_key",
    "status",
    "submitted_at",
    "deadline",
    "step",
)


def _submit_locked(
    case: Case,
    *,
    user: User,
    actor: Actor,
    now: datetime.datetime,
    token: str,
    in_force: bool = False,
    insert: bool = False,
    steps: list[dict[str, Any]] | None = None,
) -> Case:
    """``in_force``: the caller has just read the case's version as the one in force.
    ``insert``: the case is not in the database yet (no materials, no booking): it is
    inserted submitted, with its process state, in one statement. ``steps``: what the
    request's attachments and booking did (their use cases' audit rows, as steps), kept in
    the submission's one audit row."""
    if not in_force:
        current = case.service_version.service.current
        if current is not None and current.pk != case.service_version_id:
            case.service_version = current  # a draft applies to the version in force now
    version = case.service_version
    applicant = applicant_of(case)
    filled, errors = applicant_form(version, case.form_data, applicant)
    refilled = filled != case.form_data  # the record changed since the draft was saved
    case.form_data = filled
    specs = material_specs(version.definition)
    errors.extend(material_errors(case, specs=specs))
    from onewindow.appointments.selectors import appointment_errors

    errors.extend(appointment_errors(case))  # a service with `appointment:` needs a booked slot
    if errors:
        raise ValidationFailed(_("申请内容有误，请修改后再提交。"), errors=errors)
    from onewindow.cases.repeat_selectors import repeat_refusal

    if (refusal := repeat_refusal(case)) is not None:  # the package's repeat: rule
        raise refusal
    today = timezone.localdate(now)
    run = ProcessRun.start(
        version.process_spec, data=dict(case.form_data), now=now, context=process_context(case)
    )
    parties = parties_prepare(case, version, applicant=applicant, now=now)
    if awaiting_consent(parties):
        return _submit_awaiting_consent(
            case,
            parties,
            user=user,
            actor=actor,
            now=now,
            token=token,
            insert=insert,
            applicant=applicant,
            steps=steps,
        )
    case.deadline = _deadline(version, today)
    case.idempotency_key = case.idempotency_key or token
    case.status = Case.Status.SUBMITTED
    case.submitted_at = now
    case.step = Case.Step.REVIEW
    submitted = event_row(case, "submitted", user=user, data={"version": version.number}, at=now)
    region = (version.service.department.region_code or DEFAULT_REGION)[:6]

    def numbered() -> None:
        # The day's counter row stays locked from its bump to the commit and every other
        # submission of the region waits for it, so the number is taken last: after the
        # engine start and the case and task rows, just before the timeline and the audit row.
        # The exchange materials' rows need the inserted case's id, so they go in here too,
        # ahead of the counter.
        exchanged = [
            CaseMaterial(case=case, code=spec.code, name=spec.name, source=spec.source)
            for spec in specs
            if spec.source == CaseMaterial.Source.EXCHANGE
        ]
        if exchanged:
            CaseMaterial.objects.bulk_create(exchanged)
        if insert:  # the row is in: numbered in place (one statement on PostgreSQL)
            case.number = number_case(case_id=case.pk, region_code=region, day=today)
        else:  # a draft: the number goes out with the case's UPDATE
            case.number = allocate_number(region_code=region, day=today)
        submitted.message = _("申请已提交，办件编号 %(number)s。") % {"number": case.number}
        if parties:
            parties_record(case, parties, applicant=applicant, now=now)

    # A draft has no task rows; the case's own fields go out with the run's state, in the
    # same UPDATE (a draft) or in the one INSERT (``insert``).
    apply_run(
        case,
        run,
        now=now,
        fresh=True,
        insert=insert,
        also=SUBMIT_FIELDS + (("form_data",) if refilled and not insert else ()),
        events=[submitted],
        before_timeline=numbered,
    )
    audit_record(
        actor=actor,
        action=audit_events.CASE_SUBMIT,
        target=case,
        changes={
            "number": case.number,
            "service": version.service.code,
            "version": version.number,
            "deadline": case.deadline.isoformat() if case.deadline else None,
            **({"steps": steps} if steps else {}),
        },
    )
    enqueue_advance(case)
    return case


def _submit_awaiting_consent(
    case: Case,
    parties: list[Any],
    *,
    user: User,
    actor: Actor,
    now: datetime.datetime,
    token: str,
    insert: bool,
    applicant: Person | None,
    steps: list[dict[str, Any]] | None = None,
) -> Case:
    """A submission naming a person whose records the process looks up: numbered and
    recorded, but the process starts only once they agree (``cases.services.parties``)."""
    from onewindow.cases.models import CaseEvent
    from onewindow.cases.signals import publish

    version = case.service_version
    today = timezone.localdate(now)
    case.idempotency_key = case.idempotency_key or token
    case.status = Case.Status.CONSENT
    case.submitted_at = now
    case.step = Case.Step.REVIEW
    case.deadline = None  # counted from the day the process starts
    region = (version.service.department.region_code or DEFAULT_REGION)[:6]
    if insert:
        case.save(force_insert=True)
        case.number = number_case(case_id=case.pk, region_code=region, day=today)
    else:
        case.number = allocate_number(region_code=region, day=today)
        save_case(case, *SUBMIT_FIELDS, "form_data")
    exchanged = [
        CaseMaterial(case=case, code=spec.code, name=spec.name, source=spec.source)
        for spec in material_specs(version.definition)
        if spec.source == CaseMaterial.Source.EXCHANGE
    ]
    if exchanged:
        CaseMaterial.objects.bulk_create(exchanged)
    events = [
        event_row(
            case,
            "submitted",
            user=user,
            message=_("申请已提交，办件编号 %(number)s。") % {"number": case.number},
            data={"version": version.number},
            at=now,
        )
    ]
    events += parties_record(case, parties, applicant=applicant, now=now)
    CaseEvent.objects.bulk_create(events)
    publish(case, events)
    audit_record(
        actor=actor,
        action=audit_events.CASE_SUBMIT,
        target=case,
        changes={
            "number": case.number,
            "service": version.service.code,
            "version": version.number,
            "awaiting_consent": [p.code for p in parties if p.consent == "pending"],
            **({"steps": steps} if steps else {}),
        },
    )
    return case


@transaction.atomic(durable=True)
def case_submit(
    *,
    user: User,
    case_id: int,
    token: str,
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    """Submit a draft. ``token`` is the one-time token of the check-your-answers page: the
    same token again returns the same case; a token from before the last edit is refused."""
    case = lock_case(case_id, fresh_service=True)
    own_case(case, user)
    if case.status != Case.Status.DRAFT:
        if token and token == case.idempotency_key:
            return case
        raise AlreadySubmitted(_("该申请已提交，请勿重复提交。"))
    if not token or not secrets.compare_digest(token, case.submit_token):
        raise Conflict(_("申请内容已更改，请重新核对后提交。"), code="stale_token")
    return _submit_locked(
        case, user=user, actor=actor_for(user, actor), now=now or timezone.now(), token=token
    )


def _attach_all(
    case: Case, *, user: User, materials: list[tuple[str, str, bytes]]
) -> list[dict[str, Any]]:
    """Attach each material in the submission's transaction: the steps of its audit row."""
    import io

    from onewindow.cases.services.materials import material_attach_step

    steps: list[dict[str, Any]] = []
    for code, filename, content in materials:
        _material, audit = material_attach_step(
            user=user,
            case_id=case.pk,
            code=code,
            upload=io.BytesIO(content),
            filename=filename,
            size=len(content),
        )
        steps.append(audit.step())
    return steps


def case_create_and_submit(
    *,
    user: User,
    service_code: str,
    form_data: dict[str, Any],
    idempotency_key: str,
    company_uscc: str | None = None,
    materials: list[tuple[str, str, bytes]] | None = None,
    appointment_slot: int | None = None,
    actor: Actor | None = None,
    licences: list[tuple[str, int]] | None = None,
) -> tuple[Case, bool]:
    """The API's one-call submission. Same key and same body → the same case (``False``:
    not created now); same key, different body → 409. ``licences``: (material code, licence
    id) pairs, the applicant's wallet licences presented instead of uploads."""
    from onewindow.cases.services.bookings import appointment_book_step
    from onewindow.cases.services.materials import material_use_licence_step

    key = (idempotency_key or "").strip()
    if not key or len(key) > 128:
        raise ValidationFailed(
            _("缺少或无效的 Idempotency-Key 请求头。"),
            code="idempotency_key",
            field="Idempotency-Key",
        )
    digest = request_digest(
        {
            "service": service_code,
            "company": company_uscc or "",
            "form": form_data,
            "materials": [(c, n, hashlib.sha256(b).hexdigest()) for c, n, b in materials or []],
            "appointment_slot": appointment_slot,
            **({"licences": sorted(licences)} if licences else {}),
        }
    )

    def existing() -> tuple[Case, bool] | None:
        case = Case.objects.filter(created_by=user, idempotency_key=key).first()
        if case is None:
            return None
        if case.request_digest != digest:
            raise Conflict(
                _("该 Idempotency-Key 已用于另一份不同的申请。"), code="idempotency_mismatch"
            )
        if case.status == Case.Status.DRAFT:
            raise Conflict(_("同一请求正在处理中，请稍后重试。"), code="in_progress")
        return case, False

    # No look-up first: a key seen before fails on the case's unique (created_by, key) at
    # the insert, or earlier on its own validation error; either way the case it names (if
    # any) is the answer, read after the rollback.
    try:
        with transaction.atomic(durable=True):
            version = _current_version(service_code)
            person, company = _applicant(user, version, company_uscc)
            mismatched = applicant_mismatches(version.form_schema, form_data, person)
            if mismatched:
                raise ValidationFailed(
                    mismatched[0].message, code="not_applicant", errors=mismatched
                )
            case = Case(
                service_version=version,
                created_by=user,
                applicant_person=None if company else person,
                applicant_company=company,
                agent=person if company else None,
                form_data=form_data,
                idempotency_key=key,
                request_digest=digest,
                submit_token=key,
            )
            bare = not (materials or licences or appointment_slot is not None)
            steps: list[dict[str, Any]] = []
            if not bare:
                case.save(force_insert=True)
                # One audit row for the request, written last by the submission: the
                # attachments and the booking are its steps, written in it.
                steps = _attach_all(case, user=user, materials=materials or [])
                for code, licence_id in licences or []:
                    _material, audit = material_use_licence_step(
                        user=user, case_id=case.pk, code=code, licence_id=licence_id
                    )
                    steps.append(audit.step())
                if appointment_slot is not None:
                    _booking, booked = appointment_book_step(
                        user=user, case_id=case.pk, slot_id=appointment_slot
                    )
                    steps += [entry.step() for entry in booked]
                # the attach/booking steps wrote to the row
                case = lock_case(case.pk, fresh_service=True)
                case.idempotency_key = key
            _submit_locked(
                case,
                user=user,
                actor=actor_for(user, actor),
                now=timezone.now(),
                token=key,
                in_force=True,
                insert=bare,
                steps=steps,
            )
            return case, True
    except (IntegrityError, ApplicationError):
        found = existing()
        if found:
            return found
        raise
