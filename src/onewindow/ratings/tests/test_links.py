"""The one-time link: only its SHA-256 is kept; it rates its subject without a sign-in, once,
for fifteen days; a rating that fails leaves it unused; what it cannot do any more it says."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.db import transaction
from django.utils import timezone

from onewindow.core.errors import ValidationFailed
from onewindow.ratings.models import Rating, RatingLink
from onewindow.ratings.selectors import subject_for_link
from onewindow.ratings.services import LinkGone, LinkNotFound, SubjectNotFound, rating_submit
from onewindow.ratings.services.links import LINK_DAYS, link_issue
from onewindow.ratings.tests.conftest import online

pytestmark = pytest.mark.django_db


def _issue(subject, **kwargs) -> str:
    with transaction.atomic():
        return link_issue(subject_id=subject.pk, **kwargs)


def test_only_the_tokens_sha256_is_kept(subject):
    token = _issue(subject)
    link = RatingLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {link.token_hash, str(link.pk)}
    assert len(token) == 22  # 128 bits, short enough for an SMS
    assert link.expires_at - link.created_at >= datetime.timedelta(days=LINK_DAYS - 1)


def test_the_link_rates_its_subject_once_without_a_sign_in(subject, rater):
    token = _issue(subject)
    assert subject_for_link(token=token) == subject
    rating = rating_submit(token=token, level=4, dimensions=online(4))
    assert (rating.subject, rating.via, rating.rated_by) == (subject, "sms_link", rater.user)
    assert RatingLink.objects.get().used_at is not None
    with pytest.raises(LinkGone) as again:
        rating_submit(token=token, level=1, dimensions=online(1), reasons=["too_slow"])
    assert (again.value.status, again.value.code) == (410, "link_used")
    assert str(again.value.message) == "该评价链接已使用过，每个链接只能使用一次。"
    with pytest.raises(LinkGone):
        subject_for_link(token=token)
    assert Rating.objects.count() == 1


def test_a_rating_that_fails_leaves_the_link_unused(subject):
    token = _issue(subject)
    with pytest.raises(ValidationFailed):
        rating_submit(token=token, level=1, dimensions=online(1))  # no reason given
    assert RatingLink.objects.get().used_at is None
    assert rating_submit(token=token, level=1, dimensions=online(1), reasons=["not_done"])


def test_an_expired_link_says_so(subject):
    token = _issue(subject, now=timezone.now() - datetime.timedelta(days=LINK_DAYS, seconds=1))
    with pytest.raises(LinkGone) as caught:
        rating_submit(token=token, level=5, dimensions=online(5))
    assert caught.value.code == "link_expired"
    assert str(caught.value.message) == (
        "该评价链接已过期。您可以登录一网通办，在“我的评价”中评价。"
    )
    assert not Rating.objects.exists()


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 200])
def test_an_unknown_link_is_not_found(subject, token):
    _issue(subject)
    with pytest.raises(LinkNotFound) as caught:
        rating_submit(token=token or "nothing", level=5, dimensions=online(5))
    assert caught.value.status == 404
    with pytest.raises(LinkNotFound):
        subject_for_link(token=token)


def test_a_link_rates_only_its_own_subject(subject, expect):
    token = _issue(subject)
    elsewhere = expect()
    with pytest.raises(SubjectNotFound):
        rating_submit(token=token, subject_id=elsewhere.pk, level=5, dimensions=online(5))
    assert RatingLink.objects.get().used_at is None


def test_a_link_of_a_subject_rated_meanwhile_on_the_web_rates_nothing(subject, rater):
    token = _issue(subject)
    rating_submit(user=rater.user, subject_id=subject.pk, level=5, dimensions=online(5))
    with pytest.raises(Exception) as caught:
        rating_submit(token=token, level=1, dimensions=online(1), reasons=["too_slow"])
    assert caught.value.code == "already_rated"  # type: ignore[attr-defined]
    assert RatingLink.objects.get().used_at is None
