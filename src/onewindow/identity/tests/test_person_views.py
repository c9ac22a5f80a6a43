"""Masking everywhere, audited reads, and the audited reveal of full ID and phone."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.core.identifiers import citizen_id_make
from onewindow.identity.models import AssuranceLevel, Person
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import make_person, make_role, make_staff, user_of

pytestmark = pytest.mark.django_db


def person_url(person: Person) -> str:
    return f"/account/staff/persons/{person.pk}/"


def reader_staff():
    role = make_role(code="pii-reader", name="核验员")
    role.permissions.add(Permission.objects.get(codename="view_pii"))
    return make_staff(roles=[role])


def test_staff_page_is_masked_and_every_read_is_audited():
    person = make_person(name="张三丰", phone="13912345678")
    staff = make_staff()
    client = staff_client(staff.user)
    for _ in range(2):
        response = client.get(person_url(person))
        page = response.content.decode()
        assert response.status_code == 200
        assert person.id_number not in page and "13912345678" not in page
        assert person.masked_id_number in page and "139****5678" in page and "张*丰" in page
    events = AuditEvent.objects.filter(action="identity.person.view", target_id=str(person.pk))
    assert events.count() == 2
    assert {e.actor_id for e in events} == {staff.user.pk}


def test_reveal_with_permission_and_purpose_shows_full_values_and_is_audited():
    person = make_person(phone="13912345678")
    staff = reader_staff()
    client = staff_client(staff.user)
    response = client.post(person_url(person), {"purpose": "受理办件时核对申请人身份"})
    page = response.content.decode()
    assert response.status_code == 200
    assert person.id_number in page and "13912345678" in page
    event = AuditEvent.objects.get(action="identity.person.reveal")
    assert event.outcome == "ok" and event.purpose == "受理办件时核对申请人身份"
    assert event.actor_id == staff.user.pk
    assert person.id_number not in str(event.changes)


def test_reveal_needs_a_purpose():
    person = make_person()
    client = staff_client(reader_staff().user)
    response = client.post(person_url(person), {"purpose": "   "})
    assert response.status_code == 400
    assert "请填写查看用途" in response.content.decode()
    assert person.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action="identity.person.reveal").exists()


def test_reveal_without_permission_is_refused_and_audited_as_denied():
    person = make_person()
    staff = make_staff()
    client = staff_client(staff.user)
    response = client.post(person_url(person), {"purpose": "好奇"})
    assert response.status_code == 403
    assert person.id_number not in response.content.decode()
    event = AuditEvent.objects.get(action="identity.person.reveal")
    assert event.outcome == "denied" and event.purpose == "好奇"


def test_residents_and_unverified_staff_cannot_open_a_person_record():
    person = make_person()
    other = make_person()
    resident = Client()
    resident.force_login(user_of(other))
    assert resident.get(person_url(person)).status_code == 403
    unverified = Client()
    unverified.force_login(make_staff().user)
    assert unverified.get(person_url(person)).status_code in (302, 403)
    assert not AuditEvent.objects.filter(action="identity.person.view").exists()


def test_resident_profile_is_masked_and_offers_real_name_verification():
    person = make_person(
        name="", id_number="", id_number_bidx=None, birth_date=None, phone="13912345678"
    )
    client = Client()
    client.force_login(user_of(person))
    page = client.get("/account/profile/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert "实名认证" in page
    bad = client.post("/account/profile/", {"name": "王小明", "id_number": "110101200102031"})
    assert bad.status_code == 400
    assert "应为18位" in bad.content.decode()
    assert 'aria-invalid="true"' in bad.content.decode()
    good_id = citizen_id_make("110101", datetime.date(2001, 2, 3), 124)
    response = client.post("/account/profile/", {"name": "王小明", "id_number": good_id})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.assurance == AssuranceLevel.REAL_NAME
    page = client.get("/account/profile/").content.decode()
    assert good_id not in page and "您已完成实名认证" in page
