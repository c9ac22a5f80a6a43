"""Issuing, verifying, revoking and rotating keys for electronic licences."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.licences import jose
from onewindow.licences.keys import signing_key_rotate
from onewindow.licences.models import Licence, LicenceType, SigningKey
from onewindow.licences.services import licence_issue, licence_revoke, licence_types_sync
from onewindow.licences.verification import licence_verify
from onewindow.testing.factories import CompanyFactory, PersonFactory, user_of

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def issue(code: str = "hk-macau-endorsement", **kwargs: Any) -> Licence:
    person = kwargs.pop("holder_person", None) or PersonFactory()
    return licence_issue(
        actor=SYSTEM,
        licence_type_code=code,
        holder_person=person,
        claims={"endorsement": "G"},
        **kwargs,
    )


def test_types_come_from_the_vocabulary_with_their_algorithm():
    licence_types_sync()
    endorsement = LicenceType.objects.get(code="hk-macau-endorsement")
    assert endorsement.name_zh == "往来港澳通行证签注"
    assert endorsement.algorithm == "SM2"
    assert LicenceType.objects.get(code="business-licence").algorithm == "EdDSA"
    assert licence_types_sync() == 0  # second sync changes nothing


@pytest.mark.parametrize(
    "code,alg", [("hk-macau-endorsement", "SM2"), ("business-licence", "EdDSA")]
)
def test_issued_licence_is_a_signed_vc_that_verifies(code, alg):
    licence = issue(code)
    header, payload, _input, _sig = jose.jws_parse(licence.jws)
    assert header["alg"] == alg and header["kid"] == licence.kid
    assert payload["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert payload["type"][0] == "VerifiableCredential"
    assert payload["credentialSubject"]["licenceNumber"] == licence.number
    assert payload["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert "validFrom" in payload and "issuer" in payload
    for presented in (licence.jws, f"urn:uuid:{licence.credential_id}", str(licence.credential_id)):
        outcome = licence_verify(presented)
        assert outcome.result == "valid", (presented, outcome.reasons)
    assert AuditEvent.objects.filter(action="licences.licence.issue").exists()


@pytest.mark.parametrize("code", ["hk-macau-endorsement", "business-licence"])
def test_one_changed_claim_is_altered(code):
    licence = issue(code)
    head, body, sig = licence.jws.split(".")
    payload = json.loads(jose.b64url_decode(body))
    payload["credentialSubject"]["endorsement"] = "L"
    forged = f"{head}.{jose.b64url(jose.canonical(payload))}.{sig}"
    outcome = licence_verify(forged)
    assert outcome.result == "altered"
    assert "bad_signature" in outcome.reasons
    # A change behind the issuer's back in the database is caught by id as well.
    Licence.objects.filter(pk=licence.pk).update(claims={**licence.claims, "endorsement": "L"})
    assert licence_verify(str(licence.credential_id)).result == "altered"


def test_revoked_licence_says_revoked_and_its_bit_is_published():
    licence = issue("business-licence")
    other = issue("business-licence")
    licence_revoke(actor=SYSTEM, licence_id=licence.pk, reason="发证错误")
    licence_revoke(actor=SYSTEM, licence_id=licence.pk, reason="again")  # no double effect
    assert licence_verify(licence.jws).result == "revoked"
    assert licence_verify(other.jws).result == "valid"
    response = Client().get(f"/licences/status/{licence.status_list.name}")
    assert response.status_code == 200
    _h, payload, _i, _s = jose.jws_parse(response.content.decode())
    subject = payload["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    bits = jose.bitstring_decode(subject["encodedList"])
    assert len(bits) == 16384
    assert bits[licence.status_index // 8] & (0x80 >> (licence.status_index % 8))
    assert not bits[other.status_index // 8] & (0x80 >> (other.status_index % 8))
    assert AuditEvent.objects.filter(action="licences.licence.revoke").count() == 1


def test_unknown_and_garbage_inputs_are_unknown():
    assert licence_verify("urn:uuid:00000000-0000-4000-8000-000000000000").result == "unknown"
    assert licence_verify("hello").result == "unknown"
    assert licence_verify("a.b.c").result == "unknown"
    # A well-formed JWS signed by someone else's key: unknown kid.
    from onewindow.core.crypto.signers import Ed25519Signer

    foreign = jose.jws_sign({"id": "urn:uuid:x"}, signer=Ed25519Signer.generate(), kid="evil")
    assert licence_verify(foreign).result == "unknown"


def test_key_rotation_keeps_old_licences_verifiable():
    old = issue("business-licence")
    new_key = signing_key_rotate(actor=SYSTEM, alg="EdDSA")
    new = issue("business-licence")
    assert new.kid == new_key.kid != old.kid
    assert licence_verify(old.jws).result == "valid"
    assert licence_verify(new.jws).result == "valid"
    published = Client().get("/licences/keys").json()["keys"]
    kids = {k["kid"]: k for k in published}
    assert kids[old.kid]["status"] == "retired" and kids[new.kid]["status"] == "active"
    assert kids[old.kid]["crv"] == "Ed25519"
    # private keys are encrypted at rest
    raw = SigningKey.objects.get(kid=new.kid).private_key_encrypted
    assert raw.count("$") == 2


def test_sm2_key_published_with_sm2_curve():
    issue("hk-macau-endorsement")
    keys = Client().get("/licences/keys").json()["keys"]
    sm2 = [k for k in keys if k["crv"] == "SM2"]
    assert sm2 and len(jose.b64url_decode(sm2[0]["x"])) == 32


def test_issue_is_idempotent_by_key():
    person = PersonFactory()
    first = issue(holder_person=person, issue_key="case:1:Issue:abc")
    again = issue(holder_person=person, issue_key="case:1:Issue:abc")
    assert first.pk == again.pk and Licence.objects.count() == 1


def test_company_licence_and_unknown_type():
    company = CompanyFactory()
    licence = licence_issue(
        actor=SYSTEM, licence_type_code="business-licence", holder_company=company
    )
    assert licence_verify(licence.jws).result == "valid"
    from onewindow.licences.services import LicenceError

    with pytest.raises(LicenceError):
        licence_issue(actor=SYSTEM, licence_type_code="dragon-licence", holder_company=company)


def test_verify_api_is_public_and_reports_reasons():
    licence = issue("business-licence")
    client = Client()
    ok = client.post(
        "/api/v1/licences/verify", {"credential": licence.jws}, content_type="application/json"
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["result"] == "valid" and body["licence"]["number"] == licence.number
    assert licence.holder_person is not None
    assert licence.holder_person.name not in json.dumps(body, ensure_ascii=False)  # masked
    bad = client.post(
        "/api/v1/licences/verify", {"credential": "nonsense"}, content_type="application/json"
    )
    assert bad.json()["result"] == "unknown"


def test_verify_page_shows_the_outcome_in_chinese():
    licence = issue("business-licence")
    client = Client()
    page = client.get(f"/licences/verify/?id={licence.credential_id}")
    assert "有效" in page.content.decode()
    licence_revoke(actor=SYSTEM, licence_id=licence.pk, reason="x")
    page = client.post("/licences/verify/", {"credential": licence.jws})
    assert "已撤销" in page.content.decode()
    page = client.post(
        "/licences/verify/", {"credential": "urn:uuid:00000000-0000-4000-8000-000000000000"}
    )
    assert "未知" in page.content.decode()


def test_wallet_lists_own_licences_and_serves_a_pdf(client):
    mine = issue("hk-macau-endorsement")
    theirs = issue("business-licence")
    assert mine.holder_person is not None
    user = user_of(mine.holder_person)
    client.force_login(user)
    page = client.get("/licences/").content.decode()
    assert mine.number in page and theirs.number not in page
    pdf = client.get(f"/licences/{mine.number}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/licences/{theirs.number}.pdf").status_code == 404
    from onewindow.portal.selectors import home_page_for

    home = home_page_for(user=user)
    assert [item.title for item in home["licences"].items] == ["往来港澳通行证签注"]


def test_wallet_shows_the_permit_number_but_not_the_holders_own_id(client):
    person = PersonFactory()
    permit = licence_issue(
        actor=SYSTEM,
        licence_type_code="hk-macau-permit",
        holder_person=person,
        claims={"permitNumber": "C12345678"},
    )
    client.force_login(person.user)
    page = client.get("/licences/").content.decode()
    assert "证件号码：C12345678" in page
    assert permit.claims["idNumber"] not in page  # the holder knows their own ID


def test_qr_points_to_verify_url_with_id():
    from onewindow.licences.pdf import verify_url

    licence = issue("business-licence")
    url = verify_url(licence)
    assert f"/licences/verify/?id={licence.credential_id}" in url
    assert licence_verify(url).result == "valid"
    assert licence_verify(verify_url(licence, with_jws=True)).result == "valid"


def test_damaged_payload_under_our_key_is_altered():
    licence = issue("business-licence")
    head, body, sig = licence.jws.split(".")
    assert licence_verify(f"{head}.{body[:-2]}AA.{sig}").result == "altered"
    assert licence_verify(f"{head}.!!.{sig}").result == "altered"


def test_commands_rotate_and_revoke():
    from django.core.management import call_command

    licence = issue("business-licence")
    call_command("licence_keys_rotate", "EdDSA")
    call_command("licence_revoke", licence.number, reason="错发")
    assert licence_verify(licence.jws).result == "revoked"
    assert SigningKey.objects.filter(algorithm="EdDSA").count() == 2


def test_checking_a_licence_read_with_its_relations_reads_nothing_more(
    django_assert_num_queries: Any,
) -> None:
    """Case pages check each licence material's status live; the licence they read is checked
    as it is (signature, record, status list, expiry), not read a second time."""
    from onewindow.licences.selectors import licence_check
    from onewindow.licences.verification import LICENCE_RELATED

    licence = issue("business-licence")
    fresh = Licence.objects.select_related(*LICENCE_RELATED).get(pk=licence.pk)
    licence_check(licence=fresh)  # the issuer's public key is read once per process
    with django_assert_num_queries(0):
        assert licence_check(licence=fresh).result == "valid"
    licence_revoke(actor=SYSTEM, licence_id=licence.pk, reason="发证错误")
    Licence.objects.filter(pk=licence.pk).update(claims={"endorsement": "L"})
    fresh = Licence.objects.select_related(*LICENCE_RELATED).get(pk=licence.pk)
    with django_assert_num_queries(0):
        assert licence_check(licence=fresh).result == "altered"  # the record differs first
    Licence.objects.filter(pk=licence.pk).update(claims=licence.claims)
    fresh = Licence.objects.select_related(*LICENCE_RELATED).get(pk=licence.pk)
    assert licence_check(licence=fresh).result == "revoked"
