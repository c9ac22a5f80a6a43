"""A production process does not start while a deployment check fails: the web server's
wsgi/asgi application and the Celery worker and beat refuse, naming each failed check, so a
deployment that never ran ``check --deploy`` cannot run with a fake gateway or a public key
(the fake SMS gateway and its outbox, the demo mode, the development SECRET_KEY the demo SSO
client's secret derives from, the payment sandbox's public key)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from onewindow.config.base import DEV_SECRET_KEY
from tests.test_deploy_check import ONEWINDOW, _production_env

PYTHON = sys.executable


def _start(tmp_path: Path, argv: list[str], **changes: str) -> subprocess.CompletedProcess[str]:
    env = _production_env(tmp_path)
    env.update(changes)
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)


WSGI = [PYTHON, "-c", "import onewindow.config.wsgi"]
ASGI = [PYTHON, "-c", "import onewindow.config.asgi"]


def test_a_production_web_server_with_the_fake_sms_gateway_does_not_start(tmp_path: Path):
    result = _start(tmp_path, WSGI, ONEWINDOW_SMS_PROVIDER="fake")
    assert result.returncode != 0
    assert (
        "OneWindow refuses to start the web server under production settings "
        "(ONEWINDOW_ENV=production): 1 deployment check(s) failed." in result.stderr
    )
    assert "(onewindow.E003) The fake SMS gateway is configured in production" in result.stderr


def test_the_sandbox_gateway_with_its_public_key_stops_the_asgi_server(tmp_path: Path):
    result = _start(tmp_path, ASGI, ONEWINDOW_PAYMENTS_GATEWAY="sandbox")
    assert result.returncode != 0
    assert "refuses to start the web server" in result.stderr
    assert "(onewindow.E010)" in result.stderr and "(onewindow.E011)" in result.stderr
    assert "the public development signing key" in result.stderr


def test_the_demo_mode_and_the_development_secret_key_stop_it(tmp_path: Path):
    result = _start(tmp_path, WSGI, ONEWINDOW_DEMO="1", SECRET_KEY=DEV_SECRET_KEY)
    assert result.returncode != 0
    assert "2 deployment check(s) failed" in result.stderr
    assert "(onewindow.E004) ONEWINDOW_DEMO is on in production" in result.stderr
    assert "(onewindow.E005) SECRET_KEY is the public development key" in result.stderr


@pytest.mark.parametrize("process", ["worker", "beat"])
def test_celery_does_not_start_either(tmp_path: Path, process: str):
    argv = [PYTHON, "-m", "celery", "-A", "onewindow.config", process, "--loglevel", "INFO"]
    if process == "worker":
        argv += ["--concurrency", "1", "--pool", "solo"]
    else:
        argv += ["--schedule", str(tmp_path / "beat-schedule")]
    result = _start(tmp_path, argv, ONEWINDOW_SMS_PROVIDER="fake")
    assert result.returncode == 1
    assert f"OneWindow refuses to start the Celery {process}" in result.stderr
    assert "(onewindow.E003)" in result.stderr


def test_a_correctly_configured_production_web_server_starts(tmp_path: Path):
    result = _start(tmp_path, WSGI)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "refuses to start" not in result.stderr


def test_check_deploy_lists_the_same_problems(tmp_path: Path):
    result = _start(
        tmp_path,
        [str(ONEWINDOW), "check", "--deploy"],
        ONEWINDOW_SMS_PROVIDER="fake",
        ONEWINDOW_DEMO="1",
        SECRET_KEY=DEV_SECRET_KEY,
    )
    assert result.returncode != 0
    for code in ("E003", "E004", "E005"):
        assert f"onewindow.{code}" in result.stderr
