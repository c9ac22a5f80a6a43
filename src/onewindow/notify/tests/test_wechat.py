"""WeChat official-account messages: the adapter against a local server that speaks
WeChat's protocol (token, template send, errcodes, slow answers, garbage), and the
notification flow: a template with WeChat fields, a refusal (43101) told by SMS instead,
and the TEMPLATESENDJOBFINISH event as a delivery receipt."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache
from django.test import Client

from onewindow.audit.services import Actor
from onewindow.core.errors import ValidationFailed
from onewindow.notify import services
from onewindow.notify.models import Delivery, SmsMessage
from onewindow.notify.providers.base import ProviderError, WechatRequest
from onewindow.notify.providers.wechat import WechatOfficialAccountProvider, signature
from onewindow.testing.factories import user_of

APPID, SECRET = "wx1234567890abcdef", "app-secret"


class FakeWechat(BaseHTTPRequestHandler):
    tokens_issued: list[str] = []
    valid_tokens: set[str] = set()
    sends: list[dict[str, Any]] = []
    refusing: set[str] = set()
    mode = ""  # "slow", "garbage", "busy"

    def _answer(self, body: Any, raw: bytes | None = None) -> None:
        payload = raw if raw is not None else json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path != "/cgi-bin/token" or query.get("grant_type") != "client_credential":
            return self._answer({"errcode": 40002, "errmsg": "invalid grant_type"})
        if (query.get("appid"), query.get("secret")) != (APPID, SECRET):
            return self._answer({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"TOKEN-{len(FakeWechat.tokens_issued) + 1}"
        FakeWechat.tokens_issued.append(token)
        FakeWechat.valid_tokens = {token}
        self._answer({"access_token": token, "expires_in": 7200})

    def do_POST(self) -> None:
        url = urlparse(self.path)
        token = parse_qs(url.query).get("access_token", [""])[0]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if FakeWechat.mode == "slow":
            time.sleep(1.5)
        if FakeWechat.mode == "garbage":
            return self._answer(None, raw=b"<html>502 Bad Gateway</html>")
        if token not in FakeWechat.valid_tokens:
            return self._answer({"errcode": 40001, "errmsg": "invalid credential"})
        if FakeWechat.mode == "busy":
            return self._answer({"errcode": -1, "errmsg": "system error"})
        if url.path not in {"/cgi-bin/message/template/send", "/cgi-bin/message/subscribe/bizsend"}:
            return self._answer({"errcode": 404, "errmsg": "not found"})
        if body.get("touser") in FakeWechat.refusing:
            return self._answer({"errcode": 43101, "errmsg": "user refuse to accept the msg"})
        FakeWechat.sends.append({"path": url.path, **body})
        self._answer({"errcode": 0, "errmsg": "ok", "msgid": 200228330 + len(FakeWechat.sends)})

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def wechat(settings: Any) -> Iterator[str]:
    FakeWechat.tokens_issued, FakeWechat.valid_tokens, FakeWechat.sends = [], set(), []
    FakeWechat.refusing, FakeWechat.mode = set(), ""
    cache.delete(f"notify:wechat:token:{APPID}")
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeWechat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api = f"http://127.0.0.1:{server.server_address[1]}"
    settings.NOTIFY_WECHAT_PROVIDER = "wechat"
    settings.NOTIFY_WECHAT_APPID, settings.NOTIFY_WECHAT_SECRET = APPID, SECRET
    settings.NOTIFY_WECHAT_API = api
    yield api
    server.shutdown()
    cache.delete(f"notify:wechat:token:{APPID}")


OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
REQUEST = WechatRequest(
    message_id=9,
    openid=OPENID,
    template_id="TPL-case-submitted",
    data={"thing1": "婚姻登记", "character_string2": "GZ2026120400001"},
    url="https://gov.example/cases/GZ2026120400001/",
)


def provider(api: str, timeout: float = 5.0) -> WechatOfficialAccountProvider:
    return WechatOfficialAccountProvider(appid=APPID, secret=SECRET, api=api, timeout=timeout)


def test_a_template_message_is_sent_with_a_cached_token(wechat: str) -> None:
    first = provider(wechat).send(REQUEST)
    second = provider(wechat).send(REQUEST)
    assert first.accepted and first.provider_message_id == "200228331"
    assert second.accepted and FakeWechat.tokens_issued == ["TOKEN-1"]  # fetched once
    sent = FakeWechat.sends[0]
    assert sent == {
        "path": "/cgi-bin/message/template/send",
        "touser": OPENID,
        "template_id": "TPL-case-submitted",
        "client_msg_id": "onewindow-9",
        "url": "https://gov.example/cases/GZ2026120400001/",
        "data": {
            "thing1": {"value": "婚姻登记"},
            "character_string2": {"value": "GZ2026120400001"},
        },
    }


def test_an_expired_token_is_fetched_again_once(wechat: str) -> None:
    assert provider(wechat).send(REQUEST).accepted
    FakeWechat.valid_tokens = set()  # WeChat expired TOKEN-1 early (another client refreshed)
    result = provider(wechat).send(REQUEST)
    assert result.accepted and FakeWechat.tokens_issued == ["TOKEN-1", "TOKEN-2"]


def test_a_refusal_a_busy_server_garbage_and_slowness(wechat: str) -> None:
    FakeWechat.refusing = {OPENID}
    refused = provider(wechat).send(REQUEST)
    assert not refused.accepted and refused.refused and not refused.retryable
    assert refused.error.startswith("43101")
    FakeWechat.refusing, FakeWechat.mode = set(), "busy"
    busy = provider(wechat).send(REQUEST)
    assert not busy.accepted and busy.retryable and not busy.refused
    FakeWechat.mode = "garbage"
    with pytest.raises(ProviderError, match="non-JSON"):
        provider(wechat).send(REQUEST)
    FakeWechat.mode = "slow"
    with pytest.raises(ProviderError, match="unreachable"):
        provider(wechat, timeout=0.5).send(REQUEST)


def test_a_subscription_message_goes_to_bizsend(wechat: str) -> None:
    subscribe = WechatRequest(
        message_id=10, openid=OPENID, template_id="SUB-1", data={"thing1": "x"}, kind="subscribe"
    )
    assert provider(wechat).send(subscribe).accepted
    assert FakeWechat.sends[0]["path"] == "/cgi-bin/message/subscribe/bizsend"
    assert "client_msg_id" not in FakeWechat.sends[0]


def test_wrong_credentials_fail_as_a_provider_error(wechat: str) -> None:
    with pytest.raises(ProviderError, match="40125"):
        WechatOfficialAccountProvider(appid=APPID, secret="wrong", api=wechat).send(REQUEST)


# --- the notification flow -------------------------------------------------------------------

PARAMS = {"service": "婚姻登记", "number": "GZ2026120400001"}


def wechat_template() -> None:
    services.template_save(
        code="case_submitted",
        fields=services.TemplateFields(
            params=("service", "number"),
            limits={"service": 20, "number": 32},
            title="申请已提交",
            body="您申请的{service}（办件编号{number}）已提交，我们将尽快审核办理。",
            wechat_template_id="TPL-case-submitted",
            wechat_fields={"thing1": "{service}", "character_string2": "{number}"},
        ),
        actor=Actor.system("test"),
    )


def bound_resident(resident: Any, *, channels: set[str]) -> Any:
    user = user_of(resident)
    services.preferences_update(
        user_id=user.pk, actor=Actor.from_user(user), wechat_openid=OPENID, channels=channels
    )
    return user


def tell(user: Any, key: str) -> services.Told:
    return services.notify_tell(
        recipient=services.Recipient(user_id=user.pk, phone="13800138000"),
        template="case_submitted",
        params=PARAMS,
        kind="case",
        source_key=key,
        link="/cases/GZ2026120400001/",
    )


@pytest.mark.django_db
def test_a_resident_on_wechat_gets_the_template_message(
    resident: Any, wechat: str, django_capture_on_commit_callbacks: Any
) -> None:
    wechat_template()
    user = bound_resident(resident, channels={"inapp", "wechat"})
    with django_capture_on_commit_callbacks(execute=True):
        told = tell(user, "case-news:1")
    assert (told.message, told.sms, told.wechat) == (True, False, True)
    (sent,) = FakeWechat.sends
    assert sent["data"] == {
        "thing1": {"value": "婚姻登记"},
        "character_string2": {"value": "GZ2026120400001"},
    }
    assert sent["url"] == "http://127.0.0.1:8000/cases/GZ2026120400001/"
    row = Delivery.objects.get(channel="wechat")
    assert row.status == Delivery.Status.SENT and row.provider_message_id == "200228331"
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db
def test_a_refused_wechat_message_is_sent_by_sms_once(
    resident: Any, wechat: str, fake_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    wechat_template()
    user = bound_resident(resident, channels={"inapp", "wechat"})
    FakeWechat.refusing = {OPENID}
    with django_capture_on_commit_callbacks(execute=True):
        tell(user, "case-news:2")
    row = Delivery.objects.get(channel="wechat")
    assert row.status == Delivery.Status.FELL_BACK and row.last_error.startswith("43101")
    sms = SmsMessage.objects.get()
    assert sms.source_key == "case-news:2" and sms.status == SmsMessage.Status.DELIVERED
    assert [req.phone for _, req in fake_sms.sent] == ["13800138000"]
    # told the same again: nothing more by either channel
    with django_capture_on_commit_callbacks(execute=True):
        tell(user, "case-news:2")
    assert SmsMessage.objects.count() == 1 and len(fake_sms.sent) == 1


@pytest.mark.django_db
def test_a_template_without_wechat_fields_goes_by_sms(
    resident: Any, wechat: str, fake_sms: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = bound_resident(resident, channels={"inapp", "wechat"})
    with django_capture_on_commit_callbacks(execute=True):
        told = tell(user, "case-news:3")
    assert (told.wechat, told.sms) == (False, True)
    assert not Delivery.objects.exists() and FakeWechat.sends == []


@pytest.mark.django_db
def test_a_wechat_field_longer_than_its_type_allows_is_refused_at_save() -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.template_save(
            code="case_submitted",
            fields=services.TemplateFields(
                params=("service", "number"),
                title="申请已提交",
                body="您申请的{service}（办件编号{number}）已提交。",
                wechat_template_id="TPL",
                wechat_fields={"thing1": "事项：{service}", "character_string2": "{number}"},
            ),
            actor=Actor.system("test"),
        )
    messages = [(e.field, str(e.message)) for e in refused.value.errors]
    assert messages == [
        ("wechat_fields", "微信模板字段“thing1”最长可达38字，超过该类字段20字的上限"),
        ("wechat_fields", "微信模板字段“character_string2”最长可达35字，超过该类字段32字的上限"),
    ]


# --- the event push: TEMPLATESENDJOBFINISH ---------------------------------------------------

EVENT = """<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>
<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>1395658920</CreateTime>
<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>
<MsgID>{msgid}</MsgID><Status><![CDATA[{status}]]></Status></xml>"""


def event_url(token: str, *, timestamp: str = "1395658920", nonce: str = "n0nce") -> str:
    sig = signature(token, timestamp, nonce)
    return f"/notify/wechat/events/?signature={sig}&timestamp={timestamp}&nonce={nonce}"


@pytest.mark.django_db
def test_the_send_event_marks_the_message_delivered_once(
    resident: Any, wechat: str, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFY_WECHAT_TOKEN = "server-token"
    wechat_template()
    user = bound_resident(resident, channels={"inapp", "wechat"})
    with django_capture_on_commit_callbacks(execute=True):
        tell(user, "case-news:4")
    row = Delivery.objects.get(channel="wechat")
    body = EVENT.format(openid=OPENID, msgid=row.provider_message_id, status="success")
    client = Client()
    answer = client.post(event_url("server-token"), body, content_type="text/xml")
    assert answer.status_code == 200 and answer.content == b"success"
    row.refresh_from_db()
    assert row.status == Delivery.Status.DELIVERED
    failed = EVENT.format(openid=OPENID, msgid=row.provider_message_id, status="failed:user block")
    assert (
        client.post(event_url("server-token"), failed, content_type="text/xml").status_code == 200
    )
    row.refresh_from_db()
    assert row.status == Delivery.Status.DELIVERED  # the first word stands
    forged = client.post(event_url("guess"), body, content_type="text/xml")
    assert forged.status_code == 403
    assert (
        client.post(event_url("server-token"), b"<xml", content_type="text/xml").status_code == 400
    )
    # WeChat's check of the server URL echoes echostr
    check = client.get(event_url("server-token") + "&echostr=4711")
    assert check.status_code == 200 and check.content == b"4711"


def test_the_deploy_check_names_what_a_real_wechat_account_lacks(settings: Any) -> None:
    from onewindow.notify.checks import other_channels_configured

    settings.NOTIFY_WECHAT_PROVIDER = "wechat"
    settings.NOTIFY_WECHAT_APPID = settings.NOTIFY_WECHAT_SECRET = settings.NOTIFY_WECHAT_TOKEN = ""
    assert [p.id for p in other_channels_configured(None)] == ["onewindow.E061", "onewindow.W060"]
    settings.NOTIFY_WECHAT_APPID, settings.NOTIFY_WECHAT_SECRET = APPID, SECRET
    settings.NOTIFY_WECHAT_TOKEN = "server-token"
    assert other_channels_configured(None) == []
