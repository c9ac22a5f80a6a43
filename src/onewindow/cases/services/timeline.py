"""Timeline entries other apps add while they do work for a case inside the case's own
transaction, and the entries the cases app writes from other apps' signals (the data
exchange's look-ups during an engine step: ``exchange.signals.case_lookup_done``; the
appointment office's check-ins and no-shows: ``appointments.signals.booking_marked``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.appointments.signals import ATTENDED, BookingMark
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.services._common import _attach_version
from onewindow.cases.signals import NEWS_KINDS, publish
from onewindow.exchange.signals import CaseLookup

# Kinds other apps may write; the case services own every other kind.
SYSTEM_KINDS = frozenset(
    {
        "data_lookup",
        "appointment_checked_in",
        "appointment_no_show",
        # courier delivery: failed delivery, return, re-shipment, window pickup, pickup
        # booking of paper originals, corrected address
        "delivery_failed",
        "delivery_returned",
        "delivery_reshipped",
        "delivery_counter",
        "delivery_pickup",
        "delivery_address",
        # a fee order was created: the applicant is told what to pay (cases.signals)
        "payment_due",
    }
)


def case_timeline_note(
    *,
    case_id: int,
    kind: str,
    message: str,
    data: dict[str, Any] | None = None,
    public: bool = True,
) -> CaseEvent | None:
    """Add a system entry to a case's timeline. Runs inside the caller's transaction (the
    use case that did the work audits it); None when the case does not exist."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_timeline_note must run inside transaction.atomic")
    if kind not in SYSTEM_KINDS:
        raise ValueError(f"unknown system timeline kind {kind!r}")
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return None
    row = CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        kind=kind,
        actor_label=_("系统"),
        message=message[:1000],
        data=data or {},
        public=public,
    )
    if kind in NEWS_KINDS:
        _attach_version(case)
        publish(case, [row])
    return row


def lookup_noted(sender: Any, lookup: CaseLookup, **kwargs: Any) -> None:
    """``exchange.signals.case_lookup_done``: the timeline says what was looked up and from
    whom — never the values. Runs in the look-up's transaction."""
    what = lookup.resource_name
    if lookup.department_name:
        what = f"{lookup.resource_name}（{lookup.department_name}）"
    if lookup.found:
        message = _("已通过数据共享调取：%(what)s，调用记录 %(reference)s") % {
            "what": what,
            "reference": lookup.reference,
        }
    elif lookup.key:
        message = _(
            "已通过数据共享查询%(what)s，未查到编号为 %(key)s 的记录：申请人填写的编号"
            "与部门登记的不符，不能作为已核验的材料，请核对"
        ) % {"what": what, "key": lookup.key}
    else:
        message = _("已通过数据共享查询%(what)s，未查到记录") % {"what": what}
    data: dict[str, Any] = {
        "resource": lookup.resource_code,
        "found": lookup.found,
        "reference": lookup.reference,
        "step": lookup.step,
    }
    if lookup.key:
        data["key"] = lookup.key
    case_timeline_note(case_id=lookup.case_id, kind="data_lookup", message=message, data=data)


def booking_noted(sender: Any, mark: BookingMark, **kwargs: Any) -> None:
    """``appointments.signals.booking_marked``: the timeline says who came to the counter (or
    that nobody did). Runs in the mark's transaction."""
    local = timezone.localtime(mark.starts_at)
    values = {
        "place": mark.place,
        "time": f"{local:%Y-%m-%d %H:%M}",
        "who": "、".join(mark.arrived),
    }
    if mark.outcome == ATTENDED and not mark.everybody:
        kind = "appointment_checked_in"
        message = _("%(who)s已到场签到，等待其他相关人到场：%(place)s，%(time)s")
    elif mark.outcome == ATTENDED and mark.earlier:
        kind = "appointment_checked_in"
        message = _("%(who)s已到场签到，相关人均已到场：%(place)s，%(time)s")
    elif mark.outcome == ATTENDED:
        kind, message = "appointment_checked_in", _("已按预约到场签到：%(place)s，%(time)s")
    else:
        kind, message = "appointment_no_show", _("预约时段未到场：%(place)s，%(time)s")
    case_timeline_note(
        case_id=mark.case_id,
        kind=kind,
        message=message % values,
        data={"booking": mark.booking_id},
    )
