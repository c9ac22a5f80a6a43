"""What the citizen page tells a person that no case message covers: a fee received (缴费
成功), a licence issued to them (电子证照已签发) and one revoked (电子证照已撤销). Connected in
``PortalConfig.ready`` to the payments and licences apps' signals; each message goes to the
message centre and by SMS through ``notify.services.notify_tell``, keyed by what it is about
so that news delivered twice tells nobody twice. Runs in the sender's transaction and writes
no audit row (the sender's use case does)."""

from __future__ import annotations

import logging
from typing import Any

from django.urls import reverse

from onewindow.notify.services import CHANNEL_INAPP, Recipient, notify_tell

log = logging.getLogger(__name__)

KIND_PAYMENT_RECEIVED = "payment_received"
KIND_LICENCE_ISSUED = "licence_issued"
KIND_LICENCE_REVOKED = "licence_revoked"


def _person_recipient(person_id: int | None) -> Recipient | None:
    from onewindow.identity.selectors import person_get

    person = person_get(pk=person_id) if person_id else None
    if person is None or person.user_id is None:
        return None
    return Recipient(user_id=person.user_id, phone=str(person.phone or ""))


def _user_recipient(user_id: int) -> Recipient:
    from onewindow.identity.selectors import person_for_user_id

    person = person_for_user_id(user_id=user_id)
    return Recipient(user_id=user_id, phone=str(person.phone or "") if person else "")


def on_payment_received(sender: Any, payment: Any, **kwargs: Any) -> None:
    notify_tell(
        recipient=_user_recipient(payment.applicant_user_id),
        template="payment_received",
        params={
            "subject": payment.subject,
            "amount": payment.amount_yuan,
            "number": payment.case_number,
        },
        kind=KIND_PAYMENT_RECEIVED,
        source_key=f"payment:{payment.out_trade_no}:paid",
        channels={CHANNEL_INAPP},  # the payer saw the gateway's own confirmation
        link=reverse("payments:receipt", kwargs={"out_trade_no": payment.out_trade_no}),
    )


def _licence_name(code: str) -> str:
    from onewindow.licences.selectors import licence_type_name

    return licence_type_name(code=code)


def on_licence_issued(sender: Any, licence: Any, **kwargs: Any) -> None:
    recipient = _person_recipient(licence.holder_person_id)
    if recipient is None:  # a company's licence: its case's messages tell its agent
        return
    notify_tell(
        recipient=recipient,
        template="licence_issued",
        params={"licence": _licence_name(licence.licence_type), "tail": licence.number[-4:]},
        kind=KIND_LICENCE_ISSUED,
        source_key=f"licence:{licence.id}:issued",
        link=reverse("licences:wallet") + f"#licence-{licence.number}",
    )


def on_licence_revoked(sender: Any, licence: Any, **kwargs: Any) -> None:
    recipient = _person_recipient(licence.holder_person_id)
    if recipient is None:
        return
    reason = licence.reason or "详见证照详情"
    notify_tell(
        recipient=recipient,
        template="licence_revoked",
        params={
            "licence": _licence_name(licence.licence_type),
            "tail": licence.number[-4:],
            "reason": reason,
        },
        kind=KIND_LICENCE_REVOKED,
        source_key=f"licence:{licence.id}:revoked",
        link=reverse("licences:wallet") + f"#licence-{licence.number}",
    )
