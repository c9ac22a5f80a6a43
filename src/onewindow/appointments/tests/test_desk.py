"""The registry office's desk: its department's window clerks see the day's bookings by slot
(masked names, case numbers, status), check applicants in and mark no-shows — audited,
idempotent, refused to everybody else — on the page and over the API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from onewindow.appointments.models import Booking, Slot
from onewindow.appointments.services import booking_check_in
from onewindow.audit.models import AuditEvent
from onewindow.core.errors import Conflict, NotFound
from onewindow.identity.models import User
from onewindow.testing.appointments import apply_with_booking
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import PersonFactory

from .conftest import CST, MONDAY

pytestmark = pytest.mark.django_db

DESK = "/appointments/desk/marriage-registry/"
TODAY = MONDAY.date()


def _staff(username: str) -> Client:
    return staff_client(User.objects.get(username=username))


def _slot(registry: Any, day: datetime.date, hour: int) -> Slot:
    start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=CST)
    return Slot.objects.get(resource=registry, starts_at=start)


@pytest.fixture
def booked(registry: Any, marriage: Any) -> dict[str, Any]:
    """Two couples at 14:00 today, one at 09:00 tomorrow."""
    afternoon = _slot(registry, TODAY, 14)
    tomorrow = _slot(registry, TODAY + datetime.timedelta(days=1), 9)
    people = [PersonFactory(name=name) for name in ("欧阳晓明", "陈静怡", "李四")]
    cases = [
        apply_with_booking(people[0], marriage, afternoon),
        apply_with_booking(people[1], marriage, afternoon),
        apply_with_booking(people[2], marriage, tomorrow),
    ]
    bookings = [Booking.objects.get(case=c, status="booked") for c in cases]
    return {"people": people, "cases": cases, "bookings": bookings}


def test_the_clerk_sees_the_days_bookings_by_slot_with_masked_names(booked):
    page = _staff("mzj_clerk").get(DESK)
    assert page.status_code == 200
    html = page.content.decode()
    assert "欧**明" in html and "陈*怡" in html
    assert "欧阳晓明" not in html and "陈静怡" not in html
    for case in booked["cases"][:2]:
        assert case.number in html
    assert booked["cases"][2].number not in html  # tomorrow's
    assert "14:00–14:30" in html
    assert "共 2 个预约：待到场 2，已到场 0，未到场 0。" in html

    tomorrow = _staff("mzj_clerk").get(DESK, {"day": "2026-09-29"}).content.decode()
    assert booked["cases"][2].number in tomorrow and "李*" in tomorrow


def test_a_bad_date_is_an_error_at_the_field(booked):
    page = _staff("mzj_clerk").get(DESK, {"day": "2026-13-45"})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'id="desk-day-error"' in html and "请输入正确的日期" in html
    assert booked["cases"][0].number not in html


def test_check_in_is_audited_once_and_shows_on_the_case(booked, clock):
    booking = booked["bookings"][0]
    clerk = _staff("mzj_clerk")
    for _again in range(2):
        response = clerk.post(f"{DESK}?day={TODAY}", {"booking": booking.pk, "action": "check_in"})
        assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ATTENDED
    assert booking.marked_by == User.objects.get(username="mzj_clerk")
    assert booking.marked_at is not None
    audits = AuditEvent.objects.filter(action="appointments.booking.check_in")
    assert audits.count() == 1
    case = booked["cases"][0]
    note = case.events.get(kind="appointment_checked_in")
    assert note.public and "已按预约到场签到" in note.message

    resident = Client()
    resident.force_login(booked["people"][0].user)
    page = resident.get(f"/cases/{case.number}/").content.decode()
    assert "已到场" in page and "广州市天河区婚姻登记处" in page


def test_no_show_only_once_the_slot_has_started(booked, clock):
    booking = booked["bookings"][1]
    clerk_user = User.objects.get(username="mzj_clerk")
    clerk = _staff("mzj_clerk")
    early = clerk.post(f"{DESK}?day={TODAY}", {"booking": booking.pk, "action": "no_show"})
    assert early.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED  # refused: nothing changed
    follow = clerk.get(early["Location"]).content.decode()
    assert "预约时段开始后才能标记未到场" in follow

    clock.move_to(datetime.datetime(2026, 9, 28, 14, 40, tzinfo=CST))
    clerk = _staff("mzj_clerk")  # a new session: staff sessions end after 15 idle minutes
    clerk.post(f"{DESK}?day={TODAY}", {"booking": booking.pk, "action": "no_show"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    assert AuditEvent.objects.filter(action="appointments.booking.no_show").count() == 1
    # A late arrival after all: the mark is corrected (and audited).
    booking_check_in(user=clerk_user, booking_id=booking.pk)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ATTENDED


def test_check_in_is_for_the_slots_day_only(booked):
    tomorrow = booked["bookings"][2]
    with pytest.raises(Conflict):
        booking_check_in(user=User.objects.get(username="mzj_clerk"), booking_id=tomorrow.pk)
    tomorrow.refresh_from_db()
    assert tomorrow.status == Booking.Status.BOOKED


def test_cancelled_bookings_cannot_be_marked(booked):
    booking = booked["bookings"][0]
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    with pytest.raises(Conflict):
        booking_check_in(user=User.objects.get(username="mzj_clerk"), booking_id=booking.pk)


@pytest.mark.parametrize("username", ["gaj_clerk", "mzj_approver"])
def test_other_staff_reach_neither_the_desk_nor_the_bookings(booked, username):
    client = _staff(username)
    assert client.get(DESK).status_code == 404
    booking = booked["bookings"][0]
    client.post(DESK, {"booking": booking.pk, "action": "check_in"})
    with pytest.raises(NotFound):
        booking_check_in(user=User.objects.get(username=username), booking_id=booking.pk)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    assert client.get(f"/api/v1/appointments/desk/marriage-registry?day={TODAY}").status_code == 404
    api = client.post(f"/api/v1/appointments/bookings/{booking.pk}/check-in")
    assert api.status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    listing = client.get("/appointments/desk/").content.decode()
    assert "marriage-registry" not in listing


def test_the_desk_index_lists_the_clerks_offices(booked):
    page = _staff("mzj_clerk").get("/appointments/desk/").content.decode()
    assert f'href="{DESK}"' in page  # the civil affairs bureau's two offices
    assert 'href="/appointments/desk/adoption-registry/"' in page
    assert "exit-entry-counter" not in page
    one = _staff("gaj_clerk").get("/appointments/desk/")  # the exit-entry counter only
    assert one.status_code == 302 and one["Location"] == "/appointments/desk/exit-entry-counter/"


def test_the_same_data_and_marks_over_the_api(booked, clock):
    clerk = _staff("mzj_clerk")
    day = clerk.get(f"/api/v1/appointments/desk/marriage-registry?day={TODAY}")
    assert day.status_code == 200, day.content
    body = day.json()
    assert body["resource"] == "marriage-registry" and body["day"] == TODAY.isoformat()
    rows = [b for s in body["slots"] for b in s["bookings"]]
    assert sorted(b["case_number"] for b in rows) == sorted(c.number for c in booked["cases"][:2])
    assert {b["name"] for b in rows} == {"欧**明", "陈*怡"}
    assert all(b["status"] == "booked" and b["can_check_in"] for b in rows)

    booking = booked["bookings"][0]
    first = clerk.post(f"/api/v1/appointments/bookings/{booking.pk}/check-in")
    again = clerk.post(f"/api/v1/appointments/bookings/{booking.pk}/check-in")
    assert first.status_code == again.status_code == 200
    assert again.json()["status"] == "attended"
    assert AuditEvent.objects.filter(action="appointments.booking.check_in").count() == 1

    early = clerk.post(f"/api/v1/appointments/bookings/{booked['bookings'][1].pk}/no-show")
    assert early.status_code == 409
    assert early.json()["errors"][0]["code"] == "too_early"

    resident = Client()
    resident.force_login(booked["people"][0].user)
    assert resident.get("/api/v1/appointments/desk/marriage-registry").status_code == 403


def test_each_party_of_a_couple_is_listed_and_checked_in_over_the_api(booked, clock):
    clerk = _staff("mzj_clerk")
    booking = booked["bookings"][0]
    body = clerk.get(f"/api/v1/appointments/desk/marriage-registry?day={TODAY}").json()
    row = next(b for s in body["slots"] for b in s["bookings"] if b["id"] == booking.pk)
    assert [(a["code"], a["label"], a["checked_in"]) for a in row["attendees"]] == [
        ("applicant", "申请人", False),
        ("partner", "对方", False),
    ]
    first = clerk.post(f"/api/v1/appointments/bookings/{booking.pk}/check-in?attendee=applicant")
    assert first.status_code == 200, first.content
    assert (first.json()["status"], first.json()["checked_in"]) == ("booked", ["applicant"])
    unknown = clerk.post(f"/api/v1/appointments/bookings/{booking.pk}/check-in?attendee=witness")
    assert unknown.status_code == 404
    second = clerk.post(f"/api/v1/appointments/bookings/{booking.pk}/check-in?attendee=partner")
    assert (second.json()["status"], second.json()["checked_in"]) == (
        "attended",
        ["applicant", "partner"],
    )


def test_the_day_is_read_in_a_fixed_number_of_queries(booked, clock, django_assert_num_queries):
    """Each couple's persons come with the day, not one look-up per booking."""
    from onewindow.appointments.selectors import desk_day

    resource = booked["bookings"][0].slot.resource
    with django_assert_num_queries(4):  # slots, bookings, cases' applicants, parties
        slots = desk_day(resource=resource, day=TODAY)
    assert sum(len(s.bookings) for s in slots) == 2


def test_the_desk_knows_a_case_only_from_what_the_cases_app_tells_it(booked, clock):
    """Appointments reads no case: number, service and persons come from the source the
    cases app registers (``CasesConfig.ready``); without one a booking is its case's id."""
    from onewindow.appointments.selectors import BookingCase, NamedPerson, desk_day
    from onewindow.appointments.services import case_facts_source_set
    from onewindow.cases.booking_selectors import booking_cases

    booking = booked["bookings"][0]
    told = BookingCase(
        id=booking.case_id,
        number="TOLD-1",
        service_name="某项服务",
        definition={"appointment": {"attend": ["applicant"]}},
        persons=(NamedPerson(code="applicant", label="申请人", masked_name="张*", person_id=None),),
    )
    resource = booking.slot.resource
    try:
        case_facts_source_set(lambda ids: {told.id: told} if told.id in ids else {})
        row = next(
            b
            for s in desk_day(resource=resource, day=TODAY)
            for b in s.bookings
            if b.id == booking.pk
        )
        assert (row.case_number, row.service) == ("TOLD-1", "某项服务")
        assert [(a.code, a.name) for a in row.attendees] == [("applicant", "张*")]
        case_facts_source_set(None)
        row = next(
            b
            for s in desk_day(resource=resource, day=TODAY)
            for b in s.bookings
            if b.id == booking.pk
        )
        assert (row.case_number, row.service, row.attendees) == ("", "", ())
    finally:
        case_facts_source_set(booking_cases)
