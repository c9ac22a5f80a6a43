"""The Content-Security-Policy in Chromium: a resident's consent to a department system on
another origin is redirected there (form-action names the registered clients' origins), and
the conftest's watch does catch a violation (here the same walk with form-action 'self'
only, which Chromium enforces on the consent POST's redirect)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from onewindow.audit.services import Actor
from onewindow.core import csp
from onewindow.sso.services import client_register
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import CSP_VIOLATIONS, assert_accessible
from tests.e2e.helpers import log_in


def _other_origin(live_url: str) -> str:
    """The live server under another name: another origin to the browser."""
    parts = urlsplit(live_url)
    other = "127.0.0.1" if parts.hostname == "localhost" else "localhost"
    return f"http://{other}:{parts.port}"


def _authorize_url(client_id: str, redirect_uri: str) -> str:
    verifier = "v" * 50
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid profile",
        "state": "st-" + secrets.token_hex(4),
        "nonce": "n-" + secrets.token_hex(4),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return "/o/authorize/?" + urlencode(params)


def _consent_walk(page: Page, live_server: Any) -> str:
    redirect_uri = _other_origin(live_server.url) + "/department-system/callback/"
    credentials = client_register(
        actor=Actor.system("test"),
        name="住房保障系统",
        redirect_uris=[redirect_uri],
        post_logout_redirect_uris=[],
    )
    person: Any = PersonFactory(name="张三")
    log_in(page, person.user, base_url=live_server.url)
    page.goto(_authorize_url(credentials.client_id, redirect_uri))
    expect(page.get_by_role("heading", level=1)).to_contain_text("请求使用您的一网通办账号登录")
    assert_accessible(page)
    page.get_by_role("button", name="同意并登录").click()
    return redirect_uri


@pytest.mark.django_db(transaction=True)
def test_consent_is_redirected_to_a_client_on_another_origin(page: Page, live_server: Any) -> None:
    redirect_uri = _consent_walk(page, live_server)
    page.wait_for_url(redirect_uri + "?*")
    assert "code=" in page.url
    # (the department system is not there: the live server's own 404 page answers)
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")


@pytest.mark.django_db(transaction=True)
def test_the_watch_reports_a_form_action_violation(
    page: Page, live_server: Any, settings: Any
) -> None:
    settings.CSP_FORM_ACTION_SOURCES = []
    csp._sources.cache_clear()
    cache.clear()
    try:
        _consent_walk(page, live_server)
        page.wait_for_timeout(1000)
        assert page.url.startswith(live_server.url + "/o/authorize/")  # not redirected
        found = list(CSP_VIOLATIONS)
        assert any("form-action" in line for line in found), found
    finally:
        CSP_VIOLATIONS.clear()  # expected here: the test's hook must not fail it
        csp._sources.cache_clear()
