"""Marriage registration (the real demo package) asks for a slot before check-your-answers;
the slot shows there and on the case page; submitting without one is refused at the field."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.appointments.models import Booking, Slot
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.core.errors import ValidationFailed
from onewindow.testing.demo_packages import sample_answers
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def resident(db: Any) -> Any:
    return PersonFactory()


def _ready_draft(resident, version) -> Case:
    case = case_services.case_draft_start(user=resident.user, service_code=version.service.code)
    errors = case_services.case_draft_save_form(
        user=resident.user, case_id=case.pk, data=sample_answers(version.form_schema)
    )
    assert not errors, errors
    for spec in case_services.material_specs(version.definition):
        if spec.source == "upload" and spec.required:
            case_services.case_material_attach(
                user=resident.user, case_id=case.pk, code=spec.code, upload=io.BytesIO(PNG)
            )
    case.refresh_from_db()
    return case


def test_submitting_without_a_slot_is_refused_at_the_field(registry, marriage, resident):
    case = _ready_draft(resident, marriage)
    with pytest.raises(ValidationFailed) as exc:
        case_services.case_submit(user=resident.user, case_id=case.pk, token=case.submit_token)
    assert [e.field for e in exc.value.errors] == ["appointment"]
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and not case.number


def test_resident_picks_a_slot_then_submits(
    registry, marriage, resident, django_capture_on_commit_callbacks
):
    case = _ready_draft(resident, marriage)
    client = Client()
    client.force_login(resident.user)
    # The materials step leads to the slot page.
    response = client.post(
        reverse("cases:draft_materials", kwargs={"case_id": case.pk}), {"next": "1"}
    )
    slot_url = reverse("cases:draft_slot", kwargs={"case_id": case.pk})
    assert response.status_code == 302 and response["Location"] == slot_url
    page = client.get(slot_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert registry.name in html and "剩余 6 个名额" in html and 'type="radio"' in html
    # Nothing chosen: an error, nothing booked.
    refused = client.post(slot_url, {})
    assert refused.status_code == 422 and "请选择一个预约时段" in refused.content.decode()
    assert not Booking.objects.exists()
    # The review page without a booking says so.
    review_url = reverse("cases:draft_review", kwargs={"case_id": case.pk})
    assert "尚未预约时段" in client.get(review_url).content.decode()
    slot = Slot.objects.filter(resource=registry, day=datetime.date(2026, 9, 29))[0]
    chosen = client.post(slot_url, {"slot": str(slot.pk)})
    assert chosen.status_code == 302 and chosen["Location"] == review_url
    review = client.get(review_url).content.decode()
    assert "2026-09-29 09:00–09:30" in review
    assert "3. 预约时段" in review and "4. 核对并提交" in review  # the step indicator
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(review_url, {"token": case.submit_token})
    case.refresh_from_db()
    assert case.status != Case.Status.DRAFT and case.number
    assert done.status_code == 302
    detail = client.get(reverse("cases:case_detail", kwargs={"number": case.number}))
    assert "2026-09-29 09:00–09:30" in detail.content.decode()
    assert registry.name in detail.content.decode()


def test_another_resident_cannot_open_the_slot_page(registry, marriage, resident):
    from onewindow.testing.factories import PersonFactory

    case = _ready_draft(resident, marriage)
    client = Client()
    other: Any = PersonFactory()
    client.force_login(other.user)
    url = reverse("cases:draft_slot", kwargs={"case_id": case.pk})
    slot = Slot.objects.filter(resource=registry, day=datetime.date(2026, 9, 29))[0]
    assert client.get(url).status_code == 404
    assert client.post(url, {"slot": str(slot.pk)}).status_code == 404
    assert not Booking.objects.exists()


def test_withdrawing_a_case_gives_its_place_back(
    registry, marriage, resident, django_capture_on_commit_callbacks
):
    from onewindow.cases.services import case_appointment_book

    case = _ready_draft(resident, marriage)
    slot = Slot.objects.filter(resource=registry, day=datetime.date(2026, 9, 29))[0]
    case_appointment_book(user=resident.user, case_id=case.pk, slot_id=slot.pk)
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_submit(user=resident.user, case_id=case.pk, token=case.submit_token)
    slot.refresh_from_db()
    assert slot.booked == 1
    case_services.case_withdraw(user=resident.user, case_id=case.pk)
    slot.refresh_from_db()
    assert slot.booked == 0
    assert not Booking.objects.filter(status=Booking.Status.BOOKED).exists()
