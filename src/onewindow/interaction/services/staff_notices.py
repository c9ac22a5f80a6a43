"""What the hotline tells department staff: an order chased (催办) or escalated (超时升级) is
told to its lead department's order handlers (a role granting ``interaction.handle_requests``
in that department), in the message centre and on any channel they turned on, after the move
has committed, with a link to the order in their inbox. Each is keyed by the order and the
move, so a sweep run twice tells nobody twice."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction
from django.urls import reverse

from onewindow.identity.selectors import staff_user_ids_in_departments
from onewindow.interaction.models import Request
from onewindow.interaction.services._loop import HANDLE, KIND

log = logging.getLogger(__name__)


def handlers_tell(
    request: Request, *, template: str, params: Mapping[str, object], move: str
) -> None:
    """After commit, tell the handlers of the order's lead department (none: nobody)."""
    department_id, number, title = request.department_id, request.number, request.title
    if department_id is None:
        return

    def send() -> None:
        from onewindow.notify.services import Recipient, notify_tell

        link = reverse("interaction:inbox_detail", args=[number])
        for user_id in staff_user_ids_in_departments(
            department_ids=[department_id], permission=HANDLE
        ):
            try:
                notify_tell(
                    recipient=Recipient(user_id=user_id),
                    template=template,
                    params={**params, "number": number, "title": title},
                    kind=KIND,
                    source_key=f"interaction:{number}:{move}",
                    link=link,
                )
            except Exception:  # one handler's message must not stop the others'
                log.exception("telling handler %s of %s (%s) failed", user_id, number, move)

    transaction.on_commit(send)
