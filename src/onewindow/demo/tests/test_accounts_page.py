"""演示账号 (/demo/): the accounts a tour needs, by step, true by construction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.services import Actor
from onewindow.catalog.services import service_packages_import
from onewindow.demo import data
from onewindow.demo.services import demo_city_seed
from onewindow.demo.tours import demo_tours
from onewindow.identity.selectors import companies_for_person, person_find_by_phone

pytestmark = pytest.mark.django_db
CATALOG = Path(__file__).resolve().parents[4] / "catalog"


@pytest.fixture
def city(settings: Any) -> None:
    settings.DEMO = True
    demo_city_seed(residents=len(data.DEMO_RESIDENTS), companies=0, seed=2025)
    service_packages_import(
        actor=Actor.system("test"),
        paths=[CATALOG / "hk-macau-permit", CATALOG / "hk-macau-reendorsement"],
    )
    service_packages_import(actor=Actor.system("test"), paths=[CATALOG / "public-rental-housing"])


def test_each_step_names_the_accounts_that_will_see_its_task(city: None) -> None:
    tours = {tour.code: tour for tour in demo_tours()}
    assert set(tours) == {"hk-macau-reendorsement", "public-rental-housing"}
    review = tours["hk-macau-reendorsement"].steps
    # The re-endorsement has one step, for the police window clerks (not an approver).
    assert [(s.name, s.department, s.role) for s in review] == [
        ("出入境签注审核", "广州市公安局", "窗口受理人员")
    ]
    assert "gaj_clerk" in review[0].usernames
    assert "gaj_approver" not in review[0].usernames
    housing = {s.name: s for s in tours["public-rental-housing"].steps}
    assert "ghzyj_clerk" in housing["不动产登记信息核查"].usernames
    assert "mzj_approver" in housing["家庭收入和财产核对"].usernames
    assert "zjj_approver" in housing["资格审核确认"].usernames


def test_the_page_lists_residents_with_id_numbers_and_staff_with_codes(city: None) -> None:
    page = Client().get("/demo/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    body = page.content.decode()
    for phone, name, _district in data.DEMO_RESIDENTS:
        person = person_find_by_phone(phone=phone)
        assert person is not None and len(person.id_number) == 18
        assert phone in body and name in body and person.id_number in body
    assert "名下有两套住房，不符合条件" in body
    device = TOTPDevice.objects.get(user__username="gaj_clerk")
    assert device.confirmed
    staff = body[body.index('data-testid="demo-staff"') :]
    assert "<code>gaj_clerk</code>" in staff and "<code>ghzyj_clerk</code>" in staff
    assert data.DEMO_STAFF_PASSWORD in body


def test_the_page_lists_the_printed_residents_companies_with_their_representatives(
    city: None,
) -> None:
    body = Client().get("/demo/").content.decode()
    table = body[body.index('data-testid="demo-companies"') :]
    table = table[: table.index("</table>")]
    rows = table.split("<tr>")[2:]  # after the header row
    assert len(rows) == len(data.DEMO_COMPANIES)
    assert "广州嘉欣商贸有限公司" in rows[0]
    assert "陈嘉欣 13800000001" in rows[0] and "李志明 13800000002" in rows[0]
    assert "广州国华信息科技有限公司" in rows[1]
    assert "梁国华 13800000004" in rows[1] and "尚未授权，可由法定代表人授权" in rows[1]
    chen = person_find_by_phone(phone="13800000001")
    li = person_find_by_phone(phone="13800000002")
    assert chen is not None and li is not None
    assert [c.name for c in companies_for_person(person=chen)] == ["广州嘉欣商贸有限公司"]
    assert [c.name for c in companies_for_person(person=li)] == ["广州嘉欣商贸有限公司"]


def test_the_employer_step_is_the_companys_not_a_department_role(city: None) -> None:
    service_packages_import(
        actor=Actor.system("test"), paths=[CATALOG / "graduate-employment-express"]
    )
    steps = {s.name: s for s in demo_tours()[-1].steps}
    assert steps["用人单位确认接收"].company
    body = Client().get("/demo/").content.decode()
    tour = body[body.index('data-testid="tour-graduate-employment-express"') :]
    tour = tour[: tour.index("</ol>")]
    assert "用人单位确认接收</strong> · 申请表所填的用人单位：由其法定代表人或经办人" in tour


def test_outside_demo_mode_there_is_no_such_page(city: None, settings: Any) -> None:
    settings.DEMO = False
    assert Client().get("/demo/").status_code == 404
