"""Under production settings, Django's deployment checks pass at WARNING level, and missing
secrets stop the process instead of running insecurely."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

from onewindow.sso.keys import generate_rsa_pem

ONEWINDOW = Path(sys.executable).with_name("onewindow")


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ONEWINDOW_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        ONEWINDOW_ENV="production",
        ONEWINDOW_VAR_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="onewindow.example.gov.cn",
        ONEWINDOW_DATA_KEYS="k1:" + base64.b64encode(os.urandom(32)).decode(),
        ONEWINDOW_INDEX_KEY=base64.b64encode(os.urandom(32)).decode(),
        ONEWINDOW_SMS_PROVIDER="aliyun",
        SMS_ALIYUN_ACCESS_KEY_ID="LTAI-example",
        SMS_ALIYUN_ACCESS_KEY_SECRET=secrets.token_urlsafe(24),
        SMS_ALIYUN_TEMPLATES="login_code:SMS_1,case_update:SMS_2,notice:SMS_3,appointment_reminder:SMS_4",
        ONEWINDOW_OIDC_RSA_KEY=generate_rsa_pem(),
        DJANGO_SETTINGS_MODULE="onewindow.config.base",
    )
    return env


def test_check_deploy_passes_under_production_settings(tmp_path: Path):
    result = subprocess.run(
        [str(ONEWINDOW), "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path: Path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run(
        [str(ONEWINDOW), "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_data_keys(tmp_path: Path):
    env = _production_env(tmp_path)
    del env["ONEWINDOW_DATA_KEYS"]
    result = subprocess.run(
        [str(ONEWINDOW), "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "ONEWINDOW_DATA_KEYS" in result.stderr


def test_check_deploy_fails_when_the_sms_gateway_is_not_configured(tmp_path: Path):
    env = _production_env(tmp_path)
    del env["SMS_ALIYUN_ACCESS_KEY_SECRET"]
    result = subprocess.run(
        [str(ONEWINDOW), "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "onewindow.E001" in result.stderr
