"""A concluded request may be rated by its requester (好差评, ratings): registered at its
conclusion with its category as the service, the lead department and whoever answered; the
requester's page links to the rating, then shows it. An anonymous request is not rated."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from onewindow.interaction.services import (
    request_answer,
    request_conclude,
    request_dispatch,
    request_sign,
    request_visit,
)
from onewindow.interaction.tests.orders import make_request
from onewindow.ratings.models import Subject
from onewindow.ratings.services import rating_submit

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=CST)


def _concluded(request, *, dispatcher, dept, staff):
    with time_machine.travel(MONDAY, tick=False):
        request_dispatch(user=dispatcher, request_id=request.pk, department_id=dept("gz-cgj").pk)
        request_sign(user=staff("cgj_hotline"), request_id=request.pk)
        request_answer(user=staff("cgj_hotline"), request_id=request.pk, answer="已修复。")
        if request.person_id or request.contact_phone:
            request_visit(
                user=dispatcher, request_id=request.pk, solved=True, satisfaction="satisfied"
            )
        request_conclude(user=dispatcher, request_id=request.pk)
    request.refresh_from_db()
    return request


def test_the_concluded_request_is_rated_by_its_requester(
    streetlights, dispatcher, dept, person, staff, resident_client
):
    request = make_request(category=streetlights, person=person)
    detail = f"/hotline/mine/{request.number}/"
    assert 'data-testid="request-rating"' not in resident_client.get(detail).content.decode()
    request = _concluded(request, dispatcher=dispatcher, dept=dept, staff=staff)
    subject = Subject.objects.get(kind="request", ref=str(request.pk))
    assert (subject.number, subject.title, subject.channel) == (
        request.number,
        "路灯不亮",
        "hotline",
    )
    assert (subject.service_code, subject.service_name) == ("city.lights", "路灯不亮")
    assert (subject.department, subject.handled_by) == (dept("gz-cgj"), staff("cgj_hotline"))
    assert (subject.rater, subject.person, subject.link) == (person.user, person, detail)
    assert subject.concluded_at == MONDAY
    html = resident_client.get(detail).content.decode()
    assert "诉求已办结。您对办理结果满意吗？每件事可评价一次。" in html
    assert f'<a class="button primary" href="/ratings/{subject.pk}/">评价</a>' in html
    rating_submit(
        user=person.user,
        subject_id=subject.pk,
        level=3,
        dimensions={"service_efficiency": 3, "service_skill": 4, "service_manner": 5},
    )
    html = resident_client.get(detail).content.decode()
    assert "您的评价：基本满意" in html
    assert "返回诉求" in resident_client.get(f"/ratings/{subject.pk}/").content.decode()


def test_an_anonymous_request_is_not_rated(streetlights, dispatcher, dept, staff):
    request = make_request(category=streetlights, anonymous=True, contact_name="")
    _concluded(request, dispatcher=dispatcher, dept=dept, staff=staff)
    assert not Subject.objects.exists()


def test_another_resident_sees_no_rating_of_it(streetlights, dispatcher, dept, person, staff):
    request = _concluded(
        make_request(category=streetlights, person=person),
        dispatcher=dispatcher,
        dept=dept,
        staff=staff,
    )
    subject = Subject.objects.get(kind="request", ref=str(request.pk))
    from onewindow.testing.factories import make_person, user_of

    stranger = Client()
    stranger.force_login(user_of(make_person(name="王芳")))
    assert stranger.get(f"/ratings/{subject.pk}/").status_code == 404
