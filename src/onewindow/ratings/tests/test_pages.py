"""The rating pages: the rater's page (nothing preselected, the errors at their fields, the
rating once given), another resident's 404, the no-sign-in link page and what it says when
it may not be used, the resident's list, and the resident's words escaped wherever shown."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from onewindow.ratings.models import Rating, RatingLink
from onewindow.ratings.services import rating_submit
from onewindow.ratings.services.links import LINK_DAYS, link_issue
from onewindow.ratings.tests.conftest import ONLINE, online

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


def _form(level: int, **extra: object) -> dict[str, object]:
    return {**{f"d_{d}": str(level) for d in ONLINE}, **extra}


def _issue(subject, **kwargs) -> str:
    with transaction.atomic():
        return link_issue(subject_id=subject.pk, **kwargs)


def test_the_rating_page_asks_each_dimension_with_nothing_preselected(subject, rater_client):
    page = rater_client.get(f"/ratings/{subject.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    for dimension in ONLINE:
        assert html.count(f'name="d_{dimension}"') == 5
    assert " checked" not in html
    assert "<legend>整体满意度 <span" in html and "<legend>平台操作性 <span" in html
    assert '<label for="d_overall-2">不满意</label>' in html
    assert 'value="2" class="level-bad" required' in html  # the bad levels show the reasons
    assert html.count('name="reasons"') == 10
    assert "办理人员看不到是谁评价的。" in html
    assert page["Referrer-Policy"] == "same-origin"


def test_errors_are_shown_at_their_fields_and_the_answers_kept(subject, rater_client):
    response = rater_client.post(f"/ratings/{subject.pk}/", _form(1, d_guide="", text="太慢"))
    html = response.content.decode()
    assert response.status_code == 422 and not Rating.objects.exists()
    assert "评价未提交：请按下面的提示修改。" in html
    assert '<p id="d_guide-error" class="field-error">请为“办事指南准确度”选择满意度。</p>' in html
    assert '<p id="reasons-error" class="field-error">不满意时请至少选择一项原因。</p>' in html
    assert 'aria-describedby="d_guide-error"' in html
    assert 'id="d_overall-1" name="d_overall" value="1" checked' in html
    assert ">太慢</textarea>" in html


def test_the_rating_is_given_once_and_then_shown(subject, rater_client):
    response = rater_client.post(
        f"/ratings/{subject.pk}/", _form(2, reasons=["too_slow", "many_trips"], text="跑了三趟")
    )
    assert response.status_code == 302 and response["Location"] == f"/ratings/{subject.pk}/"
    rating = Rating.objects.get()
    assert (rating.level, rating.reasons, rating.via) == (2, ["too_slow", "many_trips"], "web")
    html = rater_client.get(f"/ratings/{subject.pk}/").content.decode()
    assert "感谢您的评价。" in html
    assert "<dt>整体满意度</dt><dd>不满意</dd>" in html
    assert "办理时间过长、超过承诺时限、需要多次跑动或反复提交" in html
    assert 'name="d_overall"' not in html
    assert f'<a href="{subject.link}">返回办件</a>' in html
    again = rater_client.post(f"/ratings/{subject.pk}/", _form(5), follow=True)
    assert "您已评价过，每件事只能评价一次。" in again.content.decode()
    assert Rating.objects.count() == 1


def test_another_residents_subject_is_not_found(subject, other):
    client = Client()
    client.force_login(other.user)
    assert client.get(f"/ratings/{subject.pk}/").status_code == 404
    assert client.post(f"/ratings/{subject.pk}/", _form(5)).status_code == 404
    assert client.get(f"/ratings/{2**64}/").status_code == 404
    assert not Rating.objects.exists()


def test_the_link_page_rates_without_a_sign_in_and_only_once(subject):
    token = _issue(subject)
    client = Client()
    page = client.get(f"/ratings/r/{token}/")
    html = page.content.decode()
    assert page.status_code == 200 and subject.number in html
    assert page["Referrer-Policy"] == "same-origin"
    assert "我的评价</a>" not in html.split("<main", 1)[1]  # no signed-in links
    done = client.post(f"/ratings/r/{token}/", _form(4))
    assert done.status_code == 302 and done["Location"] == "/ratings/thanks/"
    assert "您的评价已提交。" in client.get("/ratings/thanks/").content.decode()
    assert Rating.objects.get().via == "sms_link"
    for method in (client.get, client.post):
        used = method(f"/ratings/r/{token}/")
        assert used.status_code == 410
        assert "该评价链接已使用过，每个链接只能使用一次。" in used.content.decode()
    assert Rating.objects.count() == 1


def test_an_expired_or_unknown_link_says_so(subject):
    old = _issue(subject, now=timezone.now() - datetime.timedelta(days=LINK_DAYS + 1))
    client = Client()
    expired = client.get(f"/ratings/r/{old}/")
    assert expired.status_code == 410
    assert "该评价链接已过期。" in expired.content.decode()
    unknown = client.post("/ratings/r/nonsense/", _form(5))
    assert unknown.status_code == 404
    assert "评价链接无效。请核对短信中的链接是否完整。" in unknown.content.decode()
    assert not Rating.objects.exists()


def test_a_link_whose_form_fails_stays_usable(subject):
    token = _issue(subject)
    response = Client().post(f"/ratings/r/{token}/", _form(1, reasons=["other"]))
    assert response.status_code == 422
    assert "选择“其他”时，请写明原因。" in response.content.decode()
    assert RatingLink.objects.get().used_at is None


def test_the_link_of_a_subject_rated_on_the_web_says_it_is_rated(subject, rater):
    token = _issue(subject)
    rating_submit(user=rater.user, subject_id=subject.pk, level=5, dimensions=online(5))
    response = Client().get(f"/ratings/r/{token}/")
    assert response.status_code == 409
    assert "您已评价过，每件事只能评价一次。" in response.content.decode()


def test_the_residents_words_are_escaped_wherever_shown(subject, rater, rater_client):
    rating_submit(
        user=rater.user, subject_id=subject.pk, level=5, dimensions=online(5), text=SCRIPT
    )
    html = rater_client.get(f"/ratings/{subject.pk}/").content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    # rated already: the second post is refused, nothing of it echoed
    refused = rater_client.post(f"/ratings/{subject.pk}/", _form(1, text=SCRIPT), follow=True)
    assert SCRIPT not in refused.content.decode()


def test_the_words_typed_are_escaped_when_the_form_comes_back(expect, rater_client):
    subject = expect()
    html = rater_client.post(f"/ratings/{subject.pk}/", _form(1, text=SCRIPT)).content.decode()
    assert SCRIPT not in html and "&lt;script&gt;" in html


def test_the_residents_list_has_what_to_rate_and_what_was_rated(expect, rater, rater_client):
    waiting = expect(title="居住证申领")
    done = expect(title="高校毕业生就业登记")
    rating_submit(user=rater.user, subject_id=done.pk, level=4, dimensions=online(4))
    html = rater_client.get("/ratings/").content.decode()
    to_rate, rated = html.split('data-testid="rated"')
    assert f'href="/ratings/{waiting.pk}/">办件 · 居住证申领</a>' in to_rate
    assert f'href="/ratings/{done.pk}/">办件 · 高校毕业生就业登记</a>' in rated
    assert '<span class="badge">满意</span>' in rated
