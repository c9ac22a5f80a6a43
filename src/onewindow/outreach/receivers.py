"""What other apps tell, turned into push events (connected in ``OutreachConfig.ready``).
Each receiver hands the event to a worker after the sender's transaction commits and never
raises into the sender."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction

from onewindow.outreach import rules

if TYPE_CHECKING:
    from onewindow.bills.selectors import BillSummary

log = logging.getLogger(__name__)

# cases.signals' kinds → the trigger a rule names
CASE_TRIGGERS = {
    "submitted": rules.CASE_STATUS_CHANGED,
    "task_approved": rules.CASE_STATUS_CHANGED,
    "task_rejected": rules.CASE_STATUS_CHANGED,
    "concluded": rules.CASE_STATUS_CHANGED,
    "supplement_requested": rules.CASE_SUPPLEMENT_REQUESTED,
    "payment_due": rules.PAYMENT_DUE,
}


def case_message_key(news: Any) -> str:
    """The ``source_key`` of the case's own message about this news (as
    ``cases.notifications.news_key`` composes it), so a push about it is that message and
    nobody is told twice."""
    from onewindow.notify.services import outcome_key

    if news.kind == "concluded":
        return outcome_key(news.case_id)
    if news.event_id:
        return f"case-news:{news.event_id}"
    return f"case-news:{news.case_id}:{news.kind}:{news.task_id or ''}"


def _raise(
    trigger: str,
    person_id: int,
    object_key: str,
    facts: dict[str, Any],
    *,
    channels: tuple[str, ...] | None = None,
) -> None:
    from onewindow.outreach.services import outreach_event_raise

    outreach_event_raise(
        trigger=trigger,
        person_id=person_id,
        object_key=object_key,
        facts=facts,
        channels=channels,
    )


def on_case_news(sender: Any, news: Any, **kwargs: Any) -> None:
    trigger = CASE_TRIGGERS.get(news.kind)
    if trigger is None:
        return
    try:
        person_id = news.applicant_person_id
        if not person_id and news.applicant_user_id:
            from onewindow.identity.selectors import person_for_user_id

            person = person_for_user_id(user_id=news.applicant_user_id)
            person_id = person.pk if person is not None else None
        if not person_id:
            return
        key = case_message_key(news)
        facts: dict[str, Any] = {
            "service_name": news.service_name,
            "case_number": news.case_number,
            "news_kind": news.kind,
            "message": news.message,
            "case_message_key": key,
        }
        if trigger == rules.CASE_SUPPLEMENT_REQUESTED:
            facts["supplement_reason"] = str(news.data.get("comment") or news.message)
        if trigger == rules.PAYMENT_DUE:
            facts["amount"] = str(news.data.get("amount") or "")
        _raise(trigger, int(person_id), key, facts)
    except Exception:
        log.exception("outreach: case news %s of case %s not evaluated", news.kind, news.case_id)


def on_licence_issued(sender: Any, licence: Any, **kwargs: Any) -> None:
    if not licence.holder_person_id:
        return
    from onewindow.licences.selectors import licence_type_name

    facts = {
        "licence_number": licence.number,
        "licence_type": licence_type_name(code=licence.licence_type),
    }
    object_key = f"licence:{licence.number}"
    person_id = int(licence.holder_person_id)
    transaction.on_commit(lambda: _raise(rules.LICENCE_ISSUED, person_id, object_key, facts))


def on_bill_arrived(sender: Any, bill: BillSummary, **kwargs: Any) -> None:
    """A new bill (``bills.signals.bill_arrived``, after the bills app's commit): the bill
    rules are judged on it at once (the daily sweep would find it too; the push's key is the
    same, so the resident is told once)."""
    try:
        if bill.paid or bill.due_on is None:
            return
        from django.utils import timezone

        from onewindow.outreach.facts import bill_channels, bill_facts, bill_object

        facts = bill_facts(bill, timezone.localdate())
        trigger = rules.BILL_OVERDUE if int(facts["bill_days_left"]) < 0 else rules.BILL_DUE
        person_id, object_key, channels = bill.person_id, bill_object(bill), bill_channels(bill)
        transaction.on_commit(
            lambda: _raise(trigger, person_id, object_key, facts, channels=channels)
        )
    except Exception:
        log.exception("outreach: a bill that arrived was not evaluated")


def connect() -> None:
    from onewindow.bills.signals import bill_arrived
    from onewindow.cases.signals import case_news
    from onewindow.licences.signals import licence_issued

    case_news.connect(on_case_news, dispatch_uid="outreach.case_news")
    licence_issued.connect(on_licence_issued, dispatch_uid="outreach.licence_issued")
    bill_arrived.connect(on_bill_arrived, dispatch_uid="outreach.bill_arrived")
