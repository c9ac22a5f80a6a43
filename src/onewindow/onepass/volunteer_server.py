"""A local volunteer platform that serves OneWindow's published volunteer provider interface
(docs/volunteer-provider-openapi.yaml) over HTTP, with the fake platform's activities and
hours behind it: what the HTTP adapter's tests and the demo talk to. It checks each
request's HMAC signature, timestamp and nonce, signs its answers, and can be told to answer
late, with a 500, with garbage, with a wrong signature or with JSON of the wrong shape.

    python -m onewindow.onepass.volunteer_server --port 6002 --secret demo-secret
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from onewindow.onepass.providers import signing
from onewindow.onepass.providers.base import Activity, ProviderRefused
from onewindow.onepass.providers.fake import FakeVolunteers

KEY_ID = "onewindow"
DEMO_SECRET = "volunteer-demo-secret"  # noqa: S105 (the local server's own, not a secret)


@dataclass
class Misbehaviour:
    delay: float = 0.0
    error_500: int = 0
    garbage: int = 0
    bad_signature: int = 0
    wrong_shape: int = 0


def _activity(a: Activity) -> dict[str, Any]:
    return {
        "activity_id": a.activity_id,
        "title": a.title,
        "organiser": a.organiser,
        "region_code": a.region_code,
        "place": a.place,
        "starts_at": a.starts_at.isoformat(),
        "ends_at": a.ends_at.isoformat(),
        "hours": a.hours,
        "capacity": a.capacity,
        "joined": a.joined,
        "description": a.description,
    }


class Handler(BaseHTTPRequestHandler):
    server: VolunteerServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        nonce = self.headers.get("X-OneWindow-Nonce", "")
        refusal = self._authenticate(method, body, nonce)
        if refusal:
            self._answer(401, {"error": {"code": "unauthorised", "message": refusal}}, nonce)
            return
        wrong = self.server.misbehaviour
        if wrong.delay:
            time.sleep(wrong.delay)
        if wrong.error_500:
            wrong.error_500 -= 1
            self._answer(500, {"error": {"code": "internal", "message": "服务器内部错误"}}, nonce)
            return
        if wrong.garbage:
            wrong.garbage -= 1
            self._raw(200, b"<html>\x00\xff not json", nonce)
            return
        try:
            status, payload = self._route(method, body)
        except ProviderRefused as exc:
            status, payload = 409, {"error": {"code": "refused", "message": exc.reason}}
        except (ValueError, KeyError):
            status, payload = 400, {"error": {"code": "bad_request", "message": "请求格式不正确"}}
        if wrong.wrong_shape and status == 200:
            wrong.wrong_shape -= 1
            payload = {"activities": [{"title": 42}], "volunteer_id": None, "records": "x"}
        self._answer(status, payload, nonce)

    def _authenticate(self, method: str, body: bytes, nonce: str) -> str:
        timestamp = self.headers.get("X-OneWindow-Timestamp", "")
        if self.headers.get("X-OneWindow-Key") != KEY_ID:
            return "unknown key"
        if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > signing.MAX_SKEW:
            return "stale timestamp"
        if not re.fullmatch(r"[0-9a-f]{32}", nonce) or nonce in self.server.nonces:
            return "nonce reused"
        expected = signing.request_signature(
            secret=self.server.secret,
            method=method,
            target=self.path,
            timestamp=timestamp,
            nonce=nonce,
            body=body,
        )
        if not signing.signature_ok(expected, self.headers.get("X-OneWindow-Signature", "")):
            return "bad signature"
        self.server.nonces.add(nonce)
        return ""

    def _route(self, method: str, body: bytes) -> tuple[int, Any]:
        url = urlsplit(self.path)
        path = url.path
        platform = self.server.platform
        if method == "POST" and path == "/v1/volunteers":
            data = json.loads(body)
            profile = platform.volunteer_register(
                id_number=str(data["id_number"]),
                name=str(data["name"]),
                phone=str(data.get("phone", "")),
                region_code=str(data["region_code"]),
            )
            hours = platform.hours_get(volunteer_id=profile.volunteer_id)
            return 201, {
                "volunteer_id": profile.volunteer_id,
                "name": profile.name,
                "region_code": profile.region_code,
                "total_hours": hours.total_hours,
            }
        if method == "GET" and path == "/v1/activities":
            query = parse_qs(url.query)
            found = platform.activities_near(
                region_code=query["region_code"][0],
                on_or_after=datetime.date.fromisoformat(query["from"][0]),
            )
            return 200, {"activities": [_activity(a) for a in found]}
        joined = re.fullmatch(r"/v1/activities/([^/]+)/signups", path)
        if method == "POST" and joined:
            data = json.loads(body)
            activity = platform.activity_join(
                volunteer_id=str(data["volunteer_id"]), activity_id=unquote(joined.group(1))
            )
            return 201, _activity(activity)
        hours_path = re.fullmatch(r"/v1/volunteers/([^/]+)/hours", path)
        if method == "GET" and hours_path:
            hours = platform.hours_get(volunteer_id=unquote(hours_path.group(1)))
            return 200, {
                "volunteer_id": hours.volunteer_id,
                "total_hours": hours.total_hours,
                "records": [
                    {
                        "record_id": r.record_id,
                        "activity_id": r.activity_id,
                        "title": r.title,
                        "served_on": r.served_on.isoformat(),
                        "hours": r.hours,
                        "organiser": r.organiser,
                    }
                    for r in hours.records
                ],
            }
        return 404, {"error": {"code": "not_found", "message": "没有这个接口"}}

    def _answer(self, status: int, payload: Any, nonce: str) -> None:
        self._raw(status, json.dumps(payload, ensure_ascii=False).encode(), nonce)

    def _raw(self, status: int, body: bytes, nonce: str) -> None:
        timestamp = str(int(time.time()))
        signature = signing.response_signature(
            secret=self.server.secret,
            status=status,
            timestamp=timestamp,
            request_nonce=nonce,
            body=body,
        )
        if self.server.misbehaviour.bad_signature:
            self.server.misbehaviour.bad_signature -= 1
            signature = "A" + signature[1:] if signature[0] != "A" else "B" + signature[1:]
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Provider-Timestamp", timestamp)
        self.send_header("X-Provider-Signature", signature)
        self.end_headers()
        self.wfile.write(body)


class VolunteerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int] = ("127.0.0.1", 0), *, secret: str = DEMO_SECRET
    ) -> None:
        super().__init__(address, Handler)
        self.secret = secret
        self.platform = FakeVolunteers()
        self.misbehaviour = Misbehaviour()
        self.nonces: set[str] = set()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> VolunteerServer:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()
        self.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="A local volunteer platform (OneWindow interface)."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6002)
    parser.add_argument("--secret", default=DEMO_SECRET)
    args = parser.parse_args(argv)
    server = VolunteerServer((args.host, args.port), secret=args.secret)
    print(f"volunteer platform on http://{args.host}:{args.port}")
    server.serve_forever()


if __name__ == "__main__":
    main()
