"""What a person notices on a licence, at phone width: the number printed on the PDF and
shown in the wallet verifies on the verify page, and so does the PDF's QR code when opened;
the HK/Macao endorsement states its destination, kind, validity and trips, by the police; a
revoked licence says when and why and offers no PDF; the home page lists licences by type
with a short, labelled number. Every page is axe-clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.catalog.packages.licence_outcome import particular_value
from onewindow.licences.models import Licence
from onewindow.licences.pdf import verify_url
from onewindow.licences.services import licence_issue, licence_revoke
from onewindow.testing.demo_packages import catalog_dir
from onewindow.testing.factories import DepartmentFactory, PersonFactory
from onewindow.testing.pdftools import pdf_qr_encodes, pdf_text_lines
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)
SYSTEM = Actor.system("test")


def _check(page: Page) -> None:
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)


def _endorsement(person: Any) -> Licence:
    """An endorsement as the hk-macau-reendorsement package's outcome states it, for
    一年一次 / 个人旅游（G） / 香港, issued by the police."""
    folder = catalog_dir() / "hk-macau-reendorsement"
    outcome = yaml.safe_load((folder / "service.yaml").read_text(encoding="utf-8"))["outcome"]
    form = json.loads((folder / "form.schema.json").read_text(encoding="utf-8"))
    answers = {
        "permit_number": "C12345678",
        "destination": "hk",
        "endorsement_type": "individual",
        "validity": "1y1",
    }
    particulars = [
        {
            "label": item["label"]["zh"],
            "value": particular_value(item, answers=answers, form_schema=form),
            "public": item.get("public", True),
        }
        for item in outcome["particulars"]
    ]
    return licence_issue(
        actor=SYSTEM,
        licence_type_code="hk-macau-endorsement",
        holder_person=person,
        validity=outcome["validity"]["periods"][answers["validity"]],
        department=DepartmentFactory(code="gz-gaj", name="广州市公安局"),
        particulars=particulars,
    )


def test_the_printed_number_and_the_qr_code_verify(
    page: Page, live_server: LiveServer, settings: Any
) -> None:
    settings.LICENCES_PUBLIC_URL = live_server.url  # the QR code points at this server
    person = PersonFactory(name="陈晓欣")
    licence = _endorsement(person)
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/licences/")
    card = page.locator(f"#licence-{licence.number}")
    shown = card.get_by_test_id("licence-number").inner_text()
    assert shown == licence.number
    _check(page)
    with page.expect_download() as download:
        card.get_by_role("link", name="下载往来港澳通行证签注 PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert f"证照编号：{shown}" in pdf_text_lines(pdf)
    url = verify_url(licence)
    assert url.startswith(live_server.url) and pdf_qr_encodes(pdf, url)

    # Scanning the QR code opens its URL
    page.goto(url)
    result = page.get_by_test_id("verify-result")
    expect(result).to_have_attribute("data-result", "valid")
    expect(page.get_by_test_id("verify-number")).to_have_text(licence.number)
    _check(page)

    # Typing the printed number
    page.goto("/licences/verify/")
    page.get_by_label("证照编号、编码或标识").fill(shown)
    page.get_by_role("button", name="核验").click()
    expect(result).to_have_attribute("data-result", "valid")
    expect(result).to_contain_text("有效")
    expect(result).not_to_contain_text("它不是本平台签发的电子证照")
    expect(page.get_by_test_id("verify-type")).to_have_text("往来港澳通行证签注")
    expect(page.get_by_test_id("verify-holder")).to_have_text("陈*欣")
    expect(page.get_by_test_id("verify-issuer")).to_have_text("广州市公安局")
    _check(page)


def test_the_endorsement_states_what_was_granted(page: Page, live_server: LiveServer) -> None:
    person = PersonFactory()
    licence = _endorsement(person)
    until = licence.valid_until
    assert until is not None
    last_day = timezone.localdate(until).isoformat()
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/licences/")
    card = page.locator(f"#licence-{licence.number}")
    for text in (
        "前往地：香港",
        "签注种类：个人旅游（G）",
        "有效期及次数：一年一次",
        "每次逗留：不超过7天",
    ):
        expect(card).to_contain_text(text)
    expect(card.get_by_test_id("licence-issuer")).to_have_text("发证机关：广州市公安局")
    expect(card.get_by_test_id("licence-valid-until")).to_have_text(last_day)
    _check(page)

    page.goto(f"/licences/verify/?id={licence.credential_id}")
    particulars = page.get_by_test_id("verify-particular")
    expect(particulars).to_contain_text(["C12345678", "香港", "个人旅游（G）", "一年一次"])
    expect(page.get_by_test_id("verify-valid-until")).to_have_text(last_day)
    _check(page)


def test_a_revoked_licence_says_when_and_why(page: Page, live_server: LiveServer) -> None:
    person = PersonFactory()
    licence = _endorsement(person)
    licence = licence_revoke(actor=SYSTEM, licence_id=licence.pk, reason="申请人以欺骗手段取得")
    assert licence.revoked_at is not None
    day = timezone.localdate(licence.revoked_at).isoformat()
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/licences/")
    card = page.locator(f"#licence-{licence.number}")
    expect(card.get_by_test_id("licence-revoked")).to_contain_text(f"发证机关于 {day} 撤销了该证照")
    expect(card.get_by_test_id("licence-revoked-reason")).to_have_text("申请人以欺骗手段取得")
    expect(card.get_by_role("link", name="下载往来港澳通行证签注 PDF")).to_have_count(0)
    _check(page)

    page.goto(f"/licences/{licence.number}.pdf")  # an old link: a page, not a PDF
    expect(page.get_by_test_id("download-revoked")).to_contain_text("不再提供 PDF 下载")
    _check(page)

    page.goto("/licences/verify/")
    page.get_by_label("证照编号、编码或标识").fill(licence.number)
    page.get_by_role("button", name="核验").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-result", "revoked")
    expect(page.get_by_test_id("verify-revoked-at")).to_have_text(day)
    expect(page.get_by_test_id("verify-revoked-reason")).to_have_text("申请人以欺骗手段取得")
    _check(page)


def test_the_home_page_lists_licences_with_a_short_labelled_number(
    page: Page, live_server: LiveServer
) -> None:
    person = PersonFactory()
    licence = _endorsement(person)
    log_in(page, person.user, base_url=live_server.url)
    page.goto("/")
    row = page.locator("#my-licences").get_by_test_id("home-licence")
    expect(row).to_contain_text("往来港澳通行证签注")
    expect(row).to_contain_text(f"证照编号尾号 {licence.number[-4:]}")
    expect(row).not_to_contain_text("****")
    _check(page)
