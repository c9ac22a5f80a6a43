"""rundemo's ports: the payment and courier sandboxes listen where the arguments (or
settings) say, a taken port stops the demo before it migrates or seeds, with a message
that names the port and the option; the web app and the worker are pointed at the
sandboxes actually started."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onewindow.demo.management.commands import rundemo
from onewindow.demo.management.commands.rundemo import DemoPorts, demo_children, demo_ports


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something listens on, as another demo's sandbox would."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _argv(children: list[Any], name: str) -> list[str]:
    return list(next(c for c in children if c.name == name).argv)


def test_the_sandboxes_listen_on_the_ports_given():
    ports = DemoPorts(web=8100, pay_sandbox=9177, courier_sandbox=9178)
    children = demo_children(port=8100, web_workers=1, worker_concurrency=1, ports=ports)
    pay = _argv(children, "pay-sandbox")
    courier = _argv(children, "courier-sandbox")
    assert pay[pay.index("--port") + 1] == "9177"
    assert courier[courier.index("--port") + 1] == "9178"
    assert "http://127.0.0.1:8100/delivery/push/sandbox/" in courier


def test_the_default_ports_come_from_settings(settings):
    settings.DEMO_PAY_SANDBOX_PORT, settings.DEMO_COURIER_SANDBOX_PORT = 9277, 9278
    children = demo_children(port=8100, web_workers=1, worker_concurrency=1)
    pay, courier = _argv(children, "pay-sandbox"), _argv(children, "courier-sandbox")
    assert pay[pay.index("--port") + 1] == "9277"
    assert courier[courier.index("--port") + 1] == "9278"


def test_port_zero_picks_distinct_free_ports():
    ports = demo_ports(web=0, pay_sandbox=0, courier_sandbox=0)
    assert len({ports.web, ports.pay_sandbox, ports.courier_sandbox}) == 3
    assert 0 not in {ports.web, ports.pay_sandbox, ports.courier_sandbox}


def test_a_taken_sandbox_port_is_a_clear_message(taken_port):
    with pytest.raises(CommandError) as caught:
        demo_ports(web=0, pay_sandbox=taken_port, courier_sandbox=0)
    assert str(caught.value) == (
        f"Port {taken_port} (the payment sandbox) is already in use — is another demo "
        "running? Stop it, or choose another port with --pay-sandbox-port (0 picks a free one)."
    )
    with pytest.raises(CommandError, match=f"Port {taken_port} \\(the courier sandbox\\)"):
        demo_ports(web=0, pay_sandbox=0, courier_sandbox=taken_port)
    with pytest.raises(CommandError, match="is given to both the web app and the payment"):
        demo_ports(web=9300, pay_sandbox=9300, courier_sandbox=0)


def test_rundemo_stops_before_migrating_when_a_port_is_taken(taken_port, monkeypatch):
    prepared: list[Any] = []
    monkeypatch.setattr(rundemo.Command, "prepare", lambda self, options: prepared.append(1))
    with pytest.raises(CommandError, match=f"Port {taken_port} \\(the courier sandbox\\)"):
        call_command(
            "rundemo",
            "--port",
            "0",
            "--courier-sandbox-port",
            str(taken_port),
            stdout=io.StringIO(),
        )
    assert prepared == []


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("onewindow.payments.sandbox", "sandbox payment gateway"),
        ("onewindow.delivery.sandbox", "courier sandbox"),
    ],
)
def test_a_sandbox_on_a_taken_port_says_so(taken_port, module, name, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", module, "--port", str(taken_port), "--state", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert done.stderr.strip().endswith(
        f"{name}: port {taken_port} on 127.0.0.1 is already in use (another demo?); "
        "choose another with --port."
    )
