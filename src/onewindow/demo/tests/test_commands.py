"""totp_code and the demo runner's process supervision."""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.demo.services import demo_city_seed
from onewindow.demo.supervisor import Child, Supervisor


@pytest.mark.django_db
def test_totp_code_prints_a_code_the_device_accepts(settings) -> None:
    settings.DEMO = True
    demo_city_seed(residents=5, companies=0, seed=1)
    out = io.StringIO()
    call_command("totp_code", "gaj_clerk", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    device = TOTPDevice.objects.get(user__username="gaj_clerk")
    assert device.verify_token(code)


@pytest.mark.django_db
def test_totp_code_refuses_outside_demo_and_debug(settings) -> None:
    settings.DEMO = False
    settings.DEBUG = False
    demo_city_seed(residents=5, companies=0, seed=1)
    with pytest.raises(CommandError, match="demo or debug"):
        call_command("totp_code", "gaj_clerk", stdout=io.StringIO())


@pytest.mark.django_db
def test_totp_code_for_an_unknown_user_fails_clearly(settings) -> None:
    settings.DEMO = True
    with pytest.raises(CommandError, match="no confirmed TOTP device"):
        call_command("totp_code", "nobody", stdout=io.StringIO())


def _sleeper(seconds: float) -> list[str]:
    return [sys.executable, "-c", f"import time; time.sleep({seconds})"]


def test_supervisor_stops_the_others_when_one_child_dies() -> None:
    lines: list[str] = []
    sup = Supervisor(
        [
            Child("long", _sleeper(60)),
            Child("short", [sys.executable, "-c", "raise SystemExit(3)"]),
        ],
        log=lines.append,
        grace_seconds=5,
    )
    started = time.monotonic()
    assert sup.run(poll_seconds=0.05) == 1
    assert time.monotonic() - started < 10
    assert all(proc.poll() is not None for proc in sup.procs.values())
    assert any("short exited with status 3" in line for line in lines)


def test_supervisor_forwards_sigterm_and_exits_cleanly() -> None:
    lines: list[str] = []
    sup = Supervisor([Child("a", _sleeper(60)), Child("b", _sleeper(60))], log=lines.append)
    timer = threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        assert sup.run(poll_seconds=0.05) == 0
    finally:
        timer.cancel()
    assert [proc.returncode for proc in sup.procs.values()] == [-signal.SIGTERM] * 2
    assert any("SIGTERM" in line for line in lines)
