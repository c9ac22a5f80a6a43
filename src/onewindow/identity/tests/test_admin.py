"""The admin shows persons masked and finds them by full phone or ID via the blind index."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.testing.clients import staff_client
from onewindow.testing.factories import make_person, make_staff

pytestmark = pytest.mark.django_db


def admin_client() -> Client:
    staff = make_staff()
    staff.user.is_staff = True
    staff.user.is_superuser = True
    staff.user.save()
    return staff_client(staff.user)


def test_person_list_and_detail_are_masked():
    person = make_person(phone="13912345678")
    client = admin_client()
    listing = client.get("/admin/identity/person/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert person.id_number not in page and "13912345678" not in page
    assert person.masked_id_number in page and "139****5678" in page
    detail = client.get(f"/admin/identity/person/{person.pk}/change/").content.decode()
    assert person.id_number not in detail and "13912345678" not in detail


def test_admin_search_by_full_phone_or_id_uses_the_blind_index():
    person = make_person(phone="13912345678")
    other = make_person()
    client = admin_client()
    found = client.get("/admin/identity/person/", {"q": "13912345678"}).context["cl"].result_list
    assert list(found) == [person]
    found = client.get("/admin/identity/person/", {"q": other.id_number}).context["cl"].result_list
    assert list(found) == [other]
