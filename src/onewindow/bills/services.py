"""Writes of the bills app: binding and unbinding accounts, notification preferences, and
syncing bills from providers with backoff per provider and a circuit breaker.

Provider calls never run inside a transaction: the answer is fetched first, checked
(providers/base.py), then stored in one short transaction with its audit row. Anything that
fails the checks is quarantined with the reason and logged, never stored as a bill."""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor, Outcome, audit_record
from onewindow.bills import audit_events, conf
from onewindow.bills.home_changes import subscriptions_home_changed
from onewindow.bills.models import (
    Bill,
    Channel,
    Contribution,
    ProviderSyncState,
    Quarantine,
    Subscription,
)
from onewindow.bills.providers.base import (
    BillBatch,
    ProviderError,
    ProviderMalformed,
    ProviderTimeout,
    names_match,
)

# The fake providers' book of accounts, for the demo city and tests.
from onewindow.bills.providers.fake import fake_account_register as fake_account_register
from onewindow.bills.selectors import BillSummary, bill_summary, provider_down
from onewindow.bills.signals import bill_arrived
from onewindow.core.crypto import blind_index
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.core.home import home_changed
from onewindow.identity.selectors import person_for_user

if TYPE_CHECKING:
    from onewindow.identity.models import Person, User

logger = logging.getLogger(__name__)
Circuit = ProviderSyncState.Circuit
ACCOUNT_RE = re.compile(r"[0-9A-Za-z]{4,32}", re.ASCII)
REFRESH_MIN_SECONDS = 60


def account_normalise(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "")


def account_index(provider_code: str, account_number: str) -> str:
    return blind_index("bill-account", f"{provider_code}:{account_number}")


def _channels(channels: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(channels))
    if any(c not in Channel.values for c in chosen):
        raise ValidationFailed(_("请选择有效的提醒方式"), field="channels")
    return chosen


def _days(value: int) -> int:
    if not 0 <= value <= 15:
        raise ValidationFailed(_("提前提醒天数应在0至15天之间"), field="remind_days_before")
    return value


def subscription_bind(
    *,
    user: User,
    provider_code: str,
    account_number: str,
    channels: Sequence[str] = ("inapp",),
    remind_days_before: int = 3,
    remind_overdue: bool = True,
) -> Subscription:
    """Bind an account after the provider confirmed it exists and is held by this resident
    (the holder's name matches the real-name record). Nothing is bound otherwise. The new
    binding is due for sync at once: the caller may sync it now (``subscription_sync``, as
    the bind page does), else the beat job fetches it."""
    person = person_for_user(user)
    if person is None or not person.name:
        raise PermissionDenied(_("请先完成实名认证再绑定账户"))
    info = conf.provider_info(provider_code)
    if info is None:
        raise ValidationFailed(_("请选择账单机构"), field="provider_code")
    number = account_normalise(account_number)
    if not ACCOUNT_RE.fullmatch(number):
        raise ValidationFailed(_("户号应为4至32位数字或字母"), field="account_number")
    chosen = _channels(channels)
    days = _days(remind_days_before)
    bidx = account_index(info.code, number)
    taken = Subscription.objects.filter(
        provider_code=info.code, account_bidx=bidx, unbound_at__isnull=True
    ).first()
    if taken is not None:
        if taken.person_id == person.pk:
            raise ValidationFailed(_("您已绑定该户号"), field="account_number")
        raise ValidationFailed(
            _("该户号已被其他居民绑定，如有疑问请联系%(provider)s") % {"provider": info.name},
            field="account_number",
        )
    try:
        check = conf.provider(info.code).verify_account(account_number=number)
    except ProviderError as exc:
        logger.warning("bills: account check at %s failed: %s", info.code, exc)
        raise ValidationFailed(
            _("暂时无法连接%(provider)s核验户号，请稍后再试") % {"provider": info.name},
            code="provider_unavailable",
        ) from exc
    if not check.found:
        raise ValidationFailed(
            _("未在%(provider)s查到该户号，请核对账单上的户号后重新输入") % {"provider": info.name},
            code="account_not_found",
            field="account_number",
        )
    if not names_match(person.name, check.holder_name):
        raise ValidationFailed(
            _("该户号登记的户主与您的实名信息不一致，不能绑定"),
            code="holder_mismatch",
            field="account_number",
        )
    now = timezone.now()
    try:
        with transaction.atomic(durable=True):
            sub = Subscription.objects.create(
                person=person,
                user=user,
                kind=info.kind,
                provider_code=info.code,
                account_number=number,
                account_bidx=bidx,
                account_tail=number[-4:],
                holder_name=check.holder_name[:64],
                bound_at=now,
                channels=chosen,
                remind_days_before=days,
                remind_overdue=remind_overdue,
                next_sync_at=now,
            )
            audit_record(
                actor=Actor.from_user(user),
                action=audit_events.SUBSCRIPTION_BIND,
                target=sub,
                changes={"provider": info.code, "kind": info.kind, "account_tail": number[-4:]},
            )
    except IntegrityError as exc:  # bound by someone else a moment ago
        raise Conflict(_("该户号刚刚已被绑定"), field="account_number") from exc
    return sub


def _own(user: User, subscription_id: int) -> Subscription:
    sub = Subscription.objects.filter(
        pk=subscription_id, user_id=user.pk, unbound_at__isnull=True
    ).first()
    if sub is None:
        raise NotFound(_("未找到该绑定账户"))
    return sub


def subscription_unbind(*, user: User, subscription_id: int) -> Subscription:
    """Stop following an account; its bills stay in the record but are shown no more."""
    with transaction.atomic(durable=True):
        sub = _own(user, subscription_id)
        sub.unbound_at = timezone.now()
        sub.next_sync_at = None
        sub.save(update_fields=["unbound_at", "next_sync_at"])
        audit_record(
            actor=Actor.from_user(user),
            action=audit_events.SUBSCRIPTION_UNBIND,
            target=sub,
            changes={"provider": sub.provider_code, "account_tail": sub.account_tail},
        )
    return sub


def subscription_notify_set(
    *,
    user: User,
    subscription_id: int,
    channels: Sequence[str],
    remind_days_before: int,
    remind_overdue: bool,
) -> Subscription:
    """How and when the resident is told about this account's bills."""
    chosen = _channels(channels)
    days = _days(remind_days_before)
    with transaction.atomic(durable=True):
        sub = _own(user, subscription_id)
        sub.channels = chosen
        sub.remind_days_before = days
        sub.remind_overdue = remind_overdue
        sub.save(update_fields=["channels", "remind_days_before", "remind_overdue"])
        audit_record(
            actor=Actor.from_user(user),
            action=audit_events.SUBSCRIPTION_NOTIFY_SET,
            target=sub,
            changes={"channels": chosen, "days": days, "overdue": remind_overdue},
        )
    return sub


# ---- sync -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncOutcome:
    status: str  # "ok" / "failed" / "skipped"
    new_bills: int = 0
    quarantined: int = 0
    error: str = ""


@dataclass
class RefreshResult:
    refreshed: int = 0
    unavailable: list[str] = field(default_factory=list)


def provider_may_call(*, provider_code: str, now: datetime.datetime | None = None) -> bool:
    """Whether the provider may be asked now: its circuit is closed and its backoff over, or
    its cool-off is over and this caller takes the one half-open trial."""
    now = now or timezone.now()
    state, _created = ProviderSyncState.objects.get_or_create(provider_code=provider_code)
    if state.circuit == Circuit.CLOSED:
        return state.next_try_at is None or state.next_try_at <= now
    cooled = Q(circuit=Circuit.OPEN, open_until__lte=now) | Q(
        circuit=Circuit.HALF_OPEN, last_attempt_at__lte=now - conf.circuit_cooloff()
    )
    claimed = ProviderSyncState.objects.filter(cooled, pk=state.pk).update(
        circuit=Circuit.HALF_OPEN, last_attempt_at=now
    )
    return claimed == 1


def _periods(sub: Subscription, today: datetime.date) -> list[str]:
    def back(n: int) -> str:
        year, month = today.year, today.month - n
        while month <= 0:
            year, month = year - 1, month + 12
        return f"{year}-{month:02d}"

    if sub.last_synced_at is None:
        return [back(n) for n in range(conf.months_back(), -1, -1)]
    recent = {back(n) for n in range(3)}
    unpaid = set(sub.bills.filter(paid=False).values_list("period", flat=True)[:12])
    return sorted(recent | unpaid)


def _record_failure(
    sub: Subscription, now: datetime.datetime, error: str, malformed: ProviderMalformed | None
) -> None:
    with transaction.atomic(durable=True):
        state = ProviderSyncState.objects.select_for_update().get(provider_code=sub.provider_code)
        if not provider_down(state):  # its outage now shows on every subscriber's page
            home_changed(everyone=True)
        state.consecutive_failures += 1
        state.last_attempt_at = now
        state.last_error = error[:255]
        if (
            state.circuit == Circuit.HALF_OPEN
            or state.consecutive_failures >= conf.circuit_threshold()
        ):
            state.circuit = Circuit.OPEN
            state.open_until = now + conf.circuit_cooloff()
            state.next_try_at = state.open_until
        else:
            state.next_try_at = now + conf.backoff(state.consecutive_failures)
        state.save()
        Subscription.objects.filter(pk=sub.pk).update(last_sync_failed=True)
        subscriptions_home_changed(subscription_ids=[sub.pk])
        if malformed is not None:
            Quarantine.objects.create(
                provider_code=sub.provider_code,
                subscription=sub,
                reason=malformed.reason[:255],
                payload_excerpt=malformed.excerpt,
            )
        audit_record(
            actor=Actor.system("bills"),
            action=audit_events.SUBSCRIPTION_SYNC_FAIL,
            target=sub,
            outcome=Outcome.FAILED,
            changes={
                "provider": sub.provider_code,
                "error": error[:120],
                "failures": state.consecutive_failures,
                "circuit": state.circuit,
            },
        )


def _store(
    sub: Subscription, batches: list[BillBatch], now: datetime.datetime
) -> tuple[list[int], int]:
    first_sync = sub.last_synced_at is None
    new_ids: list[int] = []
    quarantined = 0
    with transaction.atomic(durable=True):
        for batch in batches:
            for rejected in batch.rejected:
                logger.warning(
                    "bills: quarantined data from %s: %s", sub.provider_code, rejected.reason
                )
                Quarantine.objects.create(
                    provider_code=sub.provider_code,
                    subscription=sub,
                    reason=rejected.reason[:255],
                    payload_excerpt=rejected.excerpt,
                )
                quarantined += 1
            for record in batch.bills:
                bill, created = Bill.objects.update_or_create(
                    subscription=sub,
                    external_id=record.external_id,
                    defaults={
                        "period": record.period,
                        "amount": record.amount,
                        "currency": record.currency,
                        "due_on": record.due_on,
                        "paid": record.paid,
                        "usage": record.usage,
                        "usage_unit": record.usage_unit,
                        "fetched_at": now,
                    },
                )
                if created and not (first_sync and record.paid):
                    new_ids.append(bill.pk)
            if batch.outstanding_of is not None:
                listed = [record.external_id for record in batch.bills]
                sub.bills.filter(period=batch.outstanding_of, paid=False).exclude(
                    external_id__in=listed
                ).update(paid=True, fetched_at=now)
            for one in batch.contributions:
                Contribution.objects.update_or_create(
                    subscription=sub,
                    period=one.period,
                    defaults={
                        "base": one.base,
                        "personal_amount": one.personal_amount,
                        "employer_amount": one.employer_amount,
                        "employer_name": one.employer_name,
                        "paid": one.paid,
                        "fetched_at": now,
                    },
                )
        Subscription.objects.filter(pk=sub.pk).update(
            last_synced_at=now, next_sync_at=now + conf.sync_interval(), last_sync_failed=False
        )
        subscriptions_home_changed(subscription_ids=[sub.pk])
        states = ProviderSyncState.objects.filter(provider_code=sub.provider_code)
        if states.filter(~Q(circuit=Circuit.CLOSED) | Q(consecutive_failures__gt=0)).exists():
            home_changed(everyone=True)  # its outage is no longer on subscribers' pages
        states.update(
            last_success_at=now,
            last_attempt_at=now,
            consecutive_failures=0,
            circuit=Circuit.CLOSED,
            open_until=None,
            next_try_at=None,
            last_error="",
        )
        audit_record(
            actor=Actor.system("bills"),
            action=audit_events.SUBSCRIPTION_SYNC,
            target=sub,
            changes={
                "provider": sub.provider_code,
                "new_bills": len(new_ids),
                "quarantined": quarantined,
            },
        )
        transaction.on_commit(lambda: _announce(new_ids))
    return new_ids, quarantined


def _announce(bill_ids: list[int]) -> None:
    for bill in Bill.objects.filter(pk__in=bill_ids).select_related("subscription").order_by("pk"):
        bill_arrived.send(sender=BillSummary, bill=bill_summary(bill))


def subscription_sync(*, subscription_id: int, now: datetime.datetime | None = None) -> SyncOutcome:
    """Fetch the account's recent bills (a new binding: its history) from its provider, if
    the provider may be called now; store what passes the checks, quarantine the rest."""
    now = now or timezone.now()
    sub = Subscription.objects.filter(pk=subscription_id, unbound_at__isnull=True).first()
    if sub is None:
        return SyncOutcome(status="skipped")
    if not provider_may_call(provider_code=sub.provider_code, now=now):
        return SyncOutcome(status="skipped", error="provider unavailable")
    batches: list[BillBatch] = []
    try:
        adapter = conf.provider(sub.provider_code)
        for period in _periods(sub, timezone.localdate(now)):
            batches.append(adapter.fetch(account_number=sub.account_number, period=period))
    except ProviderMalformed as exc:
        logger.warning("bills: malformed answer from %s: %s", sub.provider_code, exc.reason)
        _record_failure(sub, now, exc.reason, exc)
        return SyncOutcome(status="failed", quarantined=1, error=exc.reason)
    except ProviderTimeout as exc:
        # A late answer is dropped unread and kept on record like a malformed one.
        logger.warning("bills: %s answered late: %s", sub.provider_code, exc)
        late = ProviderMalformed(f"应答超时：{exc}")
        _record_failure(sub, now, str(exc), late)
        return SyncOutcome(status="failed", quarantined=1, error=str(exc))
    except (ProviderError, LookupError) as exc:
        logger.warning("bills: sync from %s failed: %s", sub.provider_code, exc)
        _record_failure(sub, now, str(exc) or type(exc).__name__, None)
        return SyncOutcome(status="failed", error=str(exc))
    new_ids, quarantined = _store(sub, batches, now)
    return SyncOutcome(status="ok", new_bills=len(new_ids), quarantined=quarantined)


def bills_sync_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """The beat job: sync the bindings whose next sync is due, provider by provider gate.
    Returns how many were synced."""
    now = now or timezone.now()
    due = list(
        Subscription.objects.filter(unbound_at__isnull=True, next_sync_at__lte=now)
        .order_by("next_sync_at", "pk")
        .values_list("pk", "provider_code")[:limit]
    )
    blocked: set[str] = set()
    synced = 0
    for pk, code in due:
        if code in blocked:
            continue
        outcome = subscription_sync(subscription_id=pk, now=now)
        if outcome.status == "ok":
            synced += 1
        else:
            blocked.add(code)  # failing or gated: leave its other accounts for later
    return synced


def bills_refresh(*, user: User, now: datetime.datetime | None = None) -> RefreshResult:
    """The resident's 刷新: sync each of their accounts now (not more than once a minute
    each); a provider that cannot be reached is named in the result."""
    now = now or timezone.now()
    result = RefreshResult()
    for sub in Subscription.objects.filter(user_id=user.pk, unbound_at__isnull=True):
        recent = sub.last_synced_at and now - sub.last_synced_at < datetime.timedelta(
            seconds=REFRESH_MIN_SECONDS
        )
        if recent and not sub.last_sync_failed:
            result.refreshed += 1
            continue
        outcome = subscription_sync(subscription_id=sub.pk, now=now)
        if outcome.status == "ok":
            result.refreshed += 1
        else:
            name = conf.provider_name(sub.provider_code)
            if name not in result.unavailable:
                result.unavailable.append(name)
    return result


# ---- demo ---------------------------------------------------------------------------------

DEMO_KINDS = ("water", "electricity", "social_insurance")


def demo_account_number(*, person: Person, provider_code: str) -> str:
    """The deterministic demo account number of ``person`` at a fake provider."""
    digits = int(blind_index("bill-demo", f"{provider_code}:{person.pk}")[:12], 16)
    return f"{digits % 10**10:010d}"


def bills_demo_seed(
    *, people: Iterable[Person], kinds: Sequence[str] = DEMO_KINDS
) -> list[Subscription]:
    """For the demo city: open accounts at the fake providers of ``kinds`` (water,
    electricity, social insurance by default) in each person's name, bind them and fetch
    their bills at once. Idempotent: accounts already bound are kept."""
    fakes = {
        info.kind: info.code
        for info in reversed(list(conf.providers().values()))
        if info.adapter == "fake"
    }
    bound: list[Subscription] = []
    for person in people:
        if person.user_id is None or not person.name:
            continue
        for kind in kinds:
            code = fakes.get(kind)
            if code is None:
                continue
            number = demo_account_number(person=person, provider_code=code)
            fake_account_register(
                provider_code=code, account_number=number, holder_name=person.name
            )
            existing = Subscription.objects.filter(
                provider_code=code,
                account_bidx=account_index(code, number),
                unbound_at__isnull=True,
            ).first()
            if existing is None:
                assert person.user is not None
                existing = subscription_bind(
                    user=person.user,
                    provider_code=code,
                    account_number=number,
                    channels=["inapp", "sms"],
                )
            subscription_sync(subscription_id=existing.pk)
            bound.append(existing)
    return bound
