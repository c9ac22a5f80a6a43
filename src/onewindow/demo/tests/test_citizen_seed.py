"""The printed demo residents' citizen page is filled before their first login: bills from
the fake providers, a library loan, and the ID-card reminder pushed by its rule with the
reason it was sent. Seeding again adds nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.bills.selectors import bill_home_section
from onewindow.demo import data
from onewindow.demo.citizen import demo_citizen_page_seed
from onewindow.demo.services import demo_city_seed
from onewindow.identity.selectors import person_find_by_phone
from onewindow.notify.models import Message
from onewindow.onepass.selectors import library_home_section

pytestmark = pytest.mark.django_db


def test_the_first_resident_finds_bills_a_loan_and_the_id_card_reminder(
    django_capture_on_commit_callbacks,
):
    demo_city_seed(residents=40, companies=1, seed=7)
    with django_capture_on_commit_callbacks(execute=True):  # the worker's deliveries
        seeded = demo_citizen_page_seed()
    assert seeded.residents == len(data.DEMO_RESIDENTS)
    assert seeded.subscriptions == 3 * len(data.DEMO_RESIDENTS)  # water, power, insurance
    assert (seeded.library_loans, seeded.pushes) == (2, 1)

    person = person_find_by_phone(phone=data.DEMO_RESIDENTS[0][0])
    assert person is not None and person.user is not None
    bills = bill_home_section(user=person.user)
    assert {item.kind for item in bills.items} >= {"water", "electricity"}
    assert bills.unavailable == [] and bills.updated_at is not None
    library = library_home_section(user=person.user)
    assert len(library.items) == 2 and not library.unavailable
    reminder = Message.objects.get(recipient=person.user, reason__startswith="因为您的身份证")
    assert "到期" in reminder.reason

    client = Client()
    client.force_login(person.user)
    page = client.get("/").content.decode()
    assert library.items[0].title in page
    assert bills.items[0].provider_name in page

    with django_capture_on_commit_callbacks(execute=True):
        again = demo_citizen_page_seed()
    assert (again.subscriptions, again.pushes) == (seeded.subscriptions, 0)
    assert Message.objects.filter(recipient=person.user, reason__startswith="因为").count() == 1
