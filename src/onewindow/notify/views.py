from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.audit.services import Actor, Outcome, audit_record, client_ip
from onewindow.core.access import OPERATOR, PUBLIC, access, allowed
from onewindow.core.crypto.digests import constant_time_equal
from onewindow.notify import audit_events
from onewindow.notify.providers import receipt_parser
from onewindow.notify.providers.base import ReceiptFormatError
from onewindow.notify.selectors import sms_outbox_recent
from onewindow.notify.services import delivery_receipts_apply, sms_receipts_apply

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
    """Delivery receipts pushed by the SMS vendor (Aliyun SmsReport, HTTP batch push;
    Tencent's status callback). The
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
    if provider == "tencent":  # the vendor's own acknowledgement
        if outcome.early:
            return JsonResponse({"result": 1, "errmsg": "some messages are still being sent"})
        return JsonResponse({"result": 0, "errmsg": "OK"})
    if outcome.early:
        return JsonResponse({"code": 1, "msg": "部分短信仍在发送中，请稍后重推"})
    return JsonResponse({"code": 0, "msg": "接收成功"})


@csrf_exempt  # WeChat cannot send our CSRF token; its signature over our token stands in
@access(PUBLIC)
def wechat_events(request: HttpRequest) -> HttpResponse:
    """The official account's server URL. WeChat signs each call with the account's token
    (``signature`` = sha1 of the sorted token, timestamp and nonce): GET is its check of the
    URL (answered with ``echostr``), POST an event; a ``TEMPLATESENDJOBFINISH`` event is the
    delivery receipt of a template message. Answered ``success`` (WeChat's
    acknowledgement) so it does not push the event again."""
    from onewindow.notify.providers.wechat import EVENT_MAX_BYTES, parse_event, signature_valid

    token = str(settings.NOTIFY_WECHAT_TOKEN or "")
    if not token:
        raise Http404
    query = request.GET
    if not signature_valid(
        token,
        str(query.get("timestamp", "")),
        str(query.get("nonce", "")),
        str(query.get("signature", "")),
    ):
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    if request.method == "GET":
        return HttpResponse(str(query.get("echostr", ""))[:100], content_type="text/plain")
    if request.method != "POST":
        return HttpResponse(status=405)
    if len(request.body) > EVENT_MAX_BYTES:
        return HttpResponse("too large", status=413, content_type="text/plain")
    try:
        receipt = parse_event(request.body)
    except ReceiptFormatError:
        return HttpResponse("bad event", status=400, content_type="text/plain")
    if receipt is not None:
        delivery_receipts_apply(
            channel="wechat", provider=settings.NOTIFY_WECHAT_PROVIDER, receipts=[receipt]
        )
    return HttpResponse("success", content_type="text/plain")


@access(OPERATOR)
@require_http_methods(["GET", "POST"])
def message_log(request: HttpRequest) -> HttpResponse:
    """The operators' message log: every SMS, email and WeChat message, masked, found by a
    phone number or email address (posted), template, channel or status."""
    from onewindow.notify.selectors import (
        CHANNEL_LABELS,
        DELIVERY_STATUS_LABELS,
        providers_status,
    )
    from onewindow.notify.selectors import (
        message_log as log_entries,
    )

    # Posted, not in the URL: a phone number or email address must not land in access logs
    # or the browser's history.
    source = request.POST if request.method == "POST" else request.GET
    query = {
        key: str(source.get(key, "")).strip()[:100]
        for key in ("address", "template", "channel", "status")
    }
    if request.method != "POST":
        query["address"] = ""
    if query["channel"] not in CHANNEL_LABELS:
        query["channel"] = ""
    if query["status"] not in DELIVERY_STATUS_LABELS:
        query["status"] = ""
    entries = log_entries(
        address=query["address"],
        template=query["template"],
        channel=query["channel"],
        status=query["status"],
    )
    response = render(
        request,
        "notify/message_log.html",
        {
            "entries": entries,
            "query": query,
            "channels": [(k, _(v)) for k, v in CHANNEL_LABELS.items()],
            "statuses": [(k, _(v)) for k, v in DELIVERY_STATUS_LABELS.items()],
            "providers": providers_status(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response
