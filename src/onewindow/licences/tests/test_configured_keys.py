"""Licence signing keys from the environment: the configured key signs (a runtime key made
earlier is retired and still verifies), changing the configuration rotates, a malformed value
is refused, and production never generates a key at runtime."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.licences.keys import signing_key_active, signing_key_rotate
from onewindow.licences.models import SigningKey
from onewindow.licences.services import licence_issue
from onewindow.licences.verification import licence_verify
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _generated() -> dict[str, str]:
    out = io.StringIO()
    call_command("licence_keys_generate", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    return {
        "EdDSA": lines["ONEWINDOW_LICENCE_KEY_EDDSA"],
        "SM2": lines["ONEWINDOW_LICENCE_KEY_SM2"],
    }


def _issue(code: str = "business-licence") -> Any:
    return licence_issue(
        actor=Actor.system("test"), licence_type_code=code, holder_person=PersonFactory()
    )


def test_the_configured_keys_sign_and_earlier_runtime_keys_stay_published(settings):
    settings.LICENCES_SIGNING_KEYS = {"EdDSA": "", "SM2": ""}
    old = _issue()  # signed with a key generated on first use
    settings.LICENCES_SIGNING_KEYS = _generated()
    new, endorsement = _issue(), _issue("hk-macau-endorsement")
    assert new.kid.startswith("ed-cfg-") and endorsement.kid.startswith("sm2-cfg-")
    assert SigningKey.objects.get(kid=old.kid).active is False
    for licence in (old, new, endorsement):
        assert licence_verify(licence.jws).result == "valid"
    assert AuditEvent.objects.filter(action="licences.signingkey.configure").count() == 2
    assert _issue().kid == new.kid  # adopted once


def test_changing_the_configured_key_rotates(settings):
    settings.LICENCES_SIGNING_KEYS = _generated()
    first = _issue()
    settings.LICENCES_SIGNING_KEYS = _generated()
    second = _issue()
    assert first.kid != second.kid
    assert SigningKey.objects.filter(algorithm="EdDSA", active=True).get().kid == second.kid
    assert licence_verify(first.jws).result == "valid"
    with pytest.raises(ImproperlyConfigured):
        signing_key_rotate(actor=Actor.system("test"), alg="EdDSA")
    with pytest.raises(CommandError, match="ONEWINDOW_LICENCE_KEY_EDDSA"):
        call_command("licence_keys_rotate", "EdDSA")


@pytest.mark.parametrize(
    "alg,value",
    [
        ("EdDSA", "not base64!"),
        ("EdDSA", "AAAA"),  # too short
        ("SM2", "00" * 32),  # no public half
        ("SM2", "11" * 32 + ":" + "22" * 64),  # not a pair
    ],
)
def test_a_malformed_key_is_refused(settings, alg, value):
    settings.LICENCES_SIGNING_KEYS = {alg: value}
    with pytest.raises(ImproperlyConfigured):
        signing_key_active(alg=alg)
    assert not SigningKey.objects.exists()


def test_production_never_generates_a_key_at_runtime(settings):
    settings.PRODUCTION = True
    settings.LICENCES_SIGNING_KEYS = {"EdDSA": "", "SM2": ""}
    with pytest.raises(ImproperlyConfigured, match="ONEWINDOW_LICENCE_KEY_EDDSA"):
        signing_key_active(alg="EdDSA")
    assert not SigningKey.objects.exists()
    settings.LICENCES_SIGNING_KEYS = _generated()
    assert signing_key_active(alg="SM2").kid.startswith("sm2-cfg-")
