from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.core.access import OPERATOR, PUBLIC, access, allowed
from onewindow.notify.selectors import sms_outbox_recent


@access(PUBLIC)
def sms_outbox(request: HttpRequest) -> HttpResponse:
    """The fake gateway's outbox, so a demo user can read the code "sent" to their phone.
    Declared PUBLIC; it exists only with the fake provider and, outside demo mode, only for
    platform operators."""
    if settings.SMS_PROVIDER != "fake":
        raise Http404
    if not (settings.DEMO or allowed(request, OPERATOR)):
        raise Http404
    response = render(request, "notify/sms_outbox.html", {"messages_": sms_outbox_recent()})
    response["Cache-Control"] = "no-store"
    return response
