"""Which provider a send goes to (step 3 fills in the database priority and failover)."""

from __future__ import annotations

from onewindow.notify.providers import default_provider


def providers_in_order(channel: str) -> list[str]:
    return [default_provider(channel)]


def provider_for(channel: str, attempt: int) -> str:
    """The provider for the ``attempt``-th try (1-based): a retry moves to the next one."""
    names = providers_in_order(channel)
    return names[(max(1, attempt) - 1) % len(names)]


def attempt_record(*, channel: str, provider: str, ok: bool, elapsed_ms: int) -> None:
    """Counted for failover (step 3)."""
