"""Under production settings, Django's deployment checks pass at WARNING level, and missing
secrets stop the process instead of running insecurely."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from onewindow.core.crypto.signers import Ed25519Signer, Sm2Signer
from onewindow.notify.messages import IN_APP_ONLY, SMS_TEMPLATES
from onewindow.sso.keys import generate_rsa_pem

ONEWINDOW = Path(sys.executable).with_name("onewindow")


def _rsa_public_pem(private_pem: str) -> str:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _licence_keys() -> dict[str, str]:
    ed, sm2 = Ed25519Signer.generate(), Sm2Signer.generate()
    assert ed.private_key is not None and sm2.private_key is not None
    return {
        "ONEWINDOW_LICENCE_KEY_EDDSA": base64.b64encode(ed.private_key).decode(),
        "ONEWINDOW_LICENCE_KEY_SM2": f"{sm2.private_key.hex()}:{sm2.public_key.hex()}",
    }


# Every template a resident is sent by SMS needs the vendor's approved template; the ones
# told to staff only in-app do not.
RESIDENT_SMS_TEMPLATES = sorted(set(SMS_TEMPLATES) - IN_APP_ONLY)


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
        ONEWINDOW_AUDIT_KEYS="a1:" + base64.b64encode(os.urandom(32)).decode(),
        ONEWINDOW_SMS_PROVIDER="aliyun",
        SMS_ALIYUN_ACCESS_KEY_ID="LTAI-example",
        SMS_ALIYUN_ACCESS_KEY_SECRET=secrets.token_urlsafe(24),
        SMS_ALIYUN_TEMPLATES=",".join(
            f"{code}:SMS_{i}" for i, code in enumerate(RESIDENT_SMS_TEMPLATES, start=1)
        ),
        ONEWINDOW_SMS_RECEIPT_TOKEN=secrets.token_urlsafe(32),
        ONEWINDOW_OIDC_RSA_KEY=generate_rsa_pem(),
        # A real payment gateway with the merchant's keys, not the sandbox.
        ONEWINDOW_PAYMENTS_GATEWAY="alipay",
        ONEWINDOW_PAYMENTS_ALIPAY_APP_ID="2021000000000001",
        ONEWINDOW_PAYMENTS_ALIPAY_PRIVATE_KEY=generate_rsa_pem(),
        ONEWINDOW_PAYMENTS_ALIPAY_PUBLIC_KEY=_rsa_public_pem(generate_rsa_pem()),
        # A real courier with the platform's credentials.
        ONEWINDOW_DELIVERY_COURIER="sf",
        ONEWINDOW_DELIVERY_SF_PARTNER_ID="GZZWFW",
        ONEWINDOW_DELIVERY_SF_CHECK_WORD=secrets.token_urlsafe(24),
        DJANGO_SETTINGS_MODULE="onewindow.config.base",
        **_licence_keys(),
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


def test_check_deploy_warns_when_sms_receipts_have_no_secret(tmp_path: Path):
    """Without the receipt URL's secret no message is ever marked delivered or failed."""
    env = _production_env(tmp_path)
    env["ONEWINDOW_SMS_RECEIPT_TOKEN"] = "short"
    result = subprocess.run(
        [str(ONEWINDOW), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "onewindow.W004" in result.stderr


# Each production safety check fails while its condition holds (and, by the test above, passes
# otherwise). The checks are independent, so one run can hold several conditions.
SANDBOX_OWN_KEYS = {
    "ONEWINDOW_PAYMENTS_GATEWAY": "sandbox",
    "ONEWINDOW_PAYMENTS_SANDBOX_KEY": "a-key-of-our-own",
    "ONEWINDOW_PAYMENTS_APP_ID": "gz-onewindow",
}
UNSAFE = {
    "sandbox gateway, runtime SM2 key, fake courier": (
        {**SANDBOX_OWN_KEYS, "ONEWINDOW_LICENCE_KEY_SM2": "", "ONEWINDOW_DELIVERY_COURIER": "fake"},
        {"E010", "E020", "E030"},
    ),
    "sandbox demo key and merchant, broken Ed25519 key, SF without check word": (
        {
            "ONEWINDOW_PAYMENTS_GATEWAY": "sandbox",
            "ONEWINDOW_LICENCE_KEY_EDDSA": "not-a-key",
            "ONEWINDOW_DELIVERY_SF_CHECK_WORD": "",
        },
        {"E010", "E011", "E021", "E031"},
    ),
    "sandbox demo merchant only, courier sandbox": (
        {
            **SANDBOX_OWN_KEYS,
            "ONEWINDOW_PAYMENTS_APP_ID": "",
            "ONEWINDOW_DELIVERY_COURIER": "sandbox",
        },
        {"E010", "E011", "E030"},
    ),
    "Alipay's sandbox, SF's sandbox": (
        {
            "ONEWINDOW_PAYMENTS_ALIPAY_URL": "https://openapi-sandbox.dl.alipaydev.com/gateway.do",
            "ONEWINDOW_DELIVERY_SF_URL": "https://sfapi-sbox.sf-express.com/std/service",
        },
        {"E010", "E030"},
    ),
    "Alipay without the merchant key, no licence keys": (
        {
            "ONEWINDOW_PAYMENTS_ALIPAY_PRIVATE_KEY": "",
            "ONEWINDOW_LICENCE_KEY_EDDSA": "",
            "ONEWINDOW_LICENCE_KEY_SM2": "",
        },
        {"E012", "E020"},
    ),
}
OURS = {"E010", "E011", "E012", "E020", "E021", "E030", "E031"}


@pytest.mark.parametrize("case", list(UNSAFE))
def test_production_safety_checks_fail_while_their_condition_holds(tmp_path: Path, case: str):
    changes, expected = UNSAFE[case]
    env = _production_env(tmp_path)
    for name, value in changes.items():
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    result = subprocess.run(
        [str(ONEWINDOW), "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    found = {code for code in OURS if f"onewindow.{code}" in result.stderr}
    assert found == expected, result.stderr


def test_an_sms_template_residents_are_sent_must_be_mapped_for_the_vendor(tmp_path: Path):
    env = _production_env(tmp_path)
    env["SMS_ALIYUN_TEMPLATES"] = ",".join(
        f"{code}:SMS_{i}"
        for i, code in enumerate(RESIDENT_SMS_TEMPLATES)
        if code != "case_submitted"
    )
    result = subprocess.run(
        [str(ONEWINDOW), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert (
        "onewindow.E002) SMS provider 'aliyun' has no vendor template for ['case_submitted']"
        in (result.stderr + result.stdout)
    )
