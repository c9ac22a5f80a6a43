"""A licence states what was granted and verifies as printed: the printed number and the QR
code verify; validity, issuer and particulars come from the licence type and the package's
outcome; a revoked licence says when and why and has no PDF; the home page shows a short,
labelled number."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.cases.services.process import case_advance
from onewindow.catalog.services import service_packages_import
from onewindow.identity.models import Department
from onewindow.licences import jose
from onewindow.licences.models import Licence
from onewindow.licences.pdf import verify_url
from onewindow.licences.services import licence_issue, licence_revoke
from onewindow.licences.verification import licence_verify
from onewindow.testing.demo_packages import (
    approve_as_holder,
    catalog_dir,
    run_to_the_end,
    submit_package,
)
from onewindow.testing.factories import PersonFactory
from onewindow.testing.pdftools import pdf_qr_encodes, pdf_text_lines

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("memory_storage")]
SYSTEM = Actor.system("test")
ISSUED = datetime.datetime(
    2026, 12, 1, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
)


def _local_day(value: datetime.datetime | None) -> str | None:
    return timezone.localdate(value).isoformat() if value else None


# 1. The printed number verifies, and so does the QR code.


def test_the_printed_licence_number_verifies_and_says_what_it_is(client: Client) -> None:
    person: Any = PersonFactory(name="陈晓欣")
    licence = licence_issue(
        actor=SYSTEM, licence_type_code="business-licence", holder_person=person
    )
    for presented in (licence.number, " ".join(re.findall(".{1,4}", licence.number))):
        outcome = licence_verify(presented)
        assert outcome.result == "valid", (presented, outcome.reasons)
    summary = licence_verify(licence.number).summary()
    assert summary is not None
    assert summary["type_name"] == "营业执照"
    assert summary["holder"] == "陈*欣"
    assert summary["issuer"] == "广州市政务服务数据管理局"  # no department: the platform
    assert summary["valid_until"] is None and summary["status"] == "valid"
    assert licence_verify("44019999000000000000").result == "unknown"

    page = client.post("/licences/verify/", {"credential": licence.number}).content.decode()
    assert 'data-result="valid"' in page
    assert "营业执照" in page and "陈*欣" in page and "长期有效" in page
    assert "它不是本平台签发的电子证照" not in page
    api = client.post(
        "/api/v1/licences/verify",
        data={"credential": licence.number},
        content_type="application/json",
    ).json()
    assert api["result"] == "valid" and api["licence"]["number"] == licence.number


def test_the_pdf_qr_code_encodes_the_verify_url_and_opening_it_verifies(client: Client) -> None:
    person: Any = PersonFactory()
    licence = licence_issue(
        actor=SYSTEM, licence_type_code="business-licence", holder_person=person
    )
    client.force_login(person.user)
    pdf = client.get(f"/licences/{licence.number}.pdf").content
    url = verify_url(licence)
    assert url.endswith(f"/licences/verify/?id={licence.credential_id}")
    assert pdf_qr_encodes(pdf, url)
    assert not pdf_qr_encodes(pdf, url[:-1] + ("0" if url[-1] != "0" else "1"))
    parts = urlsplit(url)  # a phone opens the URL: here, its path and query on our server
    scanned = Client().get(f"{parts.path}?{parts.query}")
    assert 'data-result="valid"' in scanned.content.decode()
    assert licence.number in scanned.content.decode()
    lines = pdf_text_lines(pdf)
    assert f"证照编号：{licence.number}" in lines  # the number printed is the one that verifies


# 2. The HK/Macao endorsement states what the decision granted, by the department that
# granted it, valid for what was granted.


def _endorsement(client: Client, applicant: Any, answers: dict[str, Any]) -> Licence:
    folder = catalog_dir() / "hk-macau-reendorsement"
    version = service_packages_import(actor=Actor.system("test"), paths=[folder])[0]
    with time_machine.travel(ISSUED, tick=True):
        case = submit_package(applicant, version, answers=answers)
        approve_as_holder(case.tasks.get(element_id="Task_Review"))
        case_advance(case_id=case.pk)
        from onewindow.licences.tests.test_case_issue import _pay

        _pay(client, case)
        case_advance(case_id=case.pk)
        case = run_to_the_end(case)
    assert case.status == Case.Status.APPROVED
    return Licence.objects.select_related("department").get(case=case)


def test_the_endorsement_states_its_particulars_validity_and_issuer(
    client: Client,
    city: None,
    resident: Any,
) -> None:
    licence = _endorsement(
        client,
        resident,
        {
            "permit_number": "C12345678",
            "destination": "hk",
            "endorsement_type": "individual",
            "validity": "1y1",
        },
    )
    gaj = Department.objects.get(code="gz-gaj")
    assert licence.department_id == gaj.pk and gaj.name == "广州市公安局"
    # 一年一次: one year from the day of issue, not the permit's five or ten years
    assert _local_day(licence.issued_at) == "2026-12-01"
    assert _local_day(licence.valid_until) == "2027-11-30"
    particulars = {p["label"]: p["value"] for p in licence.claims["particulars"]}
    assert particulars == {
        "通行证号码": "C12345678",
        "前往地": "香港",
        "签注种类": "个人旅游（G）",
        "有效期及次数": "一年一次",
        "每次逗留": "不超过7天",
    }
    _h, payload, _i, _s = jose.jws_parse(licence.jws)
    assert payload["issuer"]["name"] == "广州市公安局"
    assert payload["credentialSubject"]["particulars"][1] == {
        "label": "前往地",
        "value": "香港",
        "public": True,
    }
    assert licence_verify(licence.number).result == "valid"

    client.force_login(resident.user)
    wallet = client.get("/licences/").content.decode()
    for text in ("前往地：香港", "签注种类：个人旅游（G）", "有效期及次数：一年一次"):
        assert text in wallet
    assert "发证机关：广州市公安局" in wallet and "2027-11-30" in wallet
    lines = pdf_text_lines(client.get(f"/licences/{licence.number}.pdf").content)
    assert "电子证照（广州市公安局）" in lines
    assert "发证机关：广州市公安局" in lines and "广州市政务服务数据管理局" not in "".join(lines)
    for text in ("前往地：香港", "签注种类：个人旅游（G）", "每次逗留：不超过7天"):
        assert text in lines
    assert "有效期至：2027-11-30" in lines
    verify = client.post("/licences/verify/", {"credential": licence.number}).content.decode()
    for text in ("广州市公安局", "个人旅游（G）", "香港", "一年一次", "2027-11-30"):
        assert text in verify


def test_a_three_month_group_tour_to_macao(
    client: Client,
    city: None,
    resident: Any,
) -> None:
    licence = _endorsement(
        client,
        resident,
        {
            "permit_number": "C12345678",
            "destination": "macau",
            "endorsement_type": "tourism",
            "validity": "3m1",
        },
    )
    assert _local_day(licence.valid_until) == "2027-02-28"
    particulars = {p["label"]: p["value"] for p in licence.claims["particulars"]}
    assert particulars["前往地"] == "澳门"
    assert particulars["每次逗留"] == "不超过7天，须随团出入境"


# 3. Validity comes from the licence type.


@time_machine.travel(ISSUED, tick=False)
@pytest.mark.parametrize(
    "code,until,issuer",
    [
        ("marriage-certificate", None, "广州市民政局"),  # no expiry
        ("divorce-certificate", None, "广州市民政局"),
        ("business-licence", None, "广州市市场监督管理局"),
        ("settlement-approval", "2027-01-09", "广州市公安局"),  # 40 days, by the police
        ("pollutant-discharge-permit", "2031-11-30", "广州市生态环境局"),  # five years
        ("hk-macau-endorsement", "2027-02-28", "广州市公安局"),  # outside a case: the shortest
    ],
)
def test_validity_and_issuer_come_from_the_licence_type(
    city: None,
    code: str,
    until: str | None,
    issuer: str,
) -> None:
    licence = licence_issue(actor=SYSTEM, licence_type_code=code, holder_person=PersonFactory())
    assert _local_day(licence.valid_until) == until
    assert licence.issuer_name == issuer
    assert licence_verify(licence.jws).result == "valid"


@time_machine.travel(ISSUED, tick=False)
@pytest.mark.parametrize(
    "born,until",
    [
        (datetime.date(2015, 6, 1), "2031-11-30"),  # under 16: five years
        (datetime.date(1990, 6, 1), "2036-11-30"),  # ten years
    ],
)
def test_a_passport_is_valid_by_the_holders_age(born: datetime.date, until: str) -> None:
    person: Any = PersonFactory(birth_date=born)
    licence = licence_issue(actor=SYSTEM, licence_type_code="passport", holder_person=person)
    assert _local_day(licence.valid_until) == until


# 4. Revocation: when and why, and no PDF.


def test_a_revoked_licence_says_when_and_why_and_has_no_pdf(client: Client) -> None:
    person: Any = PersonFactory()
    licence = licence_issue(
        actor=SYSTEM, licence_type_code="business-licence", holder_person=person
    )
    licence = licence_revoke(actor=SYSTEM, licence_id=licence.pk, reason="以欺骗手段取得，依法撤销")
    day = _local_day(licence.revoked_at)
    client.force_login(person.user)
    wallet = client.get("/licences/").content.decode()
    assert f"发证机关于 {day} 撤销了该证照" in wallet
    assert "撤销原因：" in wallet and "以欺骗手段取得，依法撤销" in wallet
    assert f"/licences/{licence.number}.pdf" not in wallet
    refused = client.get(f"/licences/{licence.number}.pdf")
    assert refused.status_code == 410 and refused["Content-Type"].startswith("text/html")
    assert "以欺骗手段取得，依法撤销" in refused.content.decode()
    verify = Client().post("/licences/verify/", {"credential": licence.number}).content.decode()
    assert 'data-result="revoked"' in verify
    assert f'data-testid="verify-revoked-at">{day}<' in verify
    assert "以欺骗手段取得，依法撤销" in verify
    summary = licence_verify(licence.number).summary()
    assert summary is not None and summary["revoked_reason"] == "以欺骗手段取得，依法撤销"


# 5. The home page: licences by type with a short, labelled number.


def test_the_home_page_shows_a_short_labelled_number(client: Client) -> None:
    person: Any = PersonFactory()
    licence = licence_issue(
        actor=SYSTEM, licence_type_code="business-licence", holder_person=person
    )
    client.force_login(person.user)
    page = client.get("/").content.decode()
    section = page.split('id="my-licences"', 1)[1].split("</section>", 1)[0]
    assert "营业执照" in section
    assert f"证照编号尾号 {licence.number[-4:]}" in section
    assert not re.search(r"\d{4}\*{4,}\d{4}", section)  # nothing like a masked citizen ID
