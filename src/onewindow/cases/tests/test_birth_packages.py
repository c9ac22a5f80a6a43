"""The marriage-and-birth one-stop's birth services, as published from the catalogue:
生育登记 (default process) looks up both spouses' records once the spouse agrees and issues
the 生育服务登记凭证; 出生“一件事” checks the birth certificate number against the health
department's records (a made-up number is not found and never shown as obtained) and puts
every outcome it bundles in the parent's wallet."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client, TestCase

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.cases.services.parties import party_consent_decide
from onewindow.catalog.services import service_packages_import
from onewindow.core.identifiers import citizen_id_make
from onewindow.core.pii import id_number_index
from onewindow.exchange.datasources import FakeCityDataSource
from onewindow.exchange.models import CallLog
from onewindow.licences.models import Licence
from onewindow.testing.demo_packages import catalog_dir, run_to_the_end, submit_package
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _publish(code: str) -> Any:
    folder = catalog_dir() / code
    if not folder.exists():
        pytest.skip(f"demo package {code} not present")
    return service_packages_import(actor=Actor.system("test"), paths=[folder])[0]


def _couple() -> tuple[Any, Any]:
    applicant: Any = PersonFactory(birth_date=datetime.date(1994, 3, 8), gender="F")
    spouse_id = citizen_id_make("440104", datetime.date(1993, 7, 9), 456)
    spouse: Any = PersonFactory(
        id_number=spouse_id, id_number_bidx=id_number_index(spouse_id), name="李四"
    )
    return applicant, spouse


def _agree(case: Case, spouse: Any) -> Case:
    assert case.status == Case.Status.CONSENT
    party = case.parties.get(code="spouse")
    with TestCase.captureOnCommitCallbacks(execute=True):
        party_consent_decide(user=spouse.user, party_id=party.pk, agree=True)
    case.refresh_from_db()
    return case


def _wallet(person: Any) -> dict[str, Licence]:
    return {
        licence.licence_type.code: licence
        for licence in Licence.objects.filter(holder_person=person).select_related("licence_type")
    }


def _particulars(licence: Licence) -> dict[str, str]:
    return {item["label"]: item["value"] for item in licence.claims.get("particulars") or []}


def test_birth_registration_looks_up_both_spouses_and_issues_the_record(city):
    version = _publish("birth-registration")
    assert "spouse_name" not in version.form_schema["properties"]  # not asked again
    applicant, spouse = _couple()
    answers = {"spouse_id_number": spouse.id_number, "parity": "2"}
    case = _agree(submit_package(applicant, version, answers=answers), spouse)
    party = case.parties.get(code="spouse")
    assert party.person == spouse and party.record_check == "matched"

    calls = CallLog.objects.filter(case_number=case.number)
    assert sorted(set(calls.values_list("resource_code", flat=True))) == [
        "gz-gaj.household-registration",
        "gz-mzj.marital-status",
    ]
    assert calls.count() == 4  # each resource for the applicant and the spouse

    case = run_to_the_end(case)
    assert case.status == Case.Status.APPROVED
    licence = _wallet(applicant)["maternity-service-record"]
    assert licence.case == case and licence.licence_type.name_zh == "生育服务登记凭证"
    assert _particulars(licence)["登记孩次"] == "二孩"


def _apply_birth(applicant: Any, spouse: Any, number: str) -> Case:
    version = _publish("birth-one-stop")
    answers = {
        "spouse_id_number": spouse.id_number,
        "birth_cert_number": number,
        "child_name": "李小雨",
        "child_gender": "female",
        "birth_date": "2026-11-20",
        "insurance": "yes",
    }
    return _agree(submit_package(applicant, version, answers=answers), spouse)


def test_a_made_up_birth_certificate_number_is_not_found(city):
    applicant, spouse = _couple()
    real = FakeCityDataSource().fetch("gz-wjw.birth-records", applicant)
    assert real is not None
    made_up = "Q123456789" if real["certificate_number"] != "Q123456789" else "Q987654321"
    case = _apply_birth(applicant, spouse, made_up)

    birth = CallLog.objects.get(case_number=case.number, resource_code="gz-wjw.birth-records")
    assert (birth.outcome, birth.reason) == ("ok", "not_found")
    note = case.events.get(kind="data_lookup", data__resource="gz-wjw.birth-records")
    assert note.data["found"] is False
    assert note.message == (
        f"已通过数据共享查询出生医学证明信息（广州市卫生健康委员会），未查到编号为 {made_up} "
        "的记录：申请人填写的编号与部门登记的不符，不能作为已核验的材料，请核对"
    )
    client = Client()
    client.force_login(applicant.user)
    page = client.get(f"/cases/{case.number}/").content.decode()
    obtained = page.split('data-testid="exchange-lookups">', 1)[1].split("</p>", 1)[0]
    assert "出生医学证明信息" not in obtained
    assert "数据共享未查到：出生医学证明信息。" in page


def test_the_birth_one_stop_puts_every_outcome_in_the_wallet(city):
    applicant, spouse = _couple()
    real = FakeCityDataSource().fetch("gz-wjw.birth-records", applicant)
    assert real is not None
    case = _apply_birth(applicant, spouse, real["certificate_number"])
    note = case.events.get(kind="data_lookup", data__resource="gz-wjw.birth-records")
    assert note.data["found"] is True
    case = run_to_the_end(case)
    assert case.status == Case.Status.APPROVED
    wallet = _wallet(applicant)
    assert sorted(wallet) == [
        "birth-medical-certificate",
        "household-register",
        "maternity-service-record",
        "medical-insurance-certificate",
    ]
    assert all(licence.case == case for licence in wallet.values())
    assert (
        _particulars(wallet["birth-medical-certificate"])["出生医学证明编号"]
        == (real["certificate_number"])
    )
    assert _particulars(wallet["household-register"])["入户方式"] == "随父"
    assert wallet["household-register"].issuer_name == "广州市公安局"
    assert _particulars(wallet["medical-insurance-certificate"])["险种"] == "城乡居民基本医疗保险"
    assert wallet["medical-insurance-certificate"].issuer_name == "广州市医疗保障局"


def test_the_newborn_registration_guide_offers_the_one_stop(city):
    _publish("hukou-birth")
    _publish("birth-one-stop")
    page = Client().get("/services/hukou-birth/").content.decode()
    banner = page.split('data-testid="part-of">', 1)[1].split("</p>", 1)[0]
    assert banner.startswith(
        "本事项已纳入出生“一件事”联办（生育登记、出生入户、医保参保）：在线申请一次，"
        "相关部门并联办理，全部结果发到证照夹，无需再单独申请。"
    )
    assert 'href="/services/birth-one-stop/"' in banner
    resident: Any = PersonFactory()
    client = Client()
    client.force_login(resident.user)
    start = client.get("/cases/apply/hukou-birth/").content.decode()
    assert start.split('data-testid="part-of">', 1)[1].split("</p>", 1)[0] == banner
    guide = Client().get("/services/birth-one-stop/").content.decode()
    assert "证照：生育服务登记凭证、出生医学证明、居民户口簿、医保参保凭证</dd>" in guide, (
        guide.split("办理结果", 1)[1][:300]
    )
    assert 'data-testid="part-of"' not in guide
