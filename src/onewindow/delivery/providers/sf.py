"""SF Express (顺丰速运) through its open platform (丰桥, ``https://bspgw.sf-express.com/std/service``;
sandbox ``https://sfapi-sbox.sf-express.com/std/service``).

Every call is one form POST: ``partnerID`` (顾客编码), ``requestID`` (a UUID), ``serviceCode``,
``timestamp`` (milliseconds), ``msgData`` (the JSON message) and ``msgDigest`` =
Base64(MD5(URLEncoder.encode(msgData + timestamp + checkWord, "UTF-8"))). The answer is an
envelope ``{"apiResultCode": "A1000", "apiErrorMsg", "apiResponseID", "apiResultData"}``
whose ``apiResultData`` is itself JSON: ``{"success", "errorCode", "errorMsg", "msgData"}``.
``A1000`` only means the platform accepted the call; the business result is in
``apiResultData``.

Services used: EXP_RECE_CREATE_ORDER (下订单; ``isDocall=1`` and ``sendStartTm`` book a
courier to come and collect), EXP_RECE_SEARCH_ORDER_RESP (订单结果查询: after a timeout or
8016 重复下单, the waybill of the order already placed), EXP_RECE_SEARCH_ROUTES (路由查询, by
our order id) and EXP_RECE_UPDATE_ORDER with ``dealType=2`` (订单确认/取消: cancel).

Route pushes (路由推送) reach ``/delivery/push/sf/`` signed the same way (the same six form
fields, ``msgData`` = ``{"Body": {"WaybillRoute": [...]}}``) and are answered
``{"return_code": "0000", "return_msg": "成功"}``."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from onewindow.core.crypto.digests import constant_time_equal
from onewindow.core.numbers import is_ascii_number, parse_int
from onewindow.delivery.providers.base import (
    CourierError,
    Party,
    PushedRoute,
    PushReceipt,
    ShipmentRequest,
    SignatureInvalid,
    TrackingUpdate,
    TrackRef,
)

CREATE_ORDER = "EXP_RECE_CREATE_ORDER"
SEARCH_ORDER = "EXP_RECE_SEARCH_ORDER_RESP"
SEARCH_ROUTES = "EXP_RECE_SEARCH_ROUTES"
UPDATE_ORDER = "EXP_RECE_UPDATE_ORDER"
ROUTE_PUSH = "RoutePushService"
PRODUCTION_URL = "https://bspgw.sf-express.com/std/service"
SANDBOX_URL = "https://sfapi-sbox.sf-express.com/std/service"

BEIJING = ZoneInfo("Asia/Shanghai")
DUPLICATE_ORDER = "8016"  # 重复下单
ALREADY_CANCELLED = "8037"  # 订单已消单
RETRYABLE = {"A1005", "A1009", "A1099"}  # rate limit, downstream unreachable, system error
PUSH_MAX_AGE = datetime.timedelta(hours=24)

# Route opCodes we act on; any other code is recorded as 运输中 with its remark.
OPCODES: dict[str, str] = {
    "50": "collected",  # 顺丰已收取快件
    "54": "collected",  # 上门收件
    "30": "in_transit",  # 快件在中转场装车/分拣
    "31": "in_transit",  # 快件到达中转场
    "36": "in_transit",  # 快件离开中转场
    "105": "in_transit",
    "106": "in_transit",
    "123": "in_transit",
    "130": "in_transit",  # 已到达目的地网点
    "607": "in_transit",
    "44": "out_for_delivery",  # 正在派送途中
    "204": "out_for_delivery",
    "80": "delivered",  # 已签收
    "8000": "delivered",
    "70": "failed",  # 派送不成功
    "33": "failed",  # 派件异常
    "99": "returned",  # 快件退回
    "631": "returned",
    "648": "returned",
}


def java_urlencode(text: str) -> str:
    """``java.net.URLEncoder.encode(text, "UTF-8")``: spaces as ``+``; ``*`` kept; ``~``
    escaped (Python's ``quote_plus`` differs on those two)."""
    return urllib.parse.quote_plus(text, safe="*").replace("~", "%7E")


def msg_digest(msg_data: str, timestamp: str, check_word: str) -> str:
    text = java_urlencode(msg_data + timestamp + check_word)
    # MD5 is the vendor's documented scheme, not our choice.
    digest = hashlib.md5(text.encode("utf-8")).digest()  # noqa: S324
    return base64.b64encode(digest).decode()


def digest_matches(params: Mapping[str, str], check_word: str) -> bool:
    expected = msg_digest(
        str(params.get("msgData", "")), str(params.get("timestamp", "")), check_word
    )
    return constant_time_equal(expected, str(params.get("msgDigest", "")))


def signed_form(
    *, partner_id: str, check_word: str, service_code: str, msg_data: str, now_ms: int
) -> dict[str, str]:
    timestamp = str(now_ms)
    return {
        "partnerID": partner_id,
        "requestID": str(uuid.uuid4()),
        "serviceCode": service_code,
        "timestamp": timestamp,
        "msgData": msg_data,
        "msgDigest": msg_digest(msg_data, timestamp, check_word),
    }


def beijing_time(value: datetime.datetime) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def parse_time(value: str) -> datetime.datetime:
    return datetime.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)


def route_update(route: Mapping[str, Any]) -> TrackingUpdate:
    """A route node (from a query or a push) as a tracking update."""
    op = str(route.get("opCode") or "")
    return TrackingUpdate(
        at=parse_time(str(route.get("acceptTime") or "")),
        status=OPCODES.get(op, "in_transit"),
        description=str(route.get("remark") or "")[:200] or op,
        location=str(route.get("acceptAddress") or "")[:64],
        op_code=op[:16],
    )


def _is_mobile(phone: str) -> bool:
    return len(phone) == 11 and phone.startswith("1") and is_ascii_number(phone)


class SfExpress:
    pushes = True

    def __init__(
        self,
        *,
        name: str = "sf",
        partner_id: str,
        check_word: str,
        url: str = PRODUCTION_URL,
        monthly_card: str = "",
        timeout: float = 10.0,
        clock: Any = time.time,
    ) -> None:
        self.name = name
        self.partner_id = partner_id
        self.check_word = check_word
        self.url = url
        self.monthly_card = monthly_card
        self.timeout = timeout
        self.clock = clock

    # -- calls ---------------------------------------------------------------------------
    def call(self, service_code: str, message: Mapping[str, Any]) -> dict[str, Any]:
        """One call; the business ``msgData`` on success, else ``CourierError``."""
        if not self.partner_id or not self.check_word:
            raise CourierError("SF Express partner id / check word not configured")
        msg_data = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        form = signed_form(
            partner_id=self.partner_id,
            check_word=self.check_word,
            service_code=service_code,
            msg_data=msg_data,
            now_ms=int(self.clock() * 1000),
        )
        request = urllib.request.Request(  # noqa: S310 — the configured courier URL
            self.url,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                envelope = json.loads(response.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise CourierError(f"SF Express unreachable: {exc}", retryable=True) from exc
        code = str(envelope.get("apiResultCode", ""))
        if code != "A1000":
            raise CourierError(
                f"SF Express {code}: {envelope.get('apiErrorMsg', '')}",
                code=code,
                retryable=code in RETRYABLE,
            )
        try:
            result = json.loads(envelope.get("apiResultData") or "{}")
        except ValueError as exc:
            raise CourierError("SF Express answer unreadable", retryable=True) from exc
        if not result.get("success"):
            raise CourierError(
                f"SF Express {result.get('errorCode')}: {result.get('errorMsg')}",
                code=str(result.get("errorCode") or ""),
            )
        data = result.get("msgData")
        return data if isinstance(data, dict) else {}

    # -- orders --------------------------------------------------------------------------
    def _contact(self, kind: int, party: Party) -> dict[str, Any]:
        from onewindow.delivery.regions import region_get

        contact: dict[str, Any] = {
            "contactType": kind,
            "contact": party.name,
            "country": "CN",
            "address": party.address,
        }
        contact["mobile" if _is_mobile(party.phone) else "tel"] = party.phone
        region = region_get(party.region_code) if party.region_code else None
        if region is not None:
            contact.update(province=region.province, city=region.city, county=region.county)
        return contact

    def order_message(self, request: ShipmentRequest) -> dict[str, Any]:
        message: dict[str, Any] = {
            "language": "zh-CN",
            "orderId": request.order_id,
            "cargoDetails": [{"name": request.contents or "文件", "count": 1, "unit": "件"}],
            "contactInfoList": [
                self._contact(1, request.sender),
                self._contact(2, request.recipient),
            ],
            "expressTypeId": 1,
            "payMethod": 1,
            "parcelQty": 1,
        }
        if self.monthly_card:
            message["monthlyCard"] = self.monthly_card
        if request.pickup_from is not None:
            message["isDocall"] = 1
            message["sendStartTm"] = beijing_time(request.pickup_from)
        return message

    @staticmethod
    def _waybill(data: Mapping[str, Any]) -> str:
        numbers = [
            str(item.get("waybillNo") or "")
            for item in data.get("waybillNoInfoList") or []
            if str(item.get("waybillType", 1)) == "1"
        ]
        if not numbers or not numbers[0]:
            raise CourierError("SF Express returned no waybill number", retryable=True)
        return numbers[0]

    def create(self, request: ShipmentRequest) -> str:
        try:
            data = self.call(CREATE_ORDER, self.order_message(request))
        except CourierError as exc:
            if exc.code != DUPLICATE_ORDER and not exc.retryable:
                raise
            # Placed before (a retry after a timeout): ask for the waybill of that order.
            try:
                data = self.call(SEARCH_ORDER, {"orderId": request.order_id, "searchType": 1})
            except CourierError:
                raise exc from None
        if str(data.get("filterResult", "")) == "3":
            raise CourierError("SF Express does not serve this address", code="filter")
        return self._waybill(data)

    def cancel(self, ref: TrackRef) -> None:
        try:
            self.call(UPDATE_ORDER, {"orderId": ref.order_id, "dealType": 2})
        except CourierError as exc:
            if exc.code != ALREADY_CANCELLED:
                raise

    def track(self, ref: TrackRef, *, now: datetime.datetime) -> list[TrackingUpdate]:
        message: dict[str, Any] = {"language": "0", "methodType": "1"}
        if ref.order_id:
            message.update(trackingType="2", trackingNumber=[ref.order_id])
        else:
            message.update(trackingType="1", trackingNumber=[ref.tracking_no])
            if ref.phone_tail:
                message["checkPhoneNo"] = ref.phone_tail
        data = self.call(SEARCH_ROUTES, message)
        updates: list[TrackingUpdate] = []
        for resp in data.get("routeResps") or []:
            for route in resp.get("routes") or []:
                try:
                    updates.append(route_update(route))
                except ValueError:
                    continue
        return sorted(updates, key=lambda u: u.at)

    # -- pushes --------------------------------------------------------------------------
    def verify_push(self, params: Mapping[str, str]) -> PushReceipt:
        partner = str(params.get("partnerID", ""))
        if not self.check_word or not constant_time_equal(partner, self.partner_id):
            raise SignatureInvalid("unknown partner id")
        if not digest_matches(params, self.check_word):
            raise SignatureInvalid("msgDigest does not match")
        try:
            sent = parse_int(str(params.get("timestamp", "")))
        except ValueError:
            raise SignatureInvalid("timestamp unreadable") from None
        age = abs(self.clock() - sent / 1000)
        if age > PUSH_MAX_AGE.total_seconds():
            raise SignatureInvalid("timestamp too far from now")
        body = str(params.get("msgData", ""))
        try:
            routes = self.parse_push(body)
        except (ValueError, TypeError, AttributeError) as exc:
            raise SignatureInvalid(f"push body unreadable: {exc}") from exc
        return PushReceipt(
            request_id=str(params.get("requestID", ""))[:64], body=body, routes=routes
        )

    def parse_push(self, body: str) -> list[PushedRoute]:
        message = json.loads(body)
        nodes = (message.get("Body") or {}).get("WaybillRoute") or []
        if isinstance(nodes, dict):
            nodes = [nodes]
        return [
            PushedRoute(
                tracking_no=str(node.get("mailno") or "")[:32],
                order_id=str(node.get("orderid") or "")[:64],
                update=route_update(node),
            )
            for node in nodes
        ]
