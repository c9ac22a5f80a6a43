"""Helpers for browser tests: log a user into the Playwright context without the login UI
(the login pages have their own tests), and small page measurements."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page


def log_in(page: Page, user: Any, *, base_url: str, otp_verified: bool = False) -> None:
    """Give the page's browser context a logged-in session for ``user``. With
    ``otp_verified`` the session also records a confirmed TOTP device, as a completed
    staff login would."""
    client = Client()
    client.force_login(user)
    if otp_verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        assert device is not None, "staff test user needs a confirmed TOTP device"
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def root_font_px(page: Page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)"))


def body_font_px(page: Page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def has_no_horizontal_scroll(page: Page) -> bool:
    width = page.viewport_size["width"] if page.viewport_size else 390
    return bool(page.evaluate(f"document.documentElement.scrollWidth <= {width}"))


class Screenshots:
    """Full-page screenshots for the docs, saved as ``<prefix>-<name>.png`` in the folder
    ``ONEWINDOW_SCREENSHOTS`` names; nothing at all when it is unset."""

    def __init__(self, prefix: str) -> None:
        folder = os.environ.get("ONEWINDOW_SCREENSHOTS")
        self.prefix = prefix
        self.folder = Path(folder) if folder else None

    def __call__(self, page: Page, name: str) -> None:
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{self.prefix}-{name}.png"
            page.screenshot(path=str(path), full_page=True)
