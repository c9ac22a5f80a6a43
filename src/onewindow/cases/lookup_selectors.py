"""Reads about a case that the apps doing work for it ask by id or number (payments,
delivery): re-exported by ``cases.selectors``."""

from __future__ import annotations

from collections.abc import Iterable

from onewindow.cases.models import Case

# The service task's action that waits until the case's fee is paid (``payments.await``).
PAYMENT_WAIT_ACTION = "payments.await"
OPEN_STATUSES = (  # as Case.is_open
    Case.Status.SUBMITTED,
    Case.Status.CONSENT,
    Case.Status.IN_PROGRESS,
    Case.Status.SUPPLEMENT,
)


def case_id_for_number(*, number: str) -> int | None:
    """The id of the case numbered ``number`` (办件编号), or None."""
    if not number:
        return None
    return Case.objects.filter(number=number).values_list("pk", flat=True).first()


def cases_awaiting_payment(*, case_ids: Iterable[int]) -> set[int]:
    """Of these cases, the open ones whose process waits at a payment step: a service task
    of action ``payments.await`` that found the fee unpaid when it last ran (the run still
    records it as not done). Read from the stored run, without restoring it."""
    from onewindow.catalog.versions import service_version_cached

    ids = sorted(set(case_ids))
    if not ids:
        return set()
    rows = Case.objects.filter(pk__in=ids, status__in=OPEN_STATUSES).values_list(
        "pk", "service_version_id", "process_state"
    )
    waiting: set[int] = set()
    for case_id, version_id, state in rows:
        failed = ((state or {}).get("run") or {}).get("errors") or {}
        if not failed:
            continue
        spec = service_version_cached(version_id).process_spec or {}
        tasks = spec.get("service_tasks") or {}
        actions = {(tasks.get(element) or {}).get("action") for element in failed}
        if PAYMENT_WAIT_ACTION in actions:
            waiting.add(case_id)
    return waiting


def case_awaits_payment(*, case_id: int) -> bool:
    """Whether the case is open and its process waits for its fee to be paid."""
    return case_id in cases_awaiting_payment(case_ids=[case_id])
