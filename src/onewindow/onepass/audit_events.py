"""The audit trail's event types that onepass writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

CARD_BIND = "onepass.card.bind"
CARD_BIND_REFUSE = "onepass.card.bind_refuse"
CARD_OPEN = "onepass.card.open"
CARD_SYNC = "onepass.card.sync"
LOAN_RENEW = "onepass.loan.renew"
HOLD_PLACE = "onepass.hold.place"
LOAN_REMIND = "onepass.loan.remind"
VOLUNTEER_REGISTER = "onepass.volunteer.register"
ACTIVITY_JOIN = "onepass.activity.join"
HOURS_SYNC = "onepass.hours.sync"
