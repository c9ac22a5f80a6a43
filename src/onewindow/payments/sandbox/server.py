"""The sandbox gateway's WSGI application and its state (stdlib only, no Django)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import html
import json
import os
import random
import re
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

DEV_KEY = "onewindow-sandbox-dev-key"
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def _now() -> datetime.datetime:
    """The gateway's wall clock is Beijing time, like the statements of Chinese gateways."""
    return datetime.datetime.now(BEIJING).replace(tzinfo=None)


Sender = Callable[[str, dict[str, str]], str]


def _content(params: dict[str, str]) -> str:
    return "&".join(
        f"{k}={params[k]}"
        for k in sorted(params)
        if k not in ("sign", "sign_type") and params[k] != ""
    )


def sign(params: dict[str, str], key: str) -> str:
    digest = hmac.new(key.encode(), _content(params).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _fen(text: str) -> int:
    """ASCII digits only (str.isdigit() also takes other scripts' digits)."""
    if re.fullmatch(r"[0-9]{1,12}(?:\.[0-9]{1,2})?", text, re.ASCII) is None:
        raise ValueError(text)
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def post_form(url: str, params: dict[str, str]) -> str:
    body = urllib.parse.urlencode(params).encode()
    with urllib.request.urlopen(url, data=body, timeout=10) as response:  # noqa: S310
        return str(response.read().decode().strip())


@dataclass
class SandboxConfig:
    key: str = DEV_KEY
    app_id: str = "onewindow-demo"
    delay: float = 1.0
    duplicates: int = 1
    shuffle: bool = False
    retries: int = 5
    state_file: str = ""


@dataclass
class Sandbox:
    config: SandboxConfig
    sender: Sender = post_form
    trades: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    background: bool = True

    def __post_init__(self) -> None:
        path = self.config.state_file
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                saved = json.load(fh)
            self.trades, self.refunds = saved.get("trades", {}), saved.get("refunds", {})

    def _save(self) -> None:
        path = self.config.state_file
        if not path:
            return
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        tmp = f"{path}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"trades": self.trades, "refunds": self.refunds}, fh, ensure_ascii=False)
        os.replace(tmp, path)

    def verified(self, params: dict[str, str]) -> bool:
        return params.get("app_id") == self.config.app_id and hmac.compare_digest(
            sign(params, self.config.key).encode(), params.get("sign", "").encode()
        )

    def signed(self, params: dict[str, str]) -> dict[str, str]:
        params = {**params, "sign_type": "HMAC-SHA256"}
        params["sign"] = sign(params, self.config.key)
        return params

    # -- payments -----------------------------------------------------------------------
    def pay(self, params: dict[str, str]) -> dict[str, Any]:
        """The user confirmed: record the trade (once) and send the notifications."""
        no = params["out_trade_no"]
        with self.lock:
            trade = self.trades.get(no)
            if trade is None:
                now = _now()
                trade = {
                    "out_trade_no": no,
                    "trade_no": f"SBX{now:%Y%m%d}{uuid.uuid4().hex[:12].upper()}",
                    "amount_fen": _fen(params["total_amount"]),
                    "notify_url": params["notify_url"],
                    "paid_at": now.strftime("%Y-%m-%d %H:%M:%S"),
                    "refunded_fen": 0,
                }
                self.trades[no] = trade
                self._save()
                fresh = True
            else:
                fresh = False
        if fresh:
            notes = self.notifications(trade)
            if self.background:
                threading.Thread(
                    target=self.deliver, args=(trade["notify_url"], notes), daemon=True
                ).start()
            else:
                self.deliver(trade["notify_url"], notes)
        return trade

    def notifications(self, trade: dict[str, Any]) -> list[dict[str, str]]:
        def note(status: str) -> dict[str, str]:
            return self.signed(
                {
                    "app_id": self.config.app_id,
                    "notify_id": uuid.uuid4().hex,
                    "notify_time": _now().strftime("%Y-%m-%d %H:%M:%S"),
                    "notify_type": "trade_status_sync",
                    "out_trade_no": trade["out_trade_no"],
                    "trade_no": trade["trade_no"],
                    "total_amount": _yuan(trade["amount_fen"]),
                    "trade_status": status,
                    "gmt_payment": trade["paid_at"] if status == "TRADE_SUCCESS" else "",
                }
            )

        success = note("TRADE_SUCCESS")
        notes = [note("WAIT_BUYER_PAY"), success] + [dict(success)] * self.config.duplicates
        if self.config.shuffle:
            random.shuffle(notes)
        return notes

    def deliver(self, url: str, notes: Iterable[dict[str, str]]) -> None:
        time.sleep(self.config.delay)
        for params in notes:
            for attempt in range(self.config.retries):
                try:
                    if self.sender(url, params) == "success":
                        break
                except Exception as exc:
                    print("sandbox-pay: notify failed:", exc, flush=True)
                time.sleep(min(2**attempt, 30) * (1 if self.background else 0))

    # -- refunds and statements ---------------------------------------------------------
    def refund(self, params: dict[str, str]) -> dict[str, str]:
        with self.lock:
            done = self.refunds.get(params.get("out_request_no", ""))
            if done:
                return self.signed(done)
            trade = self.trades.get(params.get("out_trade_no", ""))
            try:
                fen = _fen(params.get("refund_amount", ""))
            except ValueError:
                fen = -1
            if trade is None or fen <= 0 or trade["refunded_fen"] + fen > trade["amount_fen"]:
                return self.signed(
                    {"code": "40004", "msg": "Business Failed", "sub_msg": "refund refused"}
                )
            trade["refunded_fen"] += fen
            answer = {
                "code": "10000",
                "msg": "Success",
                "out_trade_no": trade["out_trade_no"],
                "out_request_no": params["out_request_no"],
                "refund_fee": _yuan(fen),
                "refunded_at": _now().strftime("%Y-%m-%d %H:%M:%S"),
            }
            self.refunds[params["out_request_no"]] = answer
            self._save()
        return self.signed(answer)

    def statement(self, day: str) -> str:
        lines = ["out_trade_no,trade_no,amount,kind,time"]
        with self.lock:
            for trade in self.trades.values():
                if trade["paid_at"].startswith(day):
                    lines.append(
                        f"{trade['out_trade_no']},{trade['trade_no']},{_yuan(trade['amount_fen'])},pay,{trade['paid_at']}"
                    )
            for no, refund in self.refunds.items():
                if refund["refunded_at"].startswith(day):
                    lines.append(
                        f"{refund['out_trade_no']},{no},{refund['refund_fee']},refund,{refund['refunded_at']}"
                    )
        return "\n".join(lines) + "\n"


PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>沙箱收银台</title>
<style>body{{font-family:sans-serif;max-width:26rem;margin:0 auto;padding:1rem;color:#1a1a1a}}
.amount{{font-size:2rem;font-weight:bold}} button{{font-size:1.1rem;padding:.8rem;width:100%;
background:#0b57d0;color:#fff;border:0;border-radius:.4rem}} .note{{color:#444}}</style></head>
<body><header><p class="note">测试环境 · 不会真实扣款</p></header>
<main><h1>沙箱收银台</h1>
<p>{subject}</p><p class="amount">￥{amount}</p>
<p class="note">订单号 {no}</p>
<form method="post" action="/pay/confirm">{hidden}
<button type="submit">确认支付</button></form></main></body></html>"""


def _form(environ: dict[str, Any]) -> dict[str, str]:
    if environ.get("REQUEST_METHOD") == "POST":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(min(size, 65536)).decode()
    else:
        raw = environ.get("QUERY_STRING", "")
    return {k: v for k, v in urllib.parse.parse_qsl(raw, keep_blank_values=True)}


def make_app(sandbox: Sandbox) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", "/"), environ.get("REQUEST_METHOD", "GET")
        params = _form(environ)

        def reply(
            status: str,
            body: str,
            ctype: str = "text/plain; charset=utf-8",
            extra: list[tuple[str, str]] | None = None,
        ) -> list[bytes]:
            start_response(status, [("Content-Type", ctype), *(extra or [])])
            return [body.encode()]

        if path in ("/pay", "/pay/confirm") and not sandbox.verified(params):
            return reply("400 Bad Request", "invalid signature")
        if path == "/pay" and method == "GET":
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in params.items()
            )
            body = PAGE.format(
                subject=html.escape(params.get("subject", "")),
                amount=html.escape(params.get("total_amount", "")),
                no=html.escape(params.get("out_trade_no", "")),
                hidden=hidden,
            )
            return reply("200 OK", body, "text/html; charset=utf-8")
        if path == "/pay/confirm" and method == "POST":
            trade = sandbox.pay(params)
            back = sandbox.signed(
                {
                    "app_id": sandbox.config.app_id,
                    "out_trade_no": trade["out_trade_no"],
                    "trade_no": trade["trade_no"],
                    "total_amount": _yuan(trade["amount_fen"]),
                }
            )
            location = f"{params['return_url']}?{urllib.parse.urlencode(back)}"
            return reply("303 See Other", "", extra=[("Location", location)])
        if path == "/refund" and method == "POST":
            if not sandbox.verified(params):
                return reply(
                    "200 OK",
                    json.dumps(sandbox.signed({"code": "40002", "msg": "Invalid Signature"})),
                    "application/json",
                )
            return reply("200 OK", json.dumps(sandbox.refund(params)), "application/json")
        if path == "/statement" and method == "GET":
            if not sandbox.verified(params):
                return reply("400 Bad Request", "invalid signature")
            text = sandbox.statement(params.get("bill_date", ""))
            mac = base64.b64encode(
                hmac.new(sandbox.config.key.encode(), text.encode(), hashlib.sha256).digest()
            ).decode()
            return reply("200 OK", text, "text/csv; charset=utf-8", [("X-Sandbox-Sign", mac)])
        return reply("404 Not Found", "not found")

    return app
