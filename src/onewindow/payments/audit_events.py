"""The audit trail's event types that payments writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

CALLBACK_APPLY = "payments.callback.apply"
CALLBACK_IGNORE = "payments.callback.ignore"
CALLBACK_REFUSE = "payments.callback.refuse"
MISMATCH_CONFIRM_PAID = "payments.mismatch.confirm_paid"
MISMATCH_REFUND = "payments.mismatch.refund"
MISMATCH_RESOLVE = "payments.mismatch.resolve"
ORDER_CREATE = "payments.order.create"
ORDER_START = "payments.order.start"
RECONCILE_RUN = "payments.reconcile.run"
REFUND_CREATE = "payments.refund.create"
STATEMENT_APPLY = "payments.statement.apply"
STATEMENT_IGNORE = "payments.statement.ignore"
