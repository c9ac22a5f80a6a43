"""The courier sandbox: a stand-in for SF Express's open platform (stdlib only, no Django).

It answers ``POST /std/service`` the way 丰桥 does — the six form fields, ``msgDigest``
checked, the ``apiResultCode`` envelope with ``apiResultData`` inside, A1001/A1004/A1006 and
business error codes — for EXP_RECE_CREATE_ORDER, EXP_RECE_SEARCH_ORDER_RESP,
EXP_RECE_SEARCH_ROUTES and EXP_RECE_UPDATE_ORDER (dealType 2). Each order then moves along the
demo route plan (``providers/plan.py``), and with a push URL the sandbox pushes every route
node there, signed the same way — after a delay, with duplicates, and shuffled if asked, as
a real courier's pushes can arrive. Pushes that are not answered ``return_code 0000`` are
retried (three tries, like SF)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import random
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from onewindow.delivery.providers import plan

DEV_PARTNER_ID = "ONEWINDOW_DEMO"
DEV_CHECK_WORD = "onewindow-courier-sandbox-dev-check-word"
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
# Sandbox-only business code: the courier has collected the parcel, the order cannot be
# cancelled any more (SF answers such a cancellation with a business error too).
COLLECTED = "SBX001"

Sender = Callable[[str, dict[str, str]], str]


def digest(msg_data: str, timestamp: str, check_word: str) -> str:
    text = urllib.parse.quote_plus(msg_data + timestamp + check_word, safe="*").replace("~", "%7E")
    return base64.b64encode(hashlib.md5(text.encode()).digest()).decode()  # noqa: S324


def post_form(url: str, params: dict[str, str]) -> str:
    body = urllib.parse.urlencode(params).encode()
    with urllib.request.urlopen(url, data=body, timeout=10) as response:  # noqa: S310
        return str(response.read().decode())


@dataclass
class CourierSandboxConfig:
    partner_id: str = DEV_PARTNER_ID
    check_word: str = DEV_CHECK_WORD
    push_url: str = ""
    step: float = 20.0  # seconds between route nodes
    failure: float = 0.0  # share of shipments that fail delivery and come back
    delay: float = 1.0  # seconds between a node happening and its push
    duplicates: int = 0  # extra copies of every push
    shuffle: bool = False  # hold pushes back at random, so they arrive out of order
    retries: int = 3
    state_file: str = ""


class BusinessError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class CourierSandbox:
    config: CourierSandboxConfig
    sender: Sender = post_form
    clock: Callable[[], float] = time.time
    rng: random.Random = field(default_factory=random.Random)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: list[tuple[float, int, dict[str, str]]] = field(default_factory=list)
    pushes_sent: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    background: bool = True

    def __post_init__(self) -> None:
        path = self.config.state_file
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                self.orders = json.load(fh).get("orders", {})

    def _save(self) -> None:
        path = self.config.state_file
        if not path:
            return
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(f"{path}.tmp", "w", encoding="utf-8") as fh:
            json.dump({"orders": self.orders}, fh, ensure_ascii=False)
        os.replace(f"{path}.tmp", path)

    # -- the platform --------------------------------------------------------------------
    def envelope(self, params: dict[str, str]) -> dict[str, Any]:
        """The answer to one form POST to /std/service."""
        answer: dict[str, Any] = {"apiResponseID": uuid.uuid4().hex.upper(), "apiErrorMsg": ""}
        needed = ("partnerID", "requestID", "serviceCode", "timestamp", "msgData", "msgDigest")
        if any(not params.get(k) for k in needed):
            return {**answer, "apiResultCode": "A1001", "apiErrorMsg": "必传参数不可为空"}
        if params["partnerID"] != self.config.partner_id:
            return {**answer, "apiResultCode": "A1004", "apiErrorMsg": "无对应服务权限"}
        expected = digest(params["msgData"], params["timestamp"], self.config.check_word)
        if expected != params["msgDigest"]:
            return {**answer, "apiResultCode": "A1006", "apiErrorMsg": "数字签名无效"}
        handler = {
            "EXP_RECE_CREATE_ORDER": self.create,
            "EXP_RECE_SEARCH_ORDER_RESP": self.search_order,
            "EXP_RECE_SEARCH_ROUTES": self.routes,
            "EXP_RECE_UPDATE_ORDER": self.update,
        }.get(params["serviceCode"])
        if handler is None:
            return {**answer, "apiResultCode": "A1004", "apiErrorMsg": "无对应服务权限"}
        try:
            message = json.loads(params["msgData"])
            result = {"success": True, "errorCode": "S0000", "errorMsg": None}
            result["msgData"] = handler(message)
        except BusinessError as exc:
            result = {"success": False, "errorCode": exc.code, "errorMsg": exc.message}
            result["msgData"] = None
        except (ValueError, KeyError, TypeError, AttributeError):
            return {**answer, "apiResultCode": "A1001", "apiErrorMsg": "业务报文格式错误"}
        return {
            **answer,
            "apiResultCode": "A1000",
            "apiResultData": json.dumps(result, ensure_ascii=False),
        }

    def _order(self, order_id: str) -> dict[str, Any]:
        order = self.orders.get(order_id)
        if order is None:
            raise BusinessError("6150", "找不到该订单")
        return order

    @staticmethod
    def _waybills(order: dict[str, Any]) -> dict[str, Any]:
        return {
            "orderId": order["order_id"],
            "waybillNoInfoList": [{"waybillType": 1, "waybillNo": order["waybill"]}],
            "filterResult": 2,
        }

    def create(self, message: dict[str, Any]) -> dict[str, Any]:
        order_id = str(message["orderId"])
        contacts = message.get("contactInfoList") or []
        if not order_id or len(contacts) < 2:
            raise BusinessError("1014", "到件地址不能为空")
        if not any(c.get("contactType") == 2 and c.get("address") for c in contacts):
            raise BusinessError("1014", "到件地址不能为空")
        with self.lock:
            if order_id in self.orders:
                raise BusinessError("8016", "重复下单")
            self.orders[order_id] = {
                "order_id": order_id,
                "waybill": plan.tracking_number(order_id),
                "kind": "pickup" if str(message.get("isDocall", "0")) == "1" else "deliver",
                "created": self.clock(),
                "cancelled": False,
                "scheduled": 0,
            }
            self._save()
            return self._waybills(self.orders[order_id])

    def search_order(self, message: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            return self._waybills(self._order(str(message["orderId"])))

    def update(self, message: dict[str, Any]) -> dict[str, Any]:
        if str(message.get("dealType", "1")) != "2":
            raise BusinessError("8252", "订单已确认")
        with self.lock:
            order = self._order(str(message["orderId"]))
            if order["cancelled"]:
                raise BusinessError("8037", "订单已消单")
            if self.nodes(order, self.clock()):
                raise BusinessError(COLLECTED, "快件已揽收，不能取消")
            order["cancelled"] = True
            self._save()
        return {"orderId": order["order_id"], "resStatus": 2}

    def nodes(self, order: dict[str, Any], now: float) -> list[plan.Node]:
        if order["cancelled"]:
            return []
        created = datetime.datetime.fromtimestamp(order["created"], tz=datetime.UTC)
        moment = datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
        return [
            node
            for node in plan.plan(
                tracking_no=order["waybill"],
                created_at=created,
                step_seconds=max(1, round(self.config.step)),
                failure_share=self.config.failure,
                kind=order["kind"],
            )
            if node.at <= moment
        ]

    @staticmethod
    def route(order: dict[str, Any], index: int, node: plan.Node) -> dict[str, str]:
        return {
            "id": f"{order['waybill'][2:]}{index:03d}",
            "mailno": order["waybill"],
            "orderid": order["order_id"],
            "acceptTime": node.at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
            "acceptAddress": node.location,
            "remark": node.description,
            "opCode": node.op_code,
            "reasonCode": "",
            "reasonName": "",
        }

    def routes(self, message: dict[str, Any]) -> dict[str, Any]:
        numbers = [str(n) for n in message.get("trackingNumber") or []]
        if not numbers:
            raise BusinessError("8013", "未传入查询单号")
        if len(numbers) > 10:
            raise BusinessError("8003", "查询单号超过最大限制")
        by_order = str(message.get("trackingType", "1")) == "2"
        now = self.clock()
        out = []
        with self.lock:
            for number in numbers:
                order = (
                    self.orders.get(number)
                    if by_order
                    else next((o for o in self.orders.values() if o["waybill"] == number), None)
                )
                if order is None:
                    continue
                routes = [
                    {k: v for k, v in self.route(order, i, node).items() if k not in ("id",)}
                    for i, node in enumerate(self.nodes(order, now))
                ]
                out.append({"mailNo": order["waybill"], "routes": routes})
        return {"routeResps": out}

    # -- pushes --------------------------------------------------------------------------
    def push_form(self, route: dict[str, str]) -> dict[str, str]:
        msg_data = json.dumps({"Body": {"WaybillRoute": [route]}}, ensure_ascii=False)
        timestamp = str(int(self.clock() * 1000))
        return {
            "partnerID": self.config.partner_id,
            "requestID": str(uuid.uuid4()),
            "serviceCode": "RoutePushService",
            "timestamp": timestamp,
            "msgData": msg_data,
            "msgDigest": digest(msg_data, timestamp, self.config.check_word),
        }

    def schedule(self, now: float) -> int:
        """Put every route node that has happened and was not pushed yet into the outbox."""
        added = 0
        with self.lock:
            for order in self.orders.values():
                nodes = self.nodes(order, now)
                for index in range(order["scheduled"], len(nodes)):
                    node = nodes[index]
                    happened = node.at.timestamp()
                    for _copy in range(1 + max(0, self.config.duplicates)):
                        hold = (
                            self.rng.uniform(0, self.config.step * 1.5)
                            if self.config.shuffle
                            else 0
                        )
                        due = happened + self.config.delay + hold
                        self.outbox.append(
                            (due, index, self.push_form(self.route(order, index, node)))
                        )
                        added += 1
                order["scheduled"] = max(order["scheduled"], len(nodes))
            if added:
                self._save()
        return added

    def tick(self, now: float | None = None) -> int:
        """Schedule what happened and send what is due; returns how many pushes went out."""
        now = self.clock() if now is None else now
        if not self.config.push_url:
            return 0
        self.schedule(now)
        with self.lock:
            due = [item for item in self.outbox if item[0] <= now]
            self.outbox = [item for item in self.outbox if item[0] > now]
        due.sort(key=lambda item: item[0])
        for _at, _index, form in due:
            self.deliver(form)
        return len(due)

    def deliver(self, form: dict[str, str]) -> bool:
        for attempt in range(max(1, self.config.retries)):
            try:
                answer = json.loads(self.sender(self.config.push_url, form) or "{}")
                if answer.get("return_code") == "0000":
                    self.pushes_sent.append(json.loads(form["msgData"]))
                    return True
            except Exception as exc:
                print("courier-sandbox: push failed:", exc, flush=True)
            if self.background:
                time.sleep(min(2**attempt, 10))
        return False

    def run_forever(self, interval: float = 0.5) -> None:  # pragma: no cover - a thread loop
        while True:
            try:
                self.tick()
            except Exception as exc:
                print("courier-sandbox: tick failed:", exc, flush=True)
            time.sleep(interval)


def make_app(sandbox: CourierSandbox) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", "/"), environ.get("REQUEST_METHOD", "GET")
        if path != "/std/service" or method != "POST":
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"not found"]
        size = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(min(size, 256 * 1024)).decode("utf-8", "replace")
        params = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
        body = json.dumps(sandbox.envelope(params), ensure_ascii=False)
        start_response("200 OK", [("Content-Type", "application/json; charset=utf-8")])
        return [body.encode("utf-8")]

    return app
