"""The housing services decide eligibility on what the government holds: each parallel
check starts with an exchange look-up (household registration, social insurance, property
records, income and assets), and the eligibility table takes those records over the form's
self-declared values. An ineligible household is rejected without anyone deciding; an
eligible one goes on to the housing bureau's confirmation. Real engine, real exchange, the
demo city's data sources."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.cases.services import case_withdraw
from onewindow.catalog.models import Service
from onewindow.catalog.services import service_packages_import
from onewindow.exchange import datasources
from onewindow.exchange.calllog import calllog_verify
from onewindow.exchange.models import CallLog
from onewindow.testing.demo_packages import approve_as_holder, catalog_dir, submit_package
from onewindow.testing.factories import PersonFactory
from onewindow.testing.housing import (
    DECLARED_POOR,
    DECLARED_POOR_FAMILY,
    DECLARED_RICH,
    DECLARED_RICH_FAMILY,
    DIBAO_EDGE,
    HIGH_INCOME,
    LOW_INCOME,
    TWO_FLATS,
)
from onewindow.workflow import ProcessRun

pytestmark = pytest.mark.django_db

CHECKS = {"Task_Housing", "Task_Property", "Task_Income"}
# Civil affairs' low-income recognition: household registration instead of the housing check.
CHECKS_OF = {"low-income-family": {"Task_Hukou", "Task_Property", "Task_Income"}}
CHECKED = {  # what the three departments' branches look up
    "gz-gaj.household-registration",
    "gz-rsj.social-insurance",
    "gz-ghzyj.property-records",
    "gz-mzj.income-assets",
}
# public rental housing: every shared-data material its package declares
LOOKED_UP = {"gz-mzj.marital-status", "gz-zjj.housing-records", *CHECKED}
BANK_ACCOUNT = "6222020200112233445"  # the subsidy services pay into it


def declared(code: str, *, poor: bool) -> dict[str, Any]:
    if code == "low-income-family":
        return DECLARED_POOR_FAMILY if poor else DECLARED_RICH_FAMILY
    return DECLARED_POOR if poor else DECLARED_RICH


def person(phone: str) -> Any:
    return PersonFactory(phone=phone, region_code="440106")


def open_elements(case: Case) -> set[str]:
    return set(
        case.tasks.filter(status__in=["open", "claimed"]).values_list("element_id", flat=True)
    )


def variables(case: Case) -> dict[str, Any]:
    run = ProcessRun.restore(case.service_version.process_spec, case.process_state or {})
    return run.data()


def submit_and_check(code: str, resident: Any, answers: dict[str, Any]) -> Case:
    """Apply, accept, let the worker look up the records, complete the three checks."""
    checks = CHECKS_OF.get(code, CHECKS)
    published = service_packages_import(actor=Actor.system("test"), paths=[catalog_dir() / code])
    version = published[0] if published else Service.objects.get(code=code).current  # unchanged
    assert version is not None
    assert "eligibility" in version.definition["decisions"]
    if "bank_account" in version.form_schema["properties"]:
        answers = {"bank_account": BANK_ACCOUNT, **answers}
    case = submit_package(resident, version, answers=answers)
    assert not CallLog.objects.filter(case_number=case.number).exists()  # not before acceptance
    approve_as_holder(case.tasks.get(element_id="Task_Accept"))
    assert open_elements(case) == checks
    for task in case.tasks.filter(element_id__in=checks):
        approve_as_holder(task)
    case.refresh_from_db()
    return case


def test_records_make_a_household_that_declared_itself_poor_ineligible(city):
    case = submit_and_check("public-rental-housing", person(TWO_FLATS), DECLARED_POOR)
    assert case.status == Case.Status.REJECTED
    assert not case.tasks.filter(element_id="Task_Decide").exists()
    data = variables(case)
    assert data["eligible"] is False
    # 186 m² for three people: the property record, not the declared 5 m² a head
    assert data["reason"]["zh"] == "家庭人均住房建筑面积不低于15平方米"
    assert case.outcome_note == (  # shown to the resident, with the figure against the standard
        "家庭人均住房建筑面积不低于15平方米（家庭人均住房建筑面积 62 平方米，标准为低于 15 平方米）"
    )


def test_records_make_a_household_that_declared_itself_rich_eligible(city):
    case = submit_and_check("public-rental-housing", person(LOW_INCOME), DECLARED_RICH)
    assert case.status == Case.Status.IN_PROGRESS
    assert variables(case)["eligible"] is True
    assert open_elements(case) == {"Task_Decide"}
    approve_as_holder(case.tasks.get(element_id="Task_Decide"))
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED


def test_every_look_up_is_logged_for_the_case_and_on_its_timeline(city):
    resident = person(LOW_INCOME)
    case = submit_and_check("public-rental-housing", resident, DECLARED_RICH)
    calls = CallLog.objects.filter(case_number=case.number)
    assert set(calls.values_list("resource_code", flat=True)) == LOOKED_UP
    assert calls.count() == 6 and all(c.outcome == "ok" for c in calls)
    assert calllog_verify() is None

    notes = list(case.events.filter(kind="data_lookup").order_by("pk"))
    assert {n.data["resource"] for n in notes} == LOOKED_UP
    assert all(n.public and n.data["found"] for n in notes)
    messages = " ".join(n.message for n in notes)
    assert "不动产登记信息（广州市规划和自然资源局）" in messages
    assert "居民家庭经济状况核对信息（广州市民政局）" in messages
    assert "2600" not in messages and "31200" not in messages  # never the values

    client = Client()
    client.force_login(resident.user)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "已通过数据共享调取：社会保险参保缴费信息（广州市人力资源和社会保障局）" in page


@pytest.mark.parametrize(
    ("code", "phone", "reason", "figure"),
    [
        ("shared-ownership-housing", TWO_FLATS, "家庭在本市拥有住房（共有产权住房限无房家庭）", ""),
        (
            "shared-ownership-housing",
            HIGH_INCOME,
            "家庭人均年可支配收入超过共有产权住房收入线",
            "家庭人均年可支配收入 150000 元，标准为不超过 130000 元",
        ),
        (
            "price-limited-housing-prereview",
            TWO_FLATS,
            "家庭在本市已有住房且人均住房建筑面积不低于20平方米",
            "家庭人均住房建筑面积 62 平方米，标准为低于 20 平方米",
        ),
        (
            "price-limited-housing-prereview",
            HIGH_INCOME,
            "家庭人均年可支配收入超过限价房收入线",
            "家庭人均年可支配收入 150000 元，标准为不超过 110000 元",
        ),
        (
            "public-rental-housing",
            HIGH_INCOME,
            "3人户家庭人均年可支配收入超过45000元",
            "家庭人口数 3 人，家庭人均年可支配收入 150000 元，标准为不超过 45000 元",
        ),
        (
            "rental-housing-subsidy",
            TWO_FLATS,
            "家庭人均住房建筑面积不低于15平方米",
            "家庭人均住房建筑面积 62 平方米，标准为低于 15 平方米",
        ),
        (
            "rental-housing-subsidy",
            HIGH_INCOME,
            "家庭人均年可支配收入超过住房租赁补贴收入线（45000元）",
            "家庭人均年可支配收入 150000 元，标准为不超过 45000 元",
        ),
        (
            "low-income-family",
            TWO_FLATS,
            "家庭成员名下拥有2套及以上住房",
            "家庭成员名下住房套数 2 套，标准为低于 2 套",
        ),
        (
            "low-income-family",
            HIGH_INCOME,
            "家庭人均月收入超过本市最低生活保障标准的1.5倍（2070元）",
            "家庭人均月收入 12500 元，标准为不超过 2070 元",  # the rule's explain
        ),
        (
            "low-income-family",
            LOW_INCOME,
            "家庭人均月收入超过本市最低生活保障标准的1.5倍（2070元）",
            "家庭人均月收入 2600 元，标准为不超过 2070 元",
        ),
    ],
)
def test_the_other_housing_services_reject_on_the_records(city, code, phone, reason, figure):
    case = submit_and_check(code, person(phone), declared(code, poor=True))
    assert case.status == Case.Status.REJECTED
    assert not case.tasks.filter(element_id="Task_Decide").exists()
    assert variables(case)["reason"]["zh"] == reason
    # the resident reads the figure against the standard (a yes/no fact only: the reason)
    assert case.outcome_note == (f"{reason}（{figure}）" if figure else reason)


@pytest.mark.parametrize(
    ("code", "phone"),
    [
        ("shared-ownership-housing", LOW_INCOME),
        ("price-limited-housing-prereview", LOW_INCOME),
        ("rental-housing-subsidy", LOW_INCOME),
        ("low-income-family", DIBAO_EDGE),
    ],
)
def test_the_other_housing_services_accept_on_the_records(city, code, phone):
    case = submit_and_check(code, person(phone), declared(code, poor=False))
    assert case.status == Case.Status.IN_PROGRESS
    assert variables(case)["eligible"] is True
    assert open_elements(case) == {"Task_Decide"}


def test_non_residents_need_five_years_of_social_insurance(city):
    migrant = PersonFactory(phone=LOW_INCOME, region_code="430102")  # registered in Changsha
    profile = datasources.DEMO_PROFILES[LOW_INCOME]
    assert profile["gz-rsj.social-insurance"]["contribution_years"] >= 5
    case = submit_and_check("shared-ownership-housing", migrant, DECLARED_RICH)
    assert case.status == Case.Status.IN_PROGRESS  # six years here: eligible
    data = variables(case)
    assert data["exchange_gz_gaj_household_registration"]["applicant"]["region_code"] == "430102"

    rented = submit_and_check("public-rental-housing", migrant, DECLARED_RICH)
    assert rented.status == Case.Status.REJECTED  # public rental: registered households only
    assert variables(rented)["reason"]["zh"].startswith("申请人非本市户籍")


def test_the_declared_value_counts_where_no_record_exists(city, monkeypatch):
    """No property record for the applicant: the form's housing area is used (and the
    timeline says nothing was found)."""
    real = datasources.FakeCityDataSource()

    class NoProperty:
        def fetch(self, resource_code: str, subject: Any) -> dict[str, Any] | None:
            if resource_code == "gz-ghzyj.property-records":
                return None
            return real.fetch(resource_code, subject)

    monkeypatch.setattr("onewindow.exchange.services.data_source", NoProperty)
    crowded = {**DECLARED_POOR, "housing_area_per_capita": 18}
    case = submit_and_check("public-rental-housing", person(LOW_INCOME), crowded)
    assert case.status == Case.Status.REJECTED
    assert variables(case)["reason"]["zh"] == "家庭人均住房建筑面积不低于15平方米"
    note = case.events.get(kind="data_lookup", data__resource="gz-ghzyj.property-records")
    assert note.data["found"] is False and "未查到记录" in note.message


def test_no_household_registration_found_is_not_a_guangzhou_household(city, monkeypatch):
    """The public-security look-up ran and has no household registration for the applicant:
    that is "not registered here", not "unknown" (the table's ``not_found``), whatever the
    form says; the timeline says nothing was found."""
    real = datasources.FakeCityDataSource()

    class NoHukou:
        def fetch(self, resource_code: str, subject: Any) -> dict[str, Any] | None:
            if resource_code == "gz-gaj.household-registration":
                return None
            return real.fetch(resource_code, subject)

    monkeypatch.setattr("onewindow.exchange.services.data_source", NoHukou)
    case = submit_and_check("public-rental-housing", person(LOW_INCOME), DECLARED_POOR)
    assert case.status == Case.Status.REJECTED
    assert variables(case)["reason"]["zh"].startswith("申请人非本市户籍")
    note = case.events.get(kind="data_lookup", data__resource="gz-gaj.household-registration")
    assert note.data["found"] is False


def test_the_rental_subsidy_checks_the_housing_assistance_already_received(city, monkeypatch):
    """The housing bureau's branch also looks up the household's housing assistance: a
    household already in public rental housing gets no subsidy, whatever it declared."""
    resident = person(LOW_INCOME)
    case = submit_and_check("rental-housing-subsidy", resident, DECLARED_RICH)
    assert case.status == Case.Status.IN_PROGRESS  # no assistance yet: eligible
    calls = CallLog.objects.filter(case_number=case.number)
    assert set(calls.values_list("resource_code", flat=True)) == {
        *CHECKED,
        "gz-zjj.housing-records",
    }
    assert variables(case)["exchange_gz_zjj_housing_records"]["applicant"]["assistance"] == "无"

    real = datasources.FakeCityDataSource()

    class InPublicHousing:
        def fetch(self, resource_code: str, subject: Any) -> dict[str, Any] | None:
            if resource_code == "gz-zjj.housing-records":
                return {"assistance": "公共租赁住房", "since": "2022-03-01"}
            return real.fetch(resource_code, subject)

    monkeypatch.setattr("onewindow.exchange.services.data_source", InPublicHousing)
    # one application at a time: the household withdraws the first before applying again
    case_withdraw(user=resident.user, case_id=case.pk)
    housed = submit_and_check("rental-housing-subsidy", resident, DECLARED_POOR)
    assert housed.status == Case.Status.REJECTED
    assert variables(housed)["reason"]["zh"] == "家庭正在享受公共租赁住房或住房租赁补贴等住房保障"


def test_non_residents_get_the_rental_subsidy_but_not_the_low_income_recognition(city):
    migrant = PersonFactory(phone=LOW_INCOME, region_code="430102")  # registered in Changsha
    case = submit_and_check("rental-housing-subsidy", migrant, DECLARED_RICH)
    assert case.status == Case.Status.IN_PROGRESS  # six years of social insurance here

    other = PersonFactory(phone=DIBAO_EDGE, region_code="430102")
    family = submit_and_check("low-income-family", other, DECLARED_POOR_FAMILY)
    assert family.status == Case.Status.REJECTED  # registered households only
    assert variables(family)["reason"]["zh"].startswith("申请人非本市户籍")


def test_without_an_income_record_the_declared_income_is_measured_against_the_dibao_line(
    city, monkeypatch
):
    """No income and assets record: the household's declared size and monthly total count;
    CNY 1,200 a head is under the minimum-living line, a case for the dibao instead."""
    real = datasources.FakeCityDataSource()

    class NoIncomeRecord:
        def fetch(self, resource_code: str, subject: Any) -> dict[str, Any] | None:
            if resource_code == "gz-mzj.income-assets":
                return None
            return real.fetch(resource_code, subject)

    monkeypatch.setattr("onewindow.exchange.services.data_source", NoIncomeRecord)
    below = {"household_size": 3, "monthly_income": 3600, "financial_assets": 0}
    case = submit_and_check("low-income-family", person(DIBAO_EDGE), below)
    assert case.status == Case.Status.REJECTED
    assert variables(case)["reason"]["zh"] == (
        "家庭人均月收入不高于本市最低生活保障标准（1380元），请申请最低生活保障"
    )
    note = case.events.get(kind="data_lookup", data__resource="gz-mzj.income-assets")
    assert note.data["found"] is False
