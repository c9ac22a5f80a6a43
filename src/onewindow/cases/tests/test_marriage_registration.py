"""Marriage registration (结婚登记) as the registry enforces it: both parties' marital status,
fetched through the exchange once the partner has agreed, decides — a party with a spouse is
refused with the record and its source, and no clerk can approve it; the partner's name must
be the one on their identity record. Real package, real engine, real exchange; the demo
city's data sources (a fixed record where a test needs one)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import TestCase

from onewindow.appointments.models import Booking, Slot
from onewindow.appointments.seed import resources_seed
from onewindow.audit.services import Actor
from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.services import case_appointment_book
from onewindow.cases.services.parties import party_consent_decide
from onewindow.catalog.models import ServiceVersion
from onewindow.catalog.services import service_packages_import
from onewindow.core.identifiers import citizen_id_make
from onewindow.core.pii import id_number_index
from onewindow.exchange import datasources
from onewindow.testing.demo_packages import catalog_dir, sample_answers
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
# Monday before the 2026 National Day holiday (the holiday calendar covers it).
MONDAY = datetime.datetime(2026, 9, 28, 10, 0, tzinfo=CST)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TODAY = MONDAY.date()
APPLICANT_PHONE = "13912340001"
PARTNER_PHONE = "13912340002"


def resident(name: str, born: datetime.date, serial: int, phone: str) -> Any:
    number = citizen_id_make("440106", born, serial)
    return PersonFactory(
        name=name, id_number=number, id_number_bidx=id_number_index(number), phone=phone
    )


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def registry(city: None, clock: Any) -> None:
    resources_seed(days=6)


@pytest.fixture
def marriage(city: None) -> ServiceVersion:
    folder = catalog_dir() / "marriage-registration"
    return service_packages_import(actor=Actor.system("test"), paths=[folder])[0]


@pytest.fixture
def couple(db: Any) -> tuple[Any, Any]:
    """Young residents (the demo city's records say 未婚 unless a test fixes another)."""
    return (
        resident("王芳", datetime.date(1997, 2, 3), 124, APPLICANT_PHONE),
        resident("李四", datetime.date(1996, 7, 9), 457, PARTNER_PHONE),
    )


def married_since_2015(monkeypatch: Any, phone: str) -> None:
    profiles = {**datasources.DEMO_PROFILES}
    profiles[phone] = {
        **profiles.get(phone, {}),
        "gz-mzj.marital-status": {"marital_status": "已婚", "registered_on": "2015-05-20"},
    }
    monkeypatch.setattr(datasources, "DEMO_PROFILES", profiles)


def slot_at(day: datetime.date, hour: int) -> Slot:
    start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=CST)
    return Slot.objects.get(resource__code="marriage-registry", starts_at=start)


def apply(
    applicant: Any,
    partner: Any,
    version: Any,
    *,
    slot: Slot | None = None,
    partner_name: str | None = None,
) -> Case:
    """Book, fill in and submit as the pages do; the partner's consent is still open."""
    user = applicant.user
    case = services.case_draft_start(user=user, service_code=version.service.code)
    data = {
        k: v
        for k, v in sample_answers(version.form_schema).items()
        if k not in {"applicant_name", "applicant_id_number", "phone"}
    }
    data |= {
        "partner_name": partner.name if partner_name is None else partner_name,
        "partner_id_number": partner.id_number,
        "partner_phone": partner.phone,
    }
    errors = services.case_draft_save_form(user=user, case_id=case.pk, data=data)
    assert not errors, errors
    for spec in services.material_specs(version.definition):
        if spec.source == "upload" and spec.required:
            services.case_material_attach(
                user=user, case_id=case.pk, code=spec.code, upload=io.BytesIO(PNG)
            )
    case_appointment_book(user=user, case_id=case.pk, slot_id=(slot or slot_at(TODAY, 14)).pk)
    case.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_submit(user=user, case_id=case.pk, token=case.submit_token)
    case.refresh_from_db()
    assert case.status == Case.Status.CONSENT
    return case


def consent(case: Case, partner: Any) -> Case:
    party = case.parties.get(code="partner")
    with TestCase.captureOnCommitCallbacks(execute=True):
        party_consent_decide(user=partner.user, party_id=party.pk, agree=True)
    case.refresh_from_db()
    return case


def open_elements(case: Case) -> set[str]:
    return set(
        case.tasks.filter(status__in=["open", "claimed"]).values_list("element_id", flat=True)
    )


# --- 1. a party with a spouse is refused; the partner's name is the identity record's ------


@pytest.mark.parametrize("who", ["applicant", "partner"])
def test_a_party_already_married_is_refused_with_the_record_and_no_review(
    registry: Any, marriage: Any, couple: tuple[Any, Any], monkeypatch: Any, who: str
) -> None:
    applicant, partner = couple
    married_since_2015(monkeypatch, APPLICANT_PHONE if who == "applicant" else PARTNER_PHONE)
    case = consent(apply(applicant, partner, marriage), partner)

    assert case.status == Case.Status.REJECTED
    assert not case.tasks.filter(element_id="Task_Review").exists()  # nobody can approve it
    label = "申请人" if who == "applicant" else "对方"
    assert case.outcome_note == (
        f"{label}有配偶，不予办理结婚登记（广州市民政局婚姻登记信息：{label}婚姻状况为已婚，"
        "登记日期 2015-05-20）"
    )
    assert not case.licences.exists()
    # The refusal notice is a written decision naming the record used and the remedies.
    letter = case.refusal_letter
    assert letter.content["reasons"][0]["text"].startswith(f"{label}有配偶")
    records = {row["resource"]: row["department"] for row in letter.content["records"]}
    assert records["婚姻登记信息"] == "广州市民政局"
    assert letter.content["reconsideration"] == "广州市人民政府"
    booking = Booking.objects.get(slot__resource__code="marriage-registry", status="cancelled")
    assert booking.cancelled_at is not None  # its place is given back


def test_a_partner_named_with_another_name_is_refused(
    registry: Any, marriage: Any, couple: tuple[Any, Any]
) -> None:
    applicant, partner = couple
    case = consent(apply(applicant, partner, marriage, partner_name="李思"), partner)

    assert case.status == Case.Status.REJECTED
    assert not case.tasks.filter(element_id="Task_Review").exists()
    assert case.outcome_note == (
        "对方姓名与其居民身份证信息不一致，不予办理结婚登记（广州市公安局居民身份证信息："
        "申请表填写的对方姓名与该公民身份号码登记的姓名不一致）"
    )


def _born_years_ago(years: int, *, days_later: int = 0) -> datetime.date:
    return TODAY.replace(year=TODAY.year - years) + datetime.timedelta(days=days_later)


def test_a_man_under_twenty_two_is_refused_and_on_his_birthday_he_may_marry(
    registry: Any, marriage: Any, couple: tuple[Any, Any]
) -> None:
    """民法典第一千零四十七条: men from 22, women from 20, by the date of birth on the
    identity record (the citizen ID's sequence digit says the sex: 457 odd, a man)."""
    applicant, _partner = couple
    young = resident("李小四", _born_years_ago(22, days_later=1), 457, "13912340004")
    case = consent(apply(applicant, young, marriage), young)

    assert case.status == Case.Status.REJECTED
    assert not case.tasks.filter(element_id="Task_Review").exists()
    assert case.outcome_note == (
        "对方未达法定婚龄（男不得早于二十二周岁，女不得早于二十周岁），不予办理结婚登记"
        "（广州市公安局居民身份证信息：对方性别男，现年21周岁）"
    )


def test_a_woman_of_twenty_today_may_marry_and_one_day_younger_may_not(
    registry: Any, marriage: Any, couple: tuple[Any, Any]
) -> None:
    _applicant, partner = couple
    of_age = resident("王小芳", _born_years_ago(20), 124, "13912340005")  # 124 even: a woman
    case = consent(apply(of_age, partner, marriage), partner)
    assert case.status == Case.Status.IN_PROGRESS and open_elements(case) == {"Task_Review"}

    younger = resident("陈静", _born_years_ago(20, days_later=1), 126, "13912340006")
    other = resident("赵六", datetime.date(1996, 1, 1), 459, "13912340007")  # young: 未婚
    refused = consent(apply(younger, other, marriage, slot=slot_at(TODAY, 15)), other)
    assert refused.status == Case.Status.REJECTED
    assert refused.outcome_note.startswith(
        "申请人未达法定婚龄（男不得早于二十二周岁，女不得早于二十周岁），不予办理结婚登记"
        "（广州市公安局居民身份证信息：申请人性别女，现年19周岁）"
    )


def test_unmarried_parties_reach_the_on_the_spot_review(
    registry: Any, marriage: Any, couple: tuple[Any, Any]
) -> None:
    applicant, partner = couple
    case = consent(apply(applicant, partner, marriage), partner)

    assert case.status == Case.Status.IN_PROGRESS
    assert open_elements(case) == {"Task_Review"}


# --- 3. the on-the-spot review needs both parties at the desk, on the day ------------------


def clerk() -> Any:
    from onewindow.identity.models import User

    return User.objects.get(username="mzj_clerk")


def decide(case: Case, decision: str = "approve", comment: str = "") -> None:
    task = case.tasks.get(element_id="Task_Review", status__in=["open", "claimed"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.task_complete(user=clerk(), task_id=task.pk, decision=decision, comment=comment)


def test_the_review_opens_only_once_both_parties_are_checked_in_on_the_day(
    registry: Any, marriage: Any, couple: tuple[Any, Any], clock: Any
) -> None:
    from onewindow.appointments.selectors import desk_day
    from onewindow.appointments.services import booking_check_in
    from onewindow.cases.services.tasks import PersonsNotPresent

    applicant, partner = couple
    tomorrow = TODAY + datetime.timedelta(days=1)
    case = consent(apply(applicant, partner, marriage, slot=slot_at(tomorrow, 9)), partner)
    assert open_elements(case) == {"Task_Review"}
    waiting = (
        "当场审查须在预约当天，申请人、对方到场签到后进行"
        "（预约：广州市天河区婚姻登记处，2026-09-29 09:00）。"
    )

    with pytest.raises(PersonsNotPresent) as refused:  # the day before, nobody there
        decide(case)
    assert str(refused.value.message) == waiting

    clock.move_to(datetime.datetime(2026, 9, 29, 9, 5, tzinfo=CST))
    booking = Booking.objects.get(case=case, status="booked")
    row = next(
        b for s in desk_day(resource=booking.slot.resource, day=tomorrow) for b in s.bookings
    )
    assert [(a.label, a.name, a.checked_in) for a in row.attendees] == [
        ("申请人", "王*", False),
        ("对方", "李*", False),
    ]
    booking_check_in(user=clerk(), booking_id=booking.pk, attendee="applicant")
    booking.refresh_from_db()
    assert (booking.status, booking.checked_in) == ("booked", ["applicant"])
    with pytest.raises(PersonsNotPresent):  # only one of them is here
        decide(case)

    booking_check_in(user=clerk(), booking_id=booking.pk, attendee="partner")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ATTENDED
    decide(case)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ATTENDED
    notes = list(
        case.events.filter(kind="appointment_checked_in").values_list("message", flat=True)
    )
    assert notes == [
        "申请人已到场签到，等待其他相关人到场：广州市天河区婚姻登记处，2026-09-29 09:00",
        "对方已到场签到，相关人均已到场：广州市天河区婚姻登记处，2026-09-29 09:00",
    ]


def test_nobody_came_the_review_can_only_refuse_and_the_booking_says_so(
    registry: Any, marriage: Any, couple: tuple[Any, Any], clock: Any
) -> None:
    from onewindow.appointments.services import booking_mark_no_show
    from onewindow.cases.services.tasks import PersonsNotPresent

    applicant, partner = couple
    case = consent(apply(applicant, partner, marriage, slot=slot_at(TODAY, 14)), partner)
    clock.move_to(datetime.datetime(2026, 9, 28, 14, 40, tzinfo=CST))
    booking = Booking.objects.get(case=case, status="booked")
    booking_mark_no_show(user=clerk(), booking_id=booking.pk)
    with pytest.raises(PersonsNotPresent):
        decide(case)
    decide(case, "reject", "当事人未按预约到场")
    case.refresh_from_db()
    booking.refresh_from_db()
    assert (case.status, booking.status) == (Case.Status.REJECTED, Booking.Status.NO_SHOW)


def test_a_case_that_ends_after_its_slot_without_a_check_in_leaves_the_booking_no_show(
    registry: Any, marriage: Any, couple: tuple[Any, Any], clock: Any, monkeypatch: Any
) -> None:
    """The partner agreed only after the slot had begun, and the records refuse the case:
    the booking is not left 已预约."""
    applicant, partner = couple
    married_since_2015(monkeypatch, PARTNER_PHONE)
    case = apply(applicant, partner, marriage, slot=slot_at(TODAY, 14))
    clock.move_to(datetime.datetime(2026, 9, 28, 15, 0, tzinfo=CST))
    case = consent(case, partner)
    assert case.status == Case.Status.REJECTED
    assert Booking.objects.get(case=case).status == Booking.Status.NO_SHOW


# --- 2, 4, 5. the partner's part; the registry of the booking; no expiry ---------------------


def register(
    registry: Any, marriage: Any, couple: tuple[Any, Any], clock: Any, office: str
) -> Case:
    """Apply at ``office`` for 14:00 today, the partner agrees, both checked in, approved."""
    from onewindow.appointments.services import booking_check_in

    applicant, partner = couple
    slot = Slot.objects.get(
        resource__code=office,
        starts_at=datetime.datetime.combine(TODAY, datetime.time(14), tzinfo=CST),
    )
    case = consent(apply(applicant, partner, marriage, slot=slot), partner)
    clock.move_to(datetime.datetime(2026, 9, 28, 14, 5, tzinfo=CST))
    booking = Booking.objects.get(case=case, status="booked")
    booking_check_in(user=clerk(), booking_id=booking.pk)  # both at once
    decide(case)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    return case


def test_both_parties_hold_a_certificate_naming_the_other(
    registry: Any, marriage: Any, couple: tuple[Any, Any], clock: Any
) -> None:
    from onewindow.core.masking import mask_citizen_id
    from onewindow.licences.selectors import licences_for_user
    from onewindow.licences.verification import licence_particulars

    applicant, partner = couple
    case = register(registry, marriage, couple, clock, "marriage-registry-yuexiu")

    mine = licences_for_user(user=applicant.user).get(case=case)
    theirs = licences_for_user(user=partner.user).get(case=case)
    assert mine.pk != theirs.pk
    assert (mine.holder_person, theirs.holder_person) == (applicant, partner)

    def said(licence: Any) -> dict[str, str]:
        return {row["label"]: row["value"] for row in licence_particulars(licence)}

    assert said(mine) == {
        "配偶姓名": "李四",
        "配偶公民身份号码": mask_citizen_id(partner.id_number),
        "登记机关": "广州市越秀区婚姻登记处",  # the registry booked, not a form field
    }
    assert said(theirs) == {
        "配偶姓名": "王芳",
        "配偶公民身份号码": mask_citizen_id(applicant.id_number),
        "登记机关": "广州市越秀区婚姻登记处",
    }
    # 5. a marriage certificate does not expire
    assert mine.valid_until is None and theirs.valid_until is None
    assert Booking.objects.get(case=case).status == Booking.Status.ATTENDED


def test_the_case_ref_carries_the_partner_and_the_registry_the_couple_came_to(
    registry: Any, marriage: Any, couple: tuple[Any, Any], clock: Any
) -> None:
    """What the licence issue reads of the case (``ctx.context["case"]``): the partner who
    agreed, the registry they were checked in at, the version its package comes from."""
    from onewindow.cases.services.process import case_ref
    from onewindow.core.refs import PartyRef

    applicant, partner = couple
    case = register(registry, marriage, couple, clock, "marriage-registry-yuexiu")
    ref = case_ref(Case.objects.select_related("service_version__service").get(pk=case.pk))
    assert ref.applicant_person_id == applicant.pk
    assert ref.parties == (PartyRef(code="partner", person_id=partner.pk, joint=True),)
    assert ref.party("partner") == PartyRef(code="partner", person_id=partner.pk, joint=True)
    assert ref.attended_office == "广州市越秀区婚姻登记处"
    assert ref.service_version == case.service_version.number


def test_the_partner_sees_the_case_and_is_told_its_outcome(
    registry: Any, marriage: Any, couple: tuple[Any, Any], clock: Any
) -> None:
    from django.test import Client

    from onewindow.cases.party_selectors import joint_cases_for
    from onewindow.core.pii import phone_index
    from onewindow.notify.models import Message, SmsMessage

    applicant, partner = couple
    case = register(registry, marriage, couple, clock, "marriage-registry")

    assert [row.case for row in joint_cases_for(user=partner.user)] == [case]
    assert joint_cases_for(user=applicant.user) == []  # her own case is under 已提交的办件
    told = Message.objects.get(recipient=partner.user, kind="concluded")
    assert told.link == f"/cases/joint/{case.number}/"
    assert case.number in told.body and "结婚登记" in told.body
    assert SmsMessage.objects.filter(
        phone_bidx=phone_index(PARTNER_PHONE), template="case_approved"
    ).exists()

    client = Client()
    client.force_login(partner.user)
    listed = client.get("/cases/").content.decode()
    assert f"/cases/joint/{case.number}/" in listed
    page = client.get(f"/cases/joint/{case.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "王芳 提交的共同申请，您是对方。" in html
    assert "已办结（准予）" in html and "已到场" in html and "结婚证" in html
    assert client.get(f"/cases/{case.number}/").status_code == 404  # not her own application

    stranger = Client()
    stranger.force_login(cast(Any, PersonFactory()).user)
    assert stranger.get(f"/cases/joint/{case.number}/").status_code == 404


def test_the_registry_and_date_come_from_the_booking(
    registry: Any, marriage: Any, couple: tuple[Any, Any]
) -> None:
    from onewindow.appointments.selectors import appointment_resource_codes
    from onewindow.core.errors import NotFound

    questions = set(marriage.form_schema["properties"])
    assert not questions & {"registry", "preferred_date"}  # no second, free answer
    assert appointment_resource_codes(marriage.definition) == [
        "marriage-registry",
        "marriage-registry-city",
        "marriage-registry-yuexiu",
        "marriage-registry-panyu",
    ]
    applicant, _partner = couple
    case = services.case_draft_start(user=applicant.user, service_code=marriage.service.code)
    elsewhere = Slot.objects.filter(resource__code="adoption-registry").first()
    assert elsewhere is not None
    with pytest.raises(NotFound):
        case_appointment_book(user=applicant.user, case_id=case.pk, slot_id=elsewhere.pk)
    panyu = Slot.objects.filter(
        resource__code="marriage-registry-panyu", starts_at__gt=MONDAY
    ).first()
    assert panyu is not None
    booking = case_appointment_book(user=applicant.user, case_id=case.pk, slot_id=panyu.pk)
    assert booking.slot.resource.name == "广州市番禺区婚姻登记处"


def test_divorce_registration_books_the_registry_and_expects_both_parties(city: None) -> None:
    from onewindow.appointments.selectors import appointment_resource_codes, attend_codes

    folder = catalog_dir() / "divorce-registration"
    divorce = service_packages_import(actor=Actor.system("test"), paths=[folder])[0]
    assert "preferred_date" not in divorce.form_schema["properties"]
    assert "marriage-registry-panyu" in appointment_resource_codes(divorce.definition)
    assert attend_codes(divorce.definition) == ["applicant", "partner"]


def test_the_demo_records_let_the_walkthrough_couple_marry_and_refuse_a_married_partner(
    db: Any,
) -> None:
    """docs/demo-walkthrough.md: 李志明 and 陈嘉欣 are unmarried, 黄淑仪 married since 2015."""
    source = datasources.FakeCityDataSource()
    status = {
        phone: (source.fetch("gz-mzj.marital-status", cast(Any, PersonFactory(phone=phone))) or {})
        for phone in ("13800000001", "13800000002", "13800000003")
    }
    assert [s["marital_status"] for s in status.values()] == ["未婚", "未婚", "已婚"]
    assert status["13800000003"]["registered_on"] == "2015-05-20"


def test_both_parties_are_reminded_the_working_day_before(
    registry: Any, marriage: Any, couple: tuple[Any, Any]
) -> None:
    from onewindow.appointments.services import reminders_send_due
    from onewindow.core.pii import phone_index
    from onewindow.notify.models import SmsMessage

    applicant, partner = couple
    tomorrow = TODAY + datetime.timedelta(days=1)
    consent(apply(applicant, partner, marriage, slot=slot_at(tomorrow, 9)), partner)
    assert reminders_send_due(now=datetime.datetime(2026, 9, 28, 15, 0, tzinfo=CST)) == 1
    reminded = SmsMessage.objects.filter(template="appointment_reminder")
    assert set(reminded.values_list("phone_bidx", flat=True)) == {
        phone_index(APPLICANT_PHONE),
        phone_index(PARTNER_PHONE),
    }


def test_the_partner_goes_from_her_consent_to_the_case(
    registry: Any, marriage: Any, couple: tuple[Any, Any]
) -> None:
    from django.test import Client

    applicant, partner = couple
    case = consent(apply(applicant, partner, marriage), partner)
    client = Client()
    client.force_login(partner.user)
    party = case.parties.get(code="partner")
    html = client.get(f"/cases/consents/{party.pk}/").content.decode()
    assert f'href="/cases/joint/{case.number}/"' in html and "查看办件进度" in html


def test_the_review_shows_the_registrar_both_parties_records_and_the_rule_result(
    registry: Any, marriage: Any, couple: tuple[Any, Any]
) -> None:
    from onewindow.testing.clients import staff_client

    applicant, partner = couple
    case = consent(apply(applicant, partner, marriage), partner)
    task = case.tasks.get(element_id="Task_Review")
    html = staff_client(clerk()).get(f"/workbench/tasks/{task.pk}/").content.decode()
    assert "规则结果：符合" in html
    for label in ("申请人婚姻状况", "对方婚姻状况", "对方姓名与居民身份证信息一致"):
        assert label in html
    assert "当场审查须在预约当天，申请人、对方到场签到后进行" in html


def test_the_review_is_not_refused_before_the_day_but_can_be_on_it(
    registry: Any, marriage: Any, couple: tuple[Any, Any], clock: Any
) -> None:
    from onewindow.cases.services.tasks import PersonsNotPresent

    applicant, partner = couple
    tomorrow = TODAY + datetime.timedelta(days=1)
    case = consent(apply(applicant, partner, marriage, slot=slot_at(tomorrow, 9)), partner)
    with pytest.raises(PersonsNotPresent):
        decide(case, "reject", "双方不符合结婚条件")
    clock.move_to(datetime.datetime(2026, 9, 29, 9, 30, tzinfo=CST))
    decide(case, "reject", "当事人未到场")  # the day has come: nobody waits on the task
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
    assert Booking.objects.get(case=case).status == Booking.Status.NO_SHOW
