"""The demo relying party logs a resident in through the provider, verifying the ID token;
a tampered token or a forged callback leaves it logged out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.sso.demo_rp import client as rp
from onewindow.sso.seed import demo_client_seed
from onewindow.sso.tests.conftest import ClientTransport
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _log_in_through_provider(browser: Client) -> Any:
    start = browser.post("/demo-rp/login/")
    assert start.status_code == 302 and "/o/authorize/" in start["Location"]
    consent = browser.get(start["Location"])
    assert consent.status_code == 200
    data = {k: v for k, v in consent.context["form"].initial.items() if v is not None}
    data["allow"] = "同意"
    back = browser.post("/o/authorize/", data)
    assert back["Location"].startswith("http://testserver/demo-rp/callback/?code=")
    return browser.get(back["Location"], follow=True)


def test_resident_logs_in_to_the_department_system(transport: ClientTransport):
    person: Any = PersonFactory(name="张三")
    browser = Client()
    browser.force_login(person.user)
    page = _log_in_through_provider(browser).content.decode()
    assert "已通过一网通办登录：张*" in page


def test_a_mutated_id_token_signature_is_refused(transport: ClientTransport):
    def flip(token: str) -> str:
        header, payload, signature = token.split(".")
        swapped = "A" if signature[5] != "A" else "B"
        return f"{header}.{payload}.{signature[:5]}{swapped}{signature[6:]}"

    transport.tamper = flip
    browser = Client()
    resident: Any = PersonFactory(name="张三")
    browser.force_login(resident.user)
    page = _log_in_through_provider(browser).content.decode()
    assert "已通过一网通办登录" not in page and "登录没有完成" in page


def test_a_callback_without_a_login_started_here_is_refused(transport: ClientTransport):
    browser = Client()
    page = browser.get("/demo-rp/callback/?code=abc&state=forged", follow=True).content.decode()
    assert "已通过一网通办登录" not in page and "登录没有完成" in page


def test_logout_goes_through_the_provider_back_to_the_system(transport: ClientTransport):
    browser = Client()
    resident: Any = PersonFactory(name="张三")
    browser.force_login(resident.user)
    _log_in_through_provider(browser)
    out = browser.post("/demo-rp/logout/")
    assert "/o/logout/?id_token_hint=" in out["Location"]
    confirm = browser.get(out["Location"])
    assert confirm.status_code == 200 and "退出一网通办登录" in confirm.content.decode()
    data = {k: v for k, v in confirm.context["form"].initial.items() if v is not None}
    data["allow"] = "1"
    done = browser.post("/o/logout/", data)
    assert done.status_code == 302 and done["Location"] == "http://testserver/demo-rp/"
    assert "_auth_user_id" not in browser.session


def test_demo_seed_is_idempotent(transport: ClientTransport):
    from oauth2_provider.models import Application

    demo_client_seed(base_urls=["http://testserver"])
    assert Application.objects.filter(client_id=rp.CLIENT_ID).count() == 1


def test_library_seed_registers_the_library_once_with_its_callback_and_secret():
    from django.contrib.auth.hashers import check_password
    from oauth2_provider.models import Application

    from onewindow.onepass.selectors import library_web_client, library_web_secret
    from onewindow.sso.models import ClientPolicy
    from onewindow.sso.seed import library_client_seed

    spec = library_web_client(base_urls=["http://127.0.0.1:8000"])
    library_client_seed(base_urls=["http://127.0.0.1:8000"])
    library_client_seed(base_urls=["http://127.0.0.1:8000"])
    application = Application.objects.get(client_id=spec.client_id)
    assert application.redirect_uris == "http://127.0.0.1:8000/onepass/library-web/callback/"
    assert ClientPolicy.objects.get(application=application).extra_scopes == ["realname"]
    assert check_password(library_web_secret(), application.client_secret)
