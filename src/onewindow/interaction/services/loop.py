"""The closed loop of an order (受理 → 派单 → 签收 → 答复 → 回访 → 办结, with 退单, 转办,
派单异议, 延期, 督办, 催办, 并单 and 重新办理): each move is one use case, keyword-only, in
one durable transaction that locks the request first, adds a timeline row (``Move``) and
writes one audit row last; the resident is told after commit (notify). Split by who moves:
``loop_dispatch`` (the hotline office), ``loop_handle`` (departments), ``loop_close``
(extensions, return visit, conclusion, re-opening, supervision), ``loop_timers`` (beat)."""

from onewindow.interaction.services._loop import DISPATCH, HANDLE, SUPERVISE, NotYourOrder
from onewindow.interaction.services.loop_close import (
    NotDispatcher,
    request_conclude,
    request_extension_ask,
    request_extension_decide,
    request_reopen,
    request_supervise,
    request_visit,
)
from onewindow.interaction.services.loop_dispatch import (
    DispatchSuggestion,
    dispatch_suggest,
    request_dispatch,
    request_dispatch_auto,
    request_merge,
    request_objection_decide,
)
from onewindow.interaction.services.loop_handle import (
    request_answer,
    request_object,
    request_return,
    request_sign,
    request_transfer,
)
from onewindow.interaction.services.loop_timers import (
    request_chase,
    request_escalate,
    requests_chase_sweep,
    requests_visit_invite,
)

__all__ = [
    "DISPATCH",
    "HANDLE",
    "SUPERVISE",
    "DispatchSuggestion",
    "NotDispatcher",
    "NotYourOrder",
    "dispatch_suggest",
    "request_answer",
    "request_chase",
    "request_conclude",
    "request_dispatch",
    "request_dispatch_auto",
    "request_escalate",
    "request_extension_ask",
    "request_extension_decide",
    "request_merge",
    "request_object",
    "request_objection_decide",
    "request_reopen",
    "request_return",
    "request_sign",
    "request_supervise",
    "request_transfer",
    "request_visit",
    "requests_chase_sweep",
    "requests_visit_invite",
]
