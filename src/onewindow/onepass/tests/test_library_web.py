"""The library's web system as a relying party: it refuses a callback it did not start, a
state that differs, a provider that names another issuer and a refused code exchange."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.onepass.library_web import client
from onewindow.onepass.selectors import library_web_client

ISSUER = "http://testserver/o"


class Stub:
    def __init__(self, discovery: dict[str, Any], token: tuple[int, dict[str, Any]]) -> None:
        self.discovery, self.token = discovery, token

    def get_json(self, url: str, bearer: str | None = None) -> Any:
        return 200, self.discovery

    def post_form(self, url: str, data: dict[str, str], auth: tuple[str, str]) -> Any:
        return self.token


def finish(**kwargs: Any) -> dict[str, Any]:
    values = {
        "issuer": ISSUER,
        "code": "c",
        "received_iss": [ISSUER],
        "redirect_uri": "http://testserver/cb",
        "verifier": "v",
        "nonce": "n",
    } | kwargs
    return client.login_finish(**values)


def test_another_issuer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "transport", Stub({"issuer": "http://evil/o"}, (200, {})))
    with pytest.raises(client.LoginRejected, match="discovery"):
        finish()
    monkeypatch.setattr(client, "transport", Stub({"issuer": ISSUER}, (200, {})))
    with pytest.raises(client.LoginRejected, match="another issuer"):
        finish(received_iss=["http://evil/o"])


def test_a_refused_code_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    stub = Stub({"issuer": ISSUER}, (400, {"error": "invalid_grant"}))
    monkeypatch.setattr(client, "transport", stub)
    with pytest.raises(client.LoginRejected, match="invalid_grant"):
        finish()


@pytest.mark.django_db
def test_a_callback_it_did_not_start_logs_nobody_in() -> None:
    browser = Client()
    answer = browser.get("/onepass/library-web/callback/?code=x&state=y")
    assert answer.status_code == 302 and answer["Location"] == "/onepass/library-web/?error=1"
    page = browser.get(answer["Location"])
    assert "登录没有完成，请重新登录。" in page.content.decode()


@pytest.mark.django_db
def test_a_state_that_differs_logs_nobody_in() -> None:
    browser = Client()
    start = browser.post("/onepass/library-web/login/")
    assert start.status_code == 302 and "code_challenge_method=S256" in start["Location"]
    answer = browser.get("/onepass/library-web/callback/?code=x&state=not-the-state")
    assert answer["Location"] == "/onepass/library-web/?error=1"


def test_the_client_registration_the_library_needs() -> None:
    spec = library_web_client(base_urls=["http://127.0.0.1:8000/"])
    assert spec.as_kwargs() == {
        "name": "广州图书馆读者服务网站（演示）",
        "client_id": "library-web-gzlib",
        "redirect_uris": ["http://127.0.0.1:8000/onepass/library-web/callback/"],
        "post_logout_redirect_uris": ["http://127.0.0.1:8000/onepass/library-web/"],
        "extra_scopes": ["realname"],
    }
