"""Writes of the data exchange: the resource catalogue, consumers and their keys, access
requests and grants, and the gateway query itself (every call, refused or not, is logged)."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.catalog.packages.vocabulary import vocabulary_load
from onewindow.core.crypto import encrypt
from onewindow.core.crypto.digests import blind_index
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.exchange import audit_events
from onewindow.exchange.calllog import calllog_append, calllog_lock
from onewindow.exchange.datasources import data_source, fields_for
from onewindow.exchange.models import AccessRequest, CallLog, Consumer, Grant, Resource
from onewindow.identity.selectors import department_list
from onewindow.identity.services import UsernameTaken, machine_user_create

if TYPE_CHECKING:
    from onewindow.identity.models import Department, Person, User

PLATFORM_CONSUMER = "onewindow-platform"
PLATFORM_PURPOSE = "政务服务办件审查（免证明）"


class ConsumerExists(ValidationFailed):
    code = "consumer_exists"

    def __init__(self) -> None:
        super().__init__(_("该调用方编号已存在。"), field="code")


def secret_aad(consumer_code: str) -> str:
    return f"exchange.consumer.secret:{consumer_code}"


@transaction.atomic
def resources_sync(*, actor: Actor) -> int:
    """Create or update a Resource for every ``exchange_resources`` entry of the vocabulary."""
    vocab = vocabulary_load()
    departments = {d.code: d for d in department_list()}
    changed = 0
    for code, entry in vocab.exchange_resources.items():
        fields = [{"code": c, "name": n, "sensitivity": s} for c, n, s in fields_for(code)]
        values = {
            "name": str(entry.get("zh") or code),
            "department": departments.get(str(entry.get("department", ""))),
            "fields": fields,
        }
        resource, created = Resource.objects.get_or_create(code=code, defaults=values)
        if not created and any(getattr(resource, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(resource, key, value)
            resource.save()
            changed += 1
            _platform_grant_follow(resource, actor=actor)
        changed += int(created)
    audit_record(
        actor=actor,
        action=audit_events.RESOURCE_SYNC,
        target_type="exchange.resource",
        changes={"changed": changed},
    )
    return changed


def _platform_grant_follow(resource: Resource, *, actor: Actor) -> None:
    """A resource whose fields changed (an upgrade's vocabulary): the platform's own grant
    follows it (audited). Grants of other consumers stay as their owners decided."""
    grant = Grant.objects.filter(consumer__code=PLATFORM_CONSUMER, resource=resource).first()
    if grant is None or grant.fields == resource.field_codes():
        return
    grant.fields = resource.field_codes()
    grant.save(update_fields=["fields"])
    audit_record(
        actor=actor,
        action=audit_events.GRANT_REFRESH,
        target=grant.consumer,
        changes={"resources": [resource.code]},
    )


@transaction.atomic
def consumer_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    department: Department | None = None,
    key_kind: str = Consumer.KeyKind.HMAC,
    public_key_hex: str = "",
    is_platform: bool = False,
) -> tuple[Consumer, str]:
    """A consumer with its own machine account. Returns the HMAC key in clear ONCE (empty for
    SM2 consumers, which sign with their private key and register the public key).

    A code already taken raises :class:`ConsumerExists`, also when another transaction
    creates the same code at the same moment: both pass the check, the second one's machine
    account collides on its username and waits for the first to commit."""
    if Consumer.objects.filter(code=code).exists():
        raise ConsumerExists()
    if key_kind == Consumer.KeyKind.SM2:
        try:
            if len(bytes.fromhex(public_key_hex)) != 64:
                raise ValueError
        except ValueError:
            raise ValidationFailed(_("SM2 公钥格式不正确。"), field="public_key_hex") from None
    username = f"exchange-{code}"[:150]
    try:
        user = machine_user_create(username=username)
    except UsernameTaken:
        if Consumer.objects.filter(code=code).exists():
            raise ConsumerExists() from None
        raise ValidationFailed(
            _("用户名 %(username)s 已被其他账号占用，请换一个调用方编号。")
            % {"username": username},
            field="code",
        ) from None
    secret = secrets.token_hex(32) if key_kind == Consumer.KeyKind.HMAC else ""
    consumer = Consumer.objects.create(
        code=code,
        name=name,
        department=department,
        user=user,
        key_kind=key_kind,
        secret_encrypted=encrypt(secret, aad=secret_aad(code)) if secret else "",
        public_key_hex=public_key_hex,
        is_platform=is_platform,
    )
    audit_record(
        actor=actor,
        action=audit_events.CONSUMER_CREATE,
        target=consumer,
        changes={"code": code, "key_kind": key_kind, "key": "set"},
    )
    return consumer, secret


@transaction.atomic
def access_request_create(
    *, actor: Actor, consumer: Consumer, resource: Resource, purpose: str, fields: list[str]
) -> AccessRequest:
    purpose = purpose.strip()
    if not purpose:
        raise ValidationFailed(_("请说明使用数据的目的。"), field="purpose")
    unknown = set(fields) - set(resource.field_codes())
    if not fields or unknown:
        raise ValidationFailed(_("请选择该资源已发布的字段。"), field="fields")
    request = AccessRequest.objects.create(
        consumer=consumer, resource=resource, purpose=purpose[:200], fields=sorted(fields)
    )
    audit_record(
        actor=actor,
        action=audit_events.REQUEST_CREATE,
        target=request,
        changes={"resource": resource.code, "fields": sorted(fields)},
        purpose=purpose,
    )
    return request


def _owns(user: User, resource: Resource) -> bool:
    """Staff of the owning department (or a department above it), or a platform operator."""
    if user.has_perm("identity.operate_platform"):
        return True
    if resource.department_id is None:
        return False
    from onewindow.identity.selectors import staff_department_ids_below

    return resource.department_id in staff_department_ids_below(user)


def access_request_decide(
    *,
    user: User,
    request_id: int,
    approve: bool,
    fields: list[str] | None = None,
    expires_at: datetime.datetime | None = None,
    rate_per_minute: int = 60,
    note: str = "",
) -> Grant | None:
    """The owning department approves (with a scope, expiry and rate) or rejects an access
    request. Anyone else is refused; the refusal's audit row is committed before the error."""
    with transaction.atomic():
        refused, grant = _decide(
            user=user,
            request_id=request_id,
            approve=approve,
            fields=fields,
            expires_at=expires_at,
            rate_per_minute=rate_per_minute,
            note=note,
        )
    if refused:
        raise PermissionDenied(_("只有资源所属部门可以审批。"))
    return grant


def _decide(
    *,
    user: User,
    request_id: int,
    approve: bool,
    fields: list[str] | None,
    expires_at: datetime.datetime | None,
    rate_per_minute: int,
    note: str,
) -> tuple[bool, Grant | None]:
    request = (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("resource__department", "consumer")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(_("申请不存在。"))
    actor = Actor.from_user(user)
    if not _owns(user, request.resource):
        audit_record(
            actor=actor, action=audit_events.REQUEST_DECIDE, target=request, outcome="denied"
        )
        return True, None
    if request.status != AccessRequest.Status.PENDING:
        return False, getattr(request, "grant", None)
    now = timezone.now()
    grant = None
    if approve:
        scope = sorted(set(fields if fields is not None else request.fields) & set(request.fields))
        if not scope:
            raise ValidationFailed(_("请至少批准一个字段。"), field="fields")
        if not 1 <= rate_per_minute <= 10000:
            raise ValidationFailed(_("调用频率应在 1 到 10000 次每分钟之间。"), field="rate")
        expiry = expires_at or now + datetime.timedelta(days=365)
        if expiry <= now:
            raise ValidationFailed(_("有效期必须晚于现在。"), field="expires_at")
        grant = Grant.objects.create(
            consumer=request.consumer,
            resource=request.resource,
            request=request,
            purpose=request.purpose,
            fields=scope,
            expires_at=expiry,
            rate_per_minute=rate_per_minute,
        )
    request.status = AccessRequest.Status.APPROVED if approve else AccessRequest.Status.REJECTED
    request.decided_by, request.decided_at, request.note = user, now, note[:200]
    request.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit_record(
        actor=actor,
        action=audit_events.REQUEST_APPROVE if approve else audit_events.REQUEST_REJECT,
        target=request,
        changes={"fields": grant.fields if grant else [], "rate": rate_per_minute},
    )
    return False, grant


@transaction.atomic
def platform_consumer_ensure(*, actor: Actor) -> Consumer:
    """The platform's own consumer (case service tasks), granted every resource's fields.

    Idempotent under concurrency (two workers' first look-ups at once): the consumer is
    created by one of them and read by the other (``consumer_create`` refuses the second
    under the unique username, in a savepoint); grants are created by one transaction at a
    time, under the consumer's row lock, each checking again which are missing."""
    consumer = Consumer.objects.filter(code=PLATFORM_CONSUMER).first()
    if consumer is None:
        try:
            consumer, _secret = consumer_create(
                actor=actor, code=PLATFORM_CONSUMER, name="一网通办平台", is_platform=True
            )
        except ConsumerExists:  # created by a look-up that committed meanwhile
            consumer = Consumer.objects.get(code=PLATFORM_CONSUMER)
    missing = Resource.objects.filter(active=True).exclude(grants__consumer=consumer)
    if not missing.exists():
        return consumer
    Consumer.objects.select_for_update().filter(pk=consumer.pk).first()
    far = timezone.now() + datetime.timedelta(days=3650)
    for resource in missing.all():  # read again under the lock
        Grant.objects.create(
            consumer=consumer,
            resource=resource,
            purpose=PLATFORM_PURPOSE,
            fields=resource.field_codes(),
            expires_at=far,
            rate_per_minute=600,
        )
    return consumer


def platform_grant_ensure(*, actor: Actor, resource_code: str) -> Consumer:
    """The platform's own consumer, ready to query ``resource_code``: the resource is synced
    first when it is new or its fields are not the data source's (an upgrade added one), so
    the platform's grant covers them. Runs inside the caller's transaction."""
    resource = Resource.objects.filter(code=resource_code).first()
    if resource is None or resource.field_codes() != [c for c, _n, _s in fields_for(resource_code)]:
        resources_sync(actor=actor)
    return platform_consumer_ensure(actor=actor)


# --- the query ---------------------------------------------------------------------------


@dataclass
class QueryResult:
    ok: bool
    reason: str = ""
    status: int = 200
    found: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    withheld: list[str] = field(default_factory=list)
    log: CallLog | None = None


def subject_ref(person: Person | None, id_number: str = "") -> str:
    if person is not None:
        return blind_index("exchange-subject", str(person.pk))
    return blind_index("exchange-subject-id", id_number) if id_number else ""


def refuse(
    *, consumer: str, reason: str, status: int, resource_code: str = "", **log: Any
) -> QueryResult:
    entry = calllog_append(
        consumer=consumer, resource_code=resource_code, outcome="denied", reason=reason, **log
    )
    return QueryResult(ok=False, reason=reason, status=status, log=entry)


def exchange_query(
    *,
    consumer: Consumer,
    resource_code: str,
    person: Person | None,
    purpose: str,
    request_id: str,
    fields: list[str] | None = None,
    case_number: str = "",
    ip: str = "",
    now: datetime.datetime | None = None,
    key: str = "",
) -> QueryResult:
    """Check the grant and rate, read the source, keep only granted fields, log the call.
    ``key``: the number of the record asked for (a birth certificate's); a number that is
    not one of the subject's records finds nothing. Runs inside the caller's transaction
    (which must commit even for a refusal)."""
    now = now or timezone.now()
    calllog_lock()
    resource = Resource.objects.filter(code=resource_code, active=True).first()
    log: dict[str, Any] = {
        "purpose": purpose,
        "request_id": request_id,
        "case_number": case_number,
        "ip": ip,
        "subject_ref": subject_ref(person),
        "owner_department_id": resource.department_id if resource else None,
    }
    who = consumer.code
    if resource is None:
        return refuse(
            consumer=who, reason="unknown_resource", status=404, resource_code=resource_code, **log
        )
    if not purpose.strip():
        return refuse(
            consumer=who, reason="no_purpose", status=400, resource_code=resource.code, **log
        )
    grants = list(Grant.objects.filter(consumer=consumer, resource=resource, revoked=False))
    live = [g for g in grants if g.expires_at > now]
    if not live:
        reason = "grant_expired" if grants else "no_grant"
        return refuse(consumer=who, reason=reason, status=403, resource_code=resource.code, **log)
    grant = max(live, key=lambda g: (len(g.fields), g.rate_per_minute))
    recent = CallLog.objects.filter(
        consumer_id_value=who,
        resource_code=resource.code,
        outcome=CallLog.Outcome.OK,
        at__gt=now - datetime.timedelta(seconds=60),
    ).count()
    if recent >= grant.rate_per_minute:
        return refuse(
            consumer=who, reason="rate_limited", status=429, resource_code=resource.code, **log
        )
    wanted = list(fields) if fields else resource.field_codes()
    granted = [f for f in wanted if f in set(grant.fields)]
    withheld = sorted(set(wanted) - set(granted))
    source = data_source()
    record = None
    if person is not None:  # a source written before keyed records takes no key
        record = (
            source.fetch(resource.code, person, key=key)
            if key
            else source.fetch(resource.code, person)
        )
    data = {k: record[k] for k in granted if k in record} if record else {}
    entry = calllog_append(
        consumer=who,
        resource_code=resource.code,
        outcome="ok",
        reason="" if record else "not_found",
        fields=list(data),
        **log,
    )
    return QueryResult(ok=True, found=record is not None, data=data, withheld=withheld, log=entry)
