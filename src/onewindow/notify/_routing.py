"""Which provider a send goes to: the providers' priority held in the database, with
failover that happens by itself (GOV.UK Notify's habit). Every send the base client times
is counted (:class:`ProviderAttempt`); a check every minute reads the recent window of each
provider and moves one that answers slowly or fails too often to the back, for a cool-off;
after it, the provider is tried again in its place and stays there while it answers well
(it drifts back), or is moved back again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from onewindow.notify.providers import default_provider


@dataclass(frozen=True)
class FailoverPolicy:
    window_seconds: int = 300
    min_attempts: int = 5
    error_rate: float = 0.25
    slow_ms: int = 5000
    cool_off_seconds: int = 600
    keep_seconds: int = 3600


def policy() -> FailoverPolicy:
    return FailoverPolicy(**dict(getattr(settings, "NOTIFY_FAILOVER", {}) or {}))


def providers_in_order(channel: str, *, now: datetime | None = None) -> list[str]:
    """The channel's active providers, healthy ones first, each group by priority; the
    settings' provider when the database names none."""
    from onewindow.notify.models import ProviderDetail

    current = now or timezone.now()
    rows = list(
        ProviderDetail.objects.filter(channel=channel, active=True).values_list(
            "name", "priority", "degraded_until"
        )
    )
    if not rows:
        return [default_provider(channel)]
    rows.sort(key=lambda r: (r[2] is not None and r[2] > current, r[1], r[0]))
    return [name for name, _priority, _until in rows]


def provider_for(channel: str, attempt: int) -> str:
    """The provider for the ``attempt``-th try (1-based): a retry moves to the next one."""
    names = providers_in_order(channel)
    return names[(max(1, attempt) - 1) % len(names)]


def attempt_record(*, channel: str, provider: str, ok: bool, elapsed_ms: int) -> None:
    """Count one send for failover (``ok``: the vendor answered, whatever it said about
    the message; False: unreachable, garbage or a retryable error)."""
    from onewindow.notify.models import ProviderAttempt

    ProviderAttempt.objects.create(
        channel=channel, provider=provider, ok=ok, elapsed_ms=max(0, elapsed_ms)
    )


@dataclass(frozen=True)
class Health:
    channel: str
    provider: str
    attempts: int
    failures: int
    p90_ms: int

    @property
    def error_rate(self) -> float:
        return self.failures / self.attempts if self.attempts else 0.0


def health(channel: str, provider: str, *, now: datetime, since: datetime | None = None) -> Health:
    from onewindow.notify.models import ProviderAttempt

    rules = policy()
    start = now - timedelta(seconds=rules.window_seconds)
    if since is not None and since > start:
        start = since
    rows = list(
        ProviderAttempt.objects.filter(
            channel=channel, provider=provider, at__gte=start, at__lte=now
        ).values_list("ok", "elapsed_ms")
    )
    times = sorted(ms for _ok, ms in rows)
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))] if times else 0
    return Health(
        channel=channel,
        provider=provider,
        attempts=len(rows),
        failures=sum(1 for ok, _ms in rows if not ok),
        p90_ms=p90,
    )


@dataclass(frozen=True)
class Change:
    channel: str
    provider: str
    what: str  # "degraded" or "restored"
    why: str


def providers_check(*, now: datetime | None = None) -> list[Change]:
    """Move providers that got slow or started failing to the back; bring back those whose
    cool-off is over and whose window since is healthy. Returns what changed (no audit
    row: the caller's use case writes it)."""
    from onewindow.notify.models import ProviderAttempt, ProviderDetail

    current = now or timezone.now()
    rules = policy()
    changes: list[Change] = []
    for row in ProviderDetail.objects.filter(active=True):
        if row.degraded_until is not None and row.degraded_until > current:
            continue
        since = row.degraded_until  # after a cool-off only what came since counts
        seen = health(row.channel, row.name, now=current, since=since)
        bad = seen.attempts >= rules.min_attempts and (
            seen.error_rate > rules.error_rate or seen.p90_ms > rules.slow_ms
        )
        if bad:
            why = (
                f"error rate {seen.error_rate:.0%} of {seen.attempts}"
                if seen.error_rate > rules.error_rate
                else f"p90 {seen.p90_ms} ms of {seen.attempts}"
            )
            until = current + timedelta(seconds=rules.cool_off_seconds)
            ProviderDetail.objects.filter(pk=row.pk).update(
                degraded_until=until, degraded_reason=why[:200]
            )
            changes.append(Change(row.channel, row.name, "degraded", why))
        elif row.degraded_until is not None:
            ProviderDetail.objects.filter(pk=row.pk).update(degraded_until=None, degraded_reason="")
            changes.append(Change(row.channel, row.name, "restored", "healthy after cool-off"))
    ProviderAttempt.objects.filter(
        Q(at__lt=current - timedelta(seconds=rules.keep_seconds))
    ).delete()
    return changes
