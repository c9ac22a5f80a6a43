"""The real adapters over HTTP against local servers that speak their protocols: the
OneWindow bill-provider interface (HMAC-signed) and Alipay's electronic bills (RSA2) —
normal answers, slow answers (timeouts), 5xx errors, garbage, forged or unsigned answers
and hostile data, which is quarantined with a reason and never shown."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from onewindow.bills import selectors, services
from onewindow.bills.models import Bill, Contribution, ProviderSyncState, Quarantine
from onewindow.bills.providers import signing
from onewindow.bills.providers.base import ProviderError, ProviderMalformed
from onewindow.bills.providers.openapi import OpenApiProvider
from onewindow.bills.tests.servers import alipay_handler, openapi_handler, serve
from onewindow.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
SECRET = "test-shared-secret"
HOLDERS = {
    "MOB1001": "张*明",
    "SI2001": "张小明",
    "SLOW3001": "张*明",
    "ERR4001": "张*明",
    "GARBAGE5001": "张*明",
    "UNSIGNED6001": "张*明",
    "HOSTILE7001": "张*明",
    "OTHER8001": "张*明",
    "WANG9001": "王*锤",
}


@pytest.fixture
def openapi_url() -> Iterator[str]:
    with serve(openapi_handler(secret=SECRET, holders=HOLDERS)) as url:
        yield url + "/provider"


@pytest.fixture
def providers(settings, openapi_url):
    common = {
        "adapter": "openapi",
        "base_url": openapi_url,
        "client_id": "onewindow",
        "secret": SECRET,
        "timeout": 1.0,
    }
    settings.BILLS_PROVIDERS = {
        "gd-mobile": {"name": "中国移动广东公司", "kind": "mobile", **common},
        "gz-si": {"name": "广州市社会保险基金管理中心", "kind": "social_insurance", **common},
    }
    return settings.BILLS_PROVIDERS


def _bind(resident, code: str, number: str):
    return services.subscription_bind(user=resident.user, provider_code=code, account_number=number)


def test_openapi_bind_and_fetch(resident, summer, providers) -> None:
    sub = _bind(resident, "gd-mobile", "MOB1001")
    assert sub.holder_name == "张*明"
    assert services.subscription_sync(subscription_id=sub.pk).status == "ok"
    july = Bill.objects.get(subscription=sub, period="2026-07")
    assert (july.amount, july.paid, str(july.due_on)) == (Decimal("88.00"), False, "2026-08-25")
    si = _bind(resident, "gz-si", "SI2001")
    services.subscription_sync(subscription_id=si.pk)
    assert Contribution.objects.filter(subscription=si).count() == 13
    assert [g.period for g in selectors.contribution_gaps(person_id=resident.pk)] == ["2026-03"]


def test_openapi_refuses_unknown_and_other_peoples_accounts(resident, summer, providers) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _bind(resident, "gd-mobile", "MOB0000")
    assert str(exc.value.errors[0].message).startswith("未在中国移动广东公司查到该户号")
    with pytest.raises(ValidationFailed) as exc:
        _bind(resident, "gd-mobile", "WANG9001")
    assert str(exc.value.errors[0].message) == "该户号登记的户主与您的实名信息不一致，不能绑定"
    assert not resident.bill_subscriptions.exists()


@pytest.mark.parametrize(
    ("account", "status", "reason"),
    [
        ("SLOW3001", "failed", "应答超时：timeout after 1 s"),
        ("ERR4001", "failed", None),
        ("GARBAGE5001", "failed", "应答不是JSON"),
        ("UNSIGNED6001", "failed", "应答签名无效或已过期"),
        ("OTHER8001", "failed", "账单应答户号与查询户号不一致"),
    ],
)
def test_openapi_bad_answers_fail_the_sync_and_show_nothing(
    resident, summer, providers, account, status, reason
) -> None:
    sub = _bind(resident, "gd-mobile", account)
    outcome = services.subscription_sync(subscription_id=sub.pk)
    assert outcome.status == status
    assert not Bill.objects.exists()
    state = ProviderSyncState.objects.get(provider_code="gd-mobile")
    assert state.consecutive_failures == 1
    if reason is None:
        assert not Quarantine.objects.exists()
        assert state.last_error == "HTTP 503"
    else:
        assert Quarantine.objects.get().reason == reason
    outage = selectors.bill_home_section(user=resident.user).unavailable
    assert [o.provider_name for o in outage] == ["中国移动广东公司"]


def test_openapi_hostile_items_are_quarantined(resident, summer, providers) -> None:
    sub = _bind(resident, "gd-mobile", "HOSTILE7001")
    assert services.subscription_sync(subscription_id=sub.pk).status == "ok"
    assert set(Bill.objects.values_list("amount", flat=True)) == {Decimal("42.00")}
    reasons = {r.reason for r in Quarantine.objects.all()}
    assert reasons == {
        "金额超出合理范围：1000000000.00",
        "币种不是人民币：USD",
        "账单户号与绑定户号不一致",
        "金额格式不正确",
    }
    assert "<script>" in Quarantine.objects.filter(reason="金额格式不正确")[0].payload_excerpt


def test_openapi_signatures_replays_and_stale_requests_are_refused(openapi_url) -> None:
    path = "/provider/v1/accounts/verify"
    body = json.dumps({"kind": "mobile", "account_number": "MOB1001"}).encode()
    headers = signing.sign_request(
        client_id="onewindow", secret=SECRET, method="POST", path=path, body=body
    )

    def post(h: dict[str, str], data: bytes = body) -> int:
        request = urllib.request.Request(  # noqa: S310 — local server
            openapi_url + "/v1/accounts/verify", data=data, headers=h, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as r:  # noqa: S310 — local server
                return int(r.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    assert post(headers) == 200
    assert post(headers) == 401  # the same nonce again
    tampered = signing.sign_request(
        client_id="onewindow", secret=SECRET, method="POST", path=path, body=body
    )
    assert post(tampered, body.replace(b"MOB1001", b"MOB1002")) == 401
    stale = signing.sign_request(
        client_id="onewindow",
        secret=SECRET,
        method="POST",
        path=path,
        body=body,
        now=__import__("time").time() - 301,
    )
    assert post(stale) == 401
    wrong = signing.sign_request(
        client_id="onewindow", secret="guess", method="POST", path=path, body=body
    )
    assert post(wrong) == 401


def test_openapi_adapter_raises_typed_errors(openapi_url) -> None:
    provider = OpenApiProvider(
        code="x", kind="mobile", base_url=openapi_url, client_id="c", secret=SECRET, timeout=1.0
    )
    with pytest.raises(ProviderError, match="timeout"):
        provider.fetch(account_number="SLOW3001", period="2026-07")
    with pytest.raises(ProviderMalformed) as exc:
        provider.fetch(account_number="GARBAGE5001", period="2026-07")
    assert exc.value.excerpt == "<html><body>Bad Gateway</body></html>"
    unreachable = OpenApiProvider(
        code="x", kind="mobile", base_url="http://127.0.0.1:9", client_id="c", secret=SECRET
    )
    with pytest.raises(ProviderError, match="unreachable"):
        unreachable.verify_account(account_number="MOB1001")


# ---- Alipay -----------------------------------------------------------------------------------


def _pem_private(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _pem_public(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.fixture(scope="module")
def keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


@pytest.fixture
def alipay(settings, keys):
    app_key, alipay_key = keys
    holders = {
        k: "张*明"
        for k in ("4401001", "SLOW4401", "ERR4401", "GARBAGE4401", "FORGED4401", "HOSTILE4401")
    }
    holders["4401999"] = "王*锤"
    handler = alipay_handler(
        app_public_key=app_key.public_key(), alipay_private_key=alipay_key, holders=holders
    )
    with serve(handler) as url:
        settings.BILLS_PROVIDERS = {
            "gz-water": {
                "name": "广州市自来水有限公司",
                "kind": "water",
                "adapter": "alipay_ebpp",
                "app_id": "2021000000000001",
                "charge_inst": "GZWATER",
                "private_key": _pem_private(app_key),
                "alipay_public_key": _pem_public(alipay_key.public_key()),
                "gateway_url": url + "/gateway.do",
                "timeout": 1.0,
            }
        }
        yield url


def test_alipay_bind_and_fetch(resident, summer, alipay) -> None:
    sub = _bind(resident, "gz-water", "4401001")
    services.subscription_sync(subscription_id=sub.pk)
    july = Bill.objects.get(subscription=sub, period="2026-07")
    assert (july.amount, july.usage, july.usage_unit) == (Decimal("56.78"), Decimal("17"), "m³")
    assert str(july.due_on) == "2026-08-25" and july.external_id == "4401001202607"


def test_alipay_refuses_unknown_and_other_peoples_accounts(resident, summer, alipay) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _bind(resident, "gz-water", "4401000")
    assert exc.value.errors[0].code == "account_not_found"
    with pytest.raises(ValidationFailed) as exc:
        _bind(resident, "gz-water", "4401999")
    assert exc.value.errors[0].code == "holder_mismatch"


def test_alipay_forged_answer_binds_nothing(resident, summer, alipay) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _bind(resident, "gz-water", "FORGED4401")
    assert exc.value.errors[0].code == "provider_unavailable"
    assert not resident.bill_subscriptions.exists()


@pytest.mark.parametrize(
    ("account", "error", "reason"),
    [
        ("SLOW4401", "timeout after 1 s", "应答超时：timeout after 1 s"),
        ("ERR4401", "HTTP 502", None),
        ("GARBAGE4401", "应答不是支付宝的JSON应答", "应答不是支付宝的JSON应答"),
    ],
)
def test_alipay_bad_answers(resident, summer, alipay, monkeypatch, account, error, reason) -> None:
    # The account check passes (as the gateway answered then); the fetch meets the trouble.
    from onewindow.bills import conf
    from onewindow.bills.providers import fake

    real = conf.provider

    class Checked:
        def __init__(self, inner):
            self.inner = inner
            self.code, self.kind = inner.code, inner.kind

        def verify_account(self, *, account_number: str):
            return fake.AccountCheck(found=True, holder_name="张*明")

        def fetch(self, **kw):
            return self.inner.fetch(**kw)

    monkeypatch.setattr(conf, "provider", lambda code: Checked(real(code)))
    sub = _bind(resident, "gz-water", account)
    assert services.subscription_sync(subscription_id=sub.pk).status == "failed"
    assert ProviderSyncState.objects.get().last_error == error
    assert list(Quarantine.objects.values_list("reason", flat=True)) == ([reason] if reason else [])
    assert not Bill.objects.exists()


def test_alipay_hostile_items_are_quarantined(resident, summer, alipay) -> None:
    sub = _bind(resident, "gz-water", "HOSTILE4401")
    services.subscription_sync(subscription_id=sub.pk)
    assert set(Bill.objects.values_list("amount", flat=True)) == {Decimal("56.78")}
    assert {q.reason for q in Quarantine.objects.all()} == {
        "金额超出合理范围：123456789.00",
        "账单户号与绑定户号不一致",
    }


def test_the_published_document_describes_the_test_servers_answers(openapi_url) -> None:
    """docs/bill-provider-openapi.yaml is the protocol the test server speaks: its answers
    validate against the document's schemas (JSON Schema 2020-12, as OpenAPI 3.1 has it)."""
    from pathlib import Path

    import yaml
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    document = yaml.safe_load(
        (Path(__file__).parents[4] / "docs" / "bill-provider-openapi.yaml").read_text()
    )
    assert document["openapi"] == "3.1.0"
    registry = Registry().with_resource(
        "urn:bills", Resource.from_contents(document, default_specification=DRAFT202012)
    )

    def valid(pointer: str, value: object) -> None:
        Draft202012Validator({"$ref": f"urn:bills#{pointer}"}, registry=registry).validate(value)

    provider = OpenApiProvider(
        code="x", kind="mobile", base_url=openapi_url, client_id="c", secret=SECRET
    )
    for account in ("MOB1001", "SI2001"):
        answer = provider._call("GET", f"/v1/accounts/{account}/bills?period=2026-07", None)
        valid(
            "/paths/~1v1~1accounts~1{account_number}~1bills/get/responses/200/content"
            "/application~1json/schema",
            answer,
        )
    found = provider._call(
        "POST", "/v1/accounts/verify", {"kind": "mobile", "account_number": "MOB1001"}
    )
    missing = provider._call(
        "POST", "/v1/accounts/verify", {"kind": "mobile", "account_number": "NOPE1"}
    )
    pointer = "/paths/~1v1~1accounts~1verify/post/responses/200/content/application~1json/schema"
    valid(pointer, found)
    valid(pointer, missing)
    example = document["paths"]["/v1/accounts/{account_number}/bills"]["get"]["responses"]["200"]
    valid(
        "/components/schemas/Bill",
        example["content"]["application/json"]["examples"]["electricity"]["value"]["bills"][0],
    )


def test_alipay_bills_no_longer_outstanding_are_paid(resident, summer, alipay) -> None:
    from onewindow.bills.tests import servers

    sub = _bind(resident, "gz-water", "4401001")
    services.subscription_sync(subscription_id=sub.pk)
    assert not Bill.objects.get(subscription=sub, period="2026-07").paid
    servers.PAID_UP.add("4401001")
    try:
        summer.shift(7 * 3600)
        services.subscription_sync(subscription_id=sub.pk)
    finally:
        servers.PAID_UP.discard("4401001")
    assert Bill.objects.get(subscription=sub, period="2026-07").paid
