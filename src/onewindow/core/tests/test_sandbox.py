"""The sandboxes' HTTP server: a free port when asked for 0, requests answered from a
thread until stopped, a taken port named."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from onewindow.core.sandbox import PortInUse, sandbox_server


def _app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"you asked for {environ['PATH_INFO']}".encode()]


def test_a_sandbox_on_a_free_port_answers_until_stopped():
    server = sandbox_server(_app).start()
    assert server.port != 0
    assert server.url("/std/service") == f"http://127.0.0.1:{server.port}/std/service"
    with urllib.request.urlopen(server.url("/std/service"), timeout=5) as answer:  # noqa: S310
        assert answer.read() == b"you asked for /std/service"
    server.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url("/"), timeout=5)  # noqa: S310


def test_a_taken_port_is_named():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = int(sock.getsockname()[1])
        with pytest.raises(PortInUse, match=f"port {port} on 127.0.0.1 is already in use"):
            sandbox_server(_app, port=port)
