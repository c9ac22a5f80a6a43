from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from onewindow.audit.services import Actor, Outcome, audit_record, client_ip
from onewindow.core.access import OPERATOR, PUBLIC, access, allowed
from onewindow.core.crypto.digests import constant_time_equal
from onewindow.notify import audit_events
from onewindow.notify.providers import receipt_parser
from onewindow.notify.providers.base import ReceiptFormatError
from onewindow.notify.selectors import sms_outbox_recent
from onewindow.notify.services import sms_receipts_apply

RECEIPT_MAX_BYTES = 1024 * 1024


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


@csrf_exempt  # the vendor cannot send our CSRF token; the URL's secret stands in for it
@access(PUBLIC)
@require_POST
def sms_receipts(request: HttpRequest, provider: str, token: str) -> HttpResponse:
    """Delivery receipts pushed by the SMS vendor (Aliyun SmsReport, HTTP batch push). The
    vendor signs nothing, so the URL carries ``ONEWINDOW_SMS_RECEIPT_TOKEN``; a wrong token is
    refused and audited. Receipts are applied once each; the vendor pushes again whenever the
    answer's code is not 0 (a receipt that overtook our own send answer)."""
    parse = receipt_parser(provider)
    expected = str(settings.SMS_RECEIPT_TOKEN or "")
    if parse is None or not expected:
        raise Http404
    if not constant_time_equal(token, expected):
        with transaction.atomic():
            audit_record(
                actor=Actor(id=None, kind="system", label=f"sms:{provider}", ip=client_ip(request)),
                action=audit_events.SMS_RECEIPTS,
                target_type="notify.smsmessage",
                outcome=Outcome.DENIED,
                changes={"reason": "wrong receipt token"},
            )
        return JsonResponse({"code": 401, "msg": "unauthorised"}, status=401)
    if len(request.body) > RECEIPT_MAX_BYTES:
        return JsonResponse({"code": 413, "msg": "too large"}, status=413)
    try:
        receipts = parse(request.body)
    except ReceiptFormatError as exc:
        return JsonResponse({"code": 400, "msg": str(exc)}, status=400)
    outcome = sms_receipts_apply(provider=provider, receipts=receipts)
    if outcome.early:
        return JsonResponse({"code": 1, "msg": "部分短信仍在发送中，请稍后重推"})
    return JsonResponse({"code": 0, "msg": "接收成功"})
