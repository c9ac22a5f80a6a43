"""The concluding app registers what may be rated, inside its own transaction: once per
thing (an unrated one takes the latest snapshot, a rated one keeps its own), never outside a
transaction, and with no audit row of its own."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.ratings.models import Rating, Subject
from onewindow.ratings.services import rating_submit, subject_expect
from onewindow.ratings.tests.conftest import online

pytestmark = pytest.mark.django_db


def _args(**given):
    return {
        "kind": "request",
        "ref": 7,
        "number": "20261102000001",
        "title": "路灯不亮",
        "channel": "hotline",
        "service_code": "city.lights",
        "service_name": "路灯不亮",
        "concluded_at": timezone.now(),
        **given,
    }


@pytest.mark.django_db(transaction=True)
def test_it_runs_only_inside_the_concluding_transaction():
    with pytest.raises(RuntimeError):
        subject_expect(**_args())
    assert not Subject.objects.exists()


def test_the_same_thing_is_registered_once_and_writes_no_audit_row(handler):
    before = AuditEvent.objects.count()
    with transaction.atomic():
        first = subject_expect(**_args())
        again = subject_expect(**_args(handled_by_id=handler.pk))
    assert first == again and Subject.objects.count() == 1
    assert Subject.objects.get().handled_by == handler  # unrated: the latest handling
    assert AuditEvent.objects.count() == before


def test_a_rated_subject_keeps_what_it_was_rated_for(subject, rater, handler, expect):
    rating_submit(user=rater.user, subject_id=subject.pk, level=4, dimensions=online(4))
    later = timezone.now() + datetime.timedelta(days=5)
    with transaction.atomic():
        subject_expect(
            kind="case",
            ref=subject.ref,
            number=subject.number,
            title="另一个标题",
            channel="online",
            concluded_at=later,
        )
    subject.refresh_from_db()
    assert subject.title == "高校毕业生就业登记" and subject.handled_by == handler
    assert Rating.objects.get().subject == subject


@pytest.mark.parametrize(("field", "value"), [("kind", "letter"), ("channel", "fax")])
def test_an_unknown_kind_or_channel_is_the_callers_mistake(field, value):
    with transaction.atomic(), pytest.raises(ValueError):
        subject_expect(**_args(**{field: value}))
