"""The invitation (邀评): a case or request concluded more than three days ago and not rated
is invited once — an SMS with a one-time link to the phone on the real-name record, and a
message in the message centre linking to the rating page. Running again sends nothing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.notify.models import Message, SmsMessage
from onewindow.notify.services import sms_text
from onewindow.ratings import audit_events
from onewindow.ratings.models import RatingLink, Subject
from onewindow.ratings.services import rating_submit, subjects_invite_unrated
from onewindow.ratings.tasks import ratings_invite_unrated
from onewindow.ratings.tests.conftest import online
from onewindow.testing.factories import make_person

pytestmark = pytest.mark.django_db


def _ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def test_a_subject_unrated_after_three_days_is_invited_once(expect, rater, commit, fake_sms):
    subject = expect(concluded_at=_ago(3.1))
    with commit():
        assert ratings_invite_unrated.apply().get() == 1
    [(_id, sms)] = list(fake_sms.sent)
    assert (sms.phone, sms.template) == ("13800138001", "rating_invite")
    token = sms.params["token"]
    text = sms_text(SmsMessage.objects.get())
    assert text == (
        f"【一网通办】您的“高校毕业生就业登记”（编号{subject.number}）已办结，请对本次服务作出评价"
        f"（链接15天内有效，仅可使用一次）：http://127.0.0.1:8000/ratings/r/{token}/"
    )
    message = Message.objects.get(recipient=rater.user)
    assert (message.title, message.link) == ("邀请您评价", f"/ratings/{subject.pk}/")
    assert message.body == (
        f"您的“高校毕业生就业登记”（编号{subject.number}）已办结，欢迎对本次服务作出评价。"
    )
    assert token not in message.body  # the link is the SMS's alone
    subject.refresh_from_db()
    assert subject.invited_at is not None and RatingLink.objects.count() == 1
    row = AuditEvent.objects.filter(action=audit_events.SUBJECT_INVITE).get()
    assert row.changes == {"subjects": 1, "messages": 1, "sms": 1}
    # again, and again as another beat would: nobody is told twice
    with commit():
        assert subjects_invite_unrated() == 0
        assert ratings_invite_unrated.apply().get() == 0
    assert len(fake_sms.sent) == 1 and Message.objects.count() == 1
    assert RatingLink.objects.count() == 1
    # the link in the SMS rates the case without a sign-in
    response = Client().get(f"/ratings/r/{token}/")
    assert response.status_code == 200 and subject.title in response.content.decode()


def test_who_is_not_invited(expect, rater, commit, fake_sms):
    expect(concluded_at=_ago(2.9))  # not three days yet
    expect(concluded_at=_ago(31))  # long ago: no late bursts
    rated = expect(concluded_at=_ago(4))
    rating_submit(user=rater.user, subject_id=rated.pk, level=5, dimensions=online(5))
    expect(concluded_at=_ago(4), rater_id=None, person_id=None)  # nobody to ask
    with commit():
        assert subjects_invite_unrated() == 0
    assert not fake_sms.sent and not Message.objects.exists()
    assert not RatingLink.objects.exists()


def test_without_a_phone_on_record_only_the_message_centre_is_told(expect, commit, fake_sms):
    person = make_person(name="李娜", phone="")
    subject = expect(concluded_at=_ago(5), rater_id=person.user_id, person_id=person.pk)
    with commit():
        assert subjects_invite_unrated() == 1
    assert not fake_sms.sent and not RatingLink.objects.exists()
    assert Message.objects.get().recipient_id == person.user_id
    assert Subject.objects.get(pk=subject.pk).invited_at is not None


def test_many_are_invited_in_batches(expect, commit, fake_sms):
    for _ in range(5):
        expect(concluded_at=_ago(4))
    with commit():
        assert subjects_invite_unrated(batch=2) == 5
    assert len(fake_sms.sent) == 5 and Message.objects.count() == 5
    assert AuditEvent.objects.filter(action=audit_events.SUBJECT_INVITE).count() == 3
    tokens = {re.sub(r"\W", "", sms.params["token"]) for _id, sms in fake_sms.sent}
    assert len(tokens) == 5
