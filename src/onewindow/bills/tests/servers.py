"""Local servers that speak the providers' protocols, for the adapter tests: real sockets
(http.server in a thread on 127.0.0.1), answering by account number — a normal account,
a slow one, one that fails with 500, garbage, hostile data, someone else's account."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from onewindow.bills.providers import signing
from onewindow.core.crypto.rsa2 import rsa2_sign, rsa2_verify, sign_content

SLOW_SECONDS = 2.5
PAID_UP: set[str] = set()  # Alipay accounts whose bills have all been paid


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


# ---- the OneWindow bill-provider interface --------------------------------------------------


def openapi_handler(*, secret: str, holders: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    seen_nonces: set[str] = set()
    calls: list[str] = []

    class Handler(Quiet):
        def _answer(self, status: int, body: bytes, *, signed: bool = True) -> None:
            nonce = self.headers.get("X-OW-Nonce", "")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if signed:
                for key, value in signing.sign_response(
                    secret=secret, status=status, nonce=nonce, body=body
                ).items():
                    self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: Any) -> None:
            self._answer(status, json.dumps(data, ensure_ascii=False).encode())

        def _checked(self) -> bytes | None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            ok = signing.verify_request(
                secret=secret,
                method=self.command,
                path=self.path,
                body=body,
                headers={k: v for k, v in self.headers.items()},
            )
            nonce = self.headers.get("X-OW-Nonce", "")
            if not ok or nonce in seen_nonces:
                self._json(401, {"error": "signature refused"})
                return None
            seen_nonces.add(nonce)
            calls.append(f"{self.command} {self.path}")
            return body

        def do_POST(self) -> None:
            body = self._checked()
            if body is None:
                return
            account = json.loads(body)["account_number"]
            if account in holders:
                self._json(
                    200, {"found": True, "account_number": account, "holder_name": holders[account]}
                )
            else:
                self._json(200, {"found": False})

        def do_GET(self) -> None:
            if self._checked() is None:
                return
            parts = urllib.parse.urlsplit(self.path)
            segments = parts.path.split("/")
            account = urllib.parse.unquote(segments[segments.index("accounts") + 1])
            period = urllib.parse.parse_qs(parts.query)["period"][0]
            behaviour = OPENAPI_BEHAVIOURS.get(account.rstrip("0123456789"), _normal)
            behaviour(self, account, period)

    Handler.calls = calls  # type: ignore[attr-defined]
    return Handler


def _normal(h: Any, account: str, period: str) -> None:
    h._json(
        200,
        {
            "account_number": account,
            "period": period,
            "currency": "CNY",
            "bills": [
                {
                    "id": f"M-{account}-{period}",
                    "period": period,
                    "amount": "88.00",
                    "currency": "CNY",
                    "due_on": "2026-08-25",
                    "paid": False,
                }
            ],
            "contributions": [],
        },
    )


def _contributions(h: Any, account: str, period: str) -> None:
    h._json(
        200,
        {
            "account_number": account,
            "period": period,
            "bills": [],
            "contributions": [
                {
                    "period": period,
                    "base": "8000.00",
                    "personal_amount": "840.00",
                    "employer_amount": "1720.00",
                    "employer_name": "广州某某有限公司",
                    "paid": period != "2026-03",
                }
            ],
        },
    )


def _slow(h: Any, account: str, period: str) -> None:
    time.sleep(SLOW_SECONDS)
    _normal(h, account, period)


def _error(h: Any, account: str, period: str) -> None:
    h._json(503, {"error": "maintenance"})


def _garbage(h: Any, account: str, period: str) -> None:
    h._answer(200, b"<html><body>Bad Gateway</body></html>")


def _unsigned(h: Any, account: str, period: str) -> None:
    h._answer(200, json.dumps({"account_number": account, "bills": []}).encode(), signed=False)


def _hostile(h: Any, account: str, period: str) -> None:
    h._json(
        200,
        {
            "account_number": account,
            "bills": [
                {"id": "H1", "period": period, "amount": "1000000000.00", "due_on": "2026-08-25"},
                {"id": "H2", "period": period, "amount": "30.00", "currency": "USD"},
                {"id": "H3", "period": period, "amount": "30.00", "account_number": "000111"},
                {"id": "H4", "period": period, "amount": "<script>alert(1)</script>"},
                {"id": "H5", "period": period, "amount": "42.00", "due_on": "2026-08-25"},
            ],
        },
    )


def _other(h: Any, account: str, period: str) -> None:
    h._json(200, {"account_number": "SOMEONEELSE", "bills": []})


OPENAPI_BEHAVIOURS: dict[str, Callable[[Any, str, str], None]] = {
    "SI": _contributions,
    "SLOW": _slow,
    "ERR": _error,
    "GARBAGE": _garbage,
    "UNSIGNED": _unsigned,
    "HOSTILE": _hostile,
    "OTHER": _other,
}


# ---- Alipay's electronic bills -------------------------------------------------------------


def alipay_handler(
    *,
    app_public_key: rsa.RSAPublicKey,
    alipay_private_key: rsa.RSAPrivateKey,
    holders: dict[str, str],
) -> type[BaseHTTPRequestHandler]:
    node_name = "alipay_ebpp_jfexport_instbill_query_response"
    # In the query with a month (not in the account check), an account in PAID_UP has
    # nothing left to pay.

    class Handler(Quiet):
        def _reply(self, node: dict[str, Any], *, sign: bool = True) -> None:
            node_text = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
            signature = rsa2_sign(node_text, alipay_private_key) if sign else "AAAA"
            body = f'{{"{node_name}":{node_text},"sign":"{signature}"}}'.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            content = sign_content(params, exclude=("sign",))
            if not rsa2_verify(content, params.get("sign", ""), app_public_key):
                self._reply(
                    {
                        "code": "40002",
                        "msg": "Invalid Arguments",
                        "sub_code": "isv.invalid-signature",
                    }
                )
                return
            biz = json.loads(params["biz_content"])
            key = biz["bill_key"]
            if key.startswith("SLOW"):
                time.sleep(SLOW_SECONDS)
            if key.startswith("ERR"):
                self.send_response(502)
                self.end_headers()
                return
            if key.startswith("GARBAGE"):
                body = b"{not json"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if key.startswith("FORGED"):
                self._reply({"code": "10000", "bill_key": key, "owner_name": "张*明"}, sign=False)
                return
            if key in PAID_UP and "bill_date" in biz:
                self._reply(
                    {
                        "code": "40004",
                        "msg": "Business Failed",
                        "sub_code": "BILL_NOT_EXIST",
                        "sub_msg": "无欠费账单",
                    }
                )
                return
            if key not in holders:
                self._reply(
                    {
                        "code": "40004",
                        "msg": "Business Failed",
                        "sub_code": "BILL_KEY_NOT_EXIST",
                        "sub_msg": "户号不存在",
                    }
                )
                return
            node: dict[str, Any] = {
                "code": "10000",
                "msg": "Success",
                "bill_key": key,
                "owner_name": holders[key],
                "sub_biz_type": biz["sub_biz_type"],
                "charge_inst": biz["charge_inst"],
            }
            if "bill_date" in biz:
                month = biz["bill_date"]
                bills = [
                    {
                        "inst_bill_no": f"{key}{month}",
                        "bill_key": key,
                        "bill_date": month,
                        "amount": "56.78",
                        "owner_name": holders[key],
                        "extend_field": json.dumps(
                            {"due_date": "2026-08-25", "usage": "17", "usage_unit": "m³"}
                        ),
                    }
                ]
                if key.startswith("HOSTILE"):
                    bills.append(
                        {
                            "inst_bill_no": "X1",
                            "bill_key": key,
                            "bill_date": month,
                            "amount": "123456789.00",
                        }
                    )
                    bills.append(
                        {
                            "inst_bill_no": "X2",
                            "bill_key": "999",
                            "bill_date": month,
                            "amount": "5.00",
                        }
                    )
                node["inst_bills"] = bills
            self._reply(node)

    return Handler
