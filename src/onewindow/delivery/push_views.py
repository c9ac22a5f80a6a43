"""The courier's route push endpoint (``/delivery/push/<carrier>/``): public, because the
courier has no account — every push must carry the courier's signature instead."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from onewindow.audit.services import client_ip
from onewindow.core.access import PUBLIC, access
from onewindow.delivery.services import push_receive

MAX_PUSH_BYTES = 64 * 1024


@csrf_exempt
@require_POST
@access(PUBLIC)
def courier_push(request: HttpRequest, carrier: str) -> JsonResponse:
    """Verify and store the push, then answer at once (``0000`` also for a repeat); applying
    it to the shipments is a worker's job after commit."""
    if len(request.body) > MAX_PUSH_BYTES:
        return JsonResponse({"return_code": "1000", "return_msg": "报文过大"}, status=413)
    result = push_receive(carrier=carrier[:32], params=request.POST.dict(), ip=client_ip(request))
    if result.accepted:
        return JsonResponse({"return_code": "0000", "return_msg": "成功"})
    return JsonResponse({"return_code": "1000", "return_msg": "验签失败"}, status=401)
