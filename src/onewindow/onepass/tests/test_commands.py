"""The demo library's SIP2 server as a command, answering a real client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from onewindow.onepass.providers.base import ProviderError
from onewindow.onepass.providers.sip2 import Sip2Library


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_onepass_sip2_server_serves_the_demo_library() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "onewindow.manage", "onepass_sip2_server", "--port", str(port)],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        lib = Sip2Library(host="127.0.0.1", port=port, institution="GZLIB", connect_timeout=0.5)
        deadline = time.monotonic() + 30
        while True:
            try:
                patron = lib.patron_get(patron_id="0440100045678", password="888888")
                break
            except ProviderError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert patron.name == "张伟"
    finally:
        process.terminate()
        process.wait(timeout=10)
