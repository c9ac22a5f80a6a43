"""The licence material on the pages and over the API: the materials step lists the applicant's
own valid licences of the type (masked holder) and takes one; holding none, it says so and
links to the issuing service; errors show at the material; the case pages show the licence
with its live status; the API's operation answers the service's errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.cases import services
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.tests.test_licence_materials import CODE, PERMIT, SYSTEM, _permit
from onewindow.catalog.models import ServiceVersion
from onewindow.licences.services import licence_issue, licence_revoke
from onewindow.testing.cases import ANSWERS, definition, publish
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(city: None, tmp_path: Path) -> ServiceVersion:
    return publish(tmp_path, service=definition(code=CODE, materials=[PERMIT]), bpmn=None)


@pytest.fixture
def issuer(city: None, tmp_path: Path) -> ServiceVersion:
    """A service whose outcome is the permit (the catalogue's issuer of that type)."""
    return publish(
        tmp_path,
        service=definition(
            code="permit-issue-test",
            name={"zh": "往来港澳通行证（测试）", "en": "Permit (test)"},
            outcome={"type": "licence", "licence_type": "hk-macau-permit"},
        ),
        bpmn=None,
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _draft(user: Any) -> Case:
    case = services.case_draft_start(user=user, service_code=CODE)
    assert not services.case_draft_save_form(user=user, case_id=case.pk, data=dict(ANSWERS))
    return case


def _supplement(case: Case, staff: Any) -> Case:
    case.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_submit(user=case.created_by, case_id=case.pk, token=case.submit_token)
        services.task_complete(
            user=staff("rsj_clerk"),
            task_id=case.tasks.get().pk,
            decision="supplement",
            comment="请换一张有效的通行证",
        )
    case.refresh_from_db()
    assert case.status == Case.Status.SUPPLEMENT
    return case


def test_materials_step_offers_the_wallet_and_takes_a_licence(service, resident):
    mine = _permit(resident)
    theirs = _permit(PersonFactory())
    client = _client(resident.user)
    case = _draft(resident.user)
    url = reverse("cases:draft_materials", kwargs={"case_id": case.pk})
    page = client.get(url).content.decode()
    assert mine.number in page and theirs.number not in page
    assert "使用此证照" in page and resident.masked_name in page and resident.name not in page
    assert "电子证照（下一版本提供）" not in page
    assert 'id="file-permit"' in page  # a scan is still possible

    refused = client.post(url, {"action": "licence", "code": "permit", "licence": theirs.pk})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'id="err-permit"' in html and "没有找到该电子证照" in html
    assert not CaseMaterial.objects.filter(case=case).exists()

    done = client.post(url, {"action": "licence", "code": "permit", "licence": mine.pk})
    assert done.status_code == 302 and done["Location"] == url
    material = CaseMaterial.objects.get(case=case)
    assert material.licence == mine
    page = client.get(url).content.decode()
    assert 'data-testid="licence-chosen"' in page and "已选用此证照" in page
    review = client.get(reverse("cases:draft_review", kwargs={"case_id": case.pk}))
    assert mine.number in review.content.decode()


def test_a_tied_answer_is_shown_on_each_licence_and_a_mismatch_at_the_material(
    city, tmp_path, resident
):
    """With ``form_fields`` the wallet licences show what the tied question must say, and a
    licence saying otherwise is refused at its material, naming the question."""
    tied = {**PERMIT, "form_fields": {"applicant_name": "holderName"}}
    publish(tmp_path, service=definition(code=CODE, materials=[tied]), bpmn=None)
    other = licence_issue(
        actor=SYSTEM,
        licence_type_code="hk-macau-permit",
        holder_person=resident,
        claims={"holderName": "李娜"},
    )
    client = _client(resident.user)
    case = _draft(resident.user)  # answered 张伟
    url = reverse("cases:draft_materials", kwargs={"case_id": case.pk})
    page = client.get(url).content.decode()
    assert 'data-testid="licence-tied">申请人姓名 李娜</p>' in page
    refused = client.post(url, {"action": "licence", "code": "permit", "licence": other.pk})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'id="err-permit"' in html and "「申请人姓名」与所选电子证照" in html
    assert not CaseMaterial.objects.filter(case=case).exists()


def test_holding_none_says_so_and_links_to_the_issuing_service(service, issuer, resident):
    _permit(resident, kind="hk-macau-endorsement")  # another type does not count
    case = _draft(resident.user)
    page = (
        _client(resident.user)
        .get(reverse("cases:draft_materials", kwargs={"case_id": case.pk}))
        .content.decode()
    )
    assert "您的证照中没有有效的往来港澳通行证" in page
    guide = reverse("catalog:service_guide", kwargs={"code": "permit-issue-test"})
    assert f'href="{guide}"' in page and "在线办理：往来港澳通行证（测试）" in page
    assert "使用此证照" not in page and 'id="file-permit"' in page


def test_case_pages_show_the_licence_and_its_live_status(service, resident, staff):
    licence = _permit(resident)
    case = _draft(resident.user)
    services.case_material_use_licence(
        user=resident.user, case_id=case.pk, code="permit", licence_id=licence.pk
    )
    case = _supplement(case, staff)
    client = _client(resident.user)
    url = reverse("cases:case_detail", kwargs={"number": case.number})
    page = client.get(url).content.decode()
    assert licence.number in page and 'data-result="valid"' in page
    assert f"/licences/verify/?id={licence.credential_id}" in page

    clerk = Client()
    clerk.force_login(staff("rsj_clerk"))
    session = clerk.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=staff("rsj_clerk")).persistent_id
    session.save()
    staff_url = reverse("cases:staff_case", kwargs={"number": case.number})
    assert 'data-result="valid"' in clerk.get(staff_url).content.decode()

    licence_revoke(actor=SYSTEM, licence_id=licence.pk, reason="挂失")
    page = client.get(url).content.decode()
    assert 'data-result="revoked"' in page and "已撤销" in page
    staff_page = clerk.get(staff_url).content.decode()
    assert 'data-result="revoked"' in staff_page and licence.number in staff_page

    # On supplement the resident picks a valid one instead, from the case page.
    fresh = _permit(resident)
    assert fresh.number in client.get(url).content.decode()
    response = client.post(
        reverse("cases:case_supplement", kwargs={"number": case.number}),
        {"action": "licence", "code": "permit", "licence": fresh.pk},
    )
    assert response.status_code == 302
    assert case.materials.get(superseded=False).licence == fresh


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_api_uses_a_licence_with_the_services_errors(service, resident, staff):
    licence = _permit(resident)
    theirs = _permit(PersonFactory())
    endorsement = _permit(resident, kind="hk-macau-endorsement")
    case = _draft(resident.user)
    services.case_material_use_licence(
        user=resident.user, case_id=case.pk, code="permit", licence_id=licence.pk
    )
    case = _supplement(case, staff)
    client = _client(resident.user)

    wallet = client.get("/api/v1/licences?type=hk-macau-permit").json()
    assert [row["number"] for row in wallet] == [licence.number]
    assert wallet[0]["holder"] == resident.masked_name

    path = f"/api/v1/cases/{case.number}/materials/permit/licence"
    forged = _post(client, path, {"licence_id": theirs.pk})
    unknown = _post(client, path, {"licence_id": theirs.pk + 1000})
    assert forged.status_code == unknown.status_code == 422
    assert forged.json() == unknown.json()
    assert forged.json()["errors"][0] == {
        "code": "licence_not_found",
        "message": "没有找到该电子证照，请从您的证照中选择。",
        "field": "material.permit",
    }
    wrong = _post(client, path, {"licence_id": endorsement.pk})
    assert wrong.json()["errors"][0]["code"] == "licence_wrong_type"
    assert _post(client, path, {"licence_id": licence.pk, "extra": 1}).status_code == 422

    new = _permit(resident)
    ok = _post(client, path, {"licence_id": new.pk})
    assert ok.status_code == 200, ok.content
    assert ok.json()["licence"] == {
        "number": new.number,
        "type": "hk-macau-permit",
        "status": "valid",
    }
    detail = client.get(f"/api/v1/cases/{case.number}").json()
    current = [m for m in detail["materials"] if not m["superseded"]]
    assert [m["licence"]["number"] for m in current] == [new.number]

    licence_revoke(actor=SYSTEM, licence_id=new.pk, reason="挂失")
    revoked = _post(client, path, {"licence_id": new.pk})
    assert revoked.json()["errors"][0]["code"] == "licence_revoked"
    detail = client.get(f"/api/v1/cases/{case.number}").json()
    assert [m["licence"]["status"] for m in detail["materials"] if not m["superseded"]] == [
        "revoked"
    ]

    other = _client(PersonFactory().user)
    assert _post(other, path, {"licence_id": new.pk}).status_code == 404
    assert other.get("/api/v1/licences").json() == []
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{number}/materials/{code}/licence" in schema["paths"]
    assert "/api/v1/licences" in schema["paths"]


def test_api_one_call_submission_presents_a_licence(service, resident):
    licence = _permit(resident)
    theirs = _permit(PersonFactory())
    client = _client(resident.user)

    def submit(licence_id: int, key: str) -> Any:
        body = {
            "service": CODE,
            "form": dict(ANSWERS),
            "materials": [{"code": "permit", "licence_id": licence_id}],
        }
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(
                "/api/v1/cases",
                data=json.dumps(body),
                content_type="application/json",
                headers={"Idempotency-Key": key},
            )

    refused = submit(theirs.pk, "k-theirs")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "licence_not_found"
    assert not Case.objects.exists()
    created = submit(licence.pk, "k-mine")
    assert created.status_code == 201, created.content
    assert [m["licence"]["number"] for m in created.json()["materials"]] == [licence.number]
    again = submit(licence.pk, "k-mine")
    assert again.status_code == 200 and again.json()["number"] == created.json()["number"]
    assert CaseMaterial.objects.filter(licence=licence).count() == 1
