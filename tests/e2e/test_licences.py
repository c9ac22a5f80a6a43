"""The resident's licence wallet and the public verify page at phone width, axe-clean: a
third party scans (opens the QR URL) or pastes a licence and sees 有效 / 已撤销 / 已篡改."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.audit.services import Actor
from onewindow.licences.pdf import verify_url
from onewindow.licences.services import licence_issue, licence_revoke
from onewindow.testing.factories import PersonFactory
from tests.e2e.conftest import assert_accessible
from tests.e2e.helpers import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_wallet_lists_the_licence_with_a_pdf(page: Page, live_server: LiveServer) -> None:
    person = PersonFactory()
    licence = licence_issue(
        actor=Actor.system("test"), licence_type_code="hk-macau-endorsement", holder_person=person
    )
    log_in(page, person.user, base_url=live_server.url)
    page.goto(f"{live_server.url}/licences/")
    expect(page.get_by_role("heading", name="往来港澳通行证签注")).to_be_visible()
    expect(page.get_by_text(licence.number)).to_be_visible()
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载往来港澳通行证签注 PDF").click()
    assert download.value.suggested_filename == f"licence-{licence.number}.pdf"
    page.goto(f"{live_server.url}/")
    expect(page.locator("#my-licences")).to_contain_text("往来港澳通行证签注")


def test_verify_page_scan_and_paste(page: Page, live_server: LiveServer) -> None:
    licence = licence_issue(
        actor=Actor.system("test"),
        licence_type_code="business-licence",
        holder_person=PersonFactory(),
    )
    scanned = verify_url(licence).split("/licences/verify/", 1)[1]
    page.goto(f"{live_server.url}/licences/verify/{scanned}")
    result = page.get_by_test_id("verify-result")
    expect(result).to_have_attribute("data-result", "valid")
    expect(result).to_contain_text("有效")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)

    head, body, sig = licence.jws.split(".")
    page.get_by_label("证照编号、编码或标识").fill(f"{head}.{body[:-2]}AA.{sig}")
    page.get_by_role("button", name="核验").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-result", "altered")
    expect(page.get_by_test_id("verify-result")).to_contain_text("已篡改")
    assert_accessible(page)

    licence_revoke(actor=Actor.system("test"), licence_id=licence.pk, reason="test")
    page.get_by_label("证照编号、编码或标识").fill(licence.jws)
    page.get_by_role("button", name="核验").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("已撤销")
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
