"""Test clients as the pages see people: a staff member logged in with password and a
verified authenticator (the workbench refuses staff without the second factor)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from onewindow.identity.models import User


def staff_client(user: User) -> Client:
    """A client logged in as ``user`` with its TOTP device verified for the session."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client
