"""The message centre (站内信): every message, read and unread, filtered by kind or unread;
opening one marks it read and goes to what it is about; 全部标为已读; the reason a pushed
message carries."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.notify.models import Message
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _message(user: Any, key: str, **fields: Any) -> Message:
    defaults: dict[str, Any] = {
        "kind": "payment_due",
        "title": "待缴费",
        "body": f"消息{key}",
        "link": "/cases/",
        "created_at": timezone.now(),
    }
    return Message.objects.create(recipient=user, source_key=key, **(defaults | fields))


@pytest.fixture
def person() -> Any:
    return PersonFactory(name="周敏")


@pytest.fixture
def signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_the_centre_lists_every_message_newest_first_with_its_kind(person, signed_in) -> None:
    now = timezone.now()
    _message(person.user, "a", created_at=now - datetime.timedelta(hours=2))
    _message(person.user, "b", kind="licence_issued", title="证照签发", created_at=now)
    _message(person.user, "c", read_at=now, created_at=now - datetime.timedelta(hours=1))
    _message(PersonFactory().user, "not-mine")
    page = _text(signed_in.get("/messages/").content.decode())
    assert "共 3 条消息，2 条未读" in page
    assert page.index("消息b") < page.index("消息c") < page.index("消息a")
    assert "not-mine" not in page and "证照签发" in page and "缴费通知" in page
    assert page.count("未读") >= 2 and "已读" in page


def test_filters_by_kind_and_unread(person, signed_in) -> None:
    _message(person.user, "a")
    _message(person.user, "b", kind="licence_issued")
    _message(person.user, "c", read_at=timezone.now())
    by_kind = _text(signed_in.get("/messages/?kind=licence_issued").content.decode())
    assert "消息b" in by_kind and "消息a" not in by_kind and "消息c" not in by_kind
    unread = _text(signed_in.get("/messages/?unread=1").content.decode())
    assert "消息a" in unread and "消息b" in unread and "消息c" not in unread
    none = _text(signed_in.get("/messages/?kind=licence_issued&unread=1&page=x").content.decode())
    assert "消息b" in none
    Message.objects.update(read_at=timezone.now())
    empty = _text(signed_in.get("/messages/?unread=1").content.decode())
    assert "没有符合条件的消息" in empty


def test_opening_a_message_marks_it_read_and_follows_its_link(person, signed_in) -> None:
    message = _message(person.user, "a", link="/licences/#licence-1")
    response = signed_in.get(f"/messages/{message.pk}/")
    assert response.status_code == 302 and response["Location"] == "/licences/#licence-1"
    message.refresh_from_db()
    assert message.read_at is not None
    assert AuditEvent.objects.filter(action="portal.message.read").count() == 1
    signed_in.get(f"/messages/{message.pk}/")  # read already: nothing more written
    assert AuditEvent.objects.filter(action="portal.message.read").count() == 1


def test_a_link_off_the_site_is_not_followed(person, signed_in) -> None:
    message = _message(person.user, "a", link="https://evil.example/")
    assert signed_in.get(f"/messages/{message.pk}/")["Location"] == "/messages/"


def test_another_persons_message_is_not_found(signed_in) -> None:
    theirs = _message(PersonFactory().user, "x")
    assert signed_in.get(f"/messages/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(person, signed_in) -> None:
    for key in "abc":
        _message(person.user, key)
    other = _message(PersonFactory().user, "x")
    response = signed_in.post("/messages/read-all/", follow=True)
    page = _text(response.content.decode())
    assert "已将全部消息标为已读。" in page and "共 3 条消息，0 条未读" in page
    assert not Message.objects.filter(recipient=person.user, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    event = AuditEvent.objects.get(action="portal.messages.read_all")
    assert event.changes == {"messages": 3}
    assert signed_in.get("/messages/read-all/").status_code == 405


def test_a_pushed_message_says_why(person, signed_in) -> None:
    _message(person.user, "a", kind="reminder", reason="因为您的身份证将于 2027-01-05 到期")
    page = _text(signed_in.get("/messages/").content.decode())
    assert "推送原因：因为您的身份证将于 2027-01-05 到期" in page
    assert "其他通知" in page
    home = _text(signed_in.get("/").content.decode())
    assert "因为您的身份证将于 2027-01-05 到期" in home


def test_the_home_page_shows_unread_messages_only(person, signed_in) -> None:
    _message(person.user, "a")
    _message(person.user, "b", read_at=timezone.now())
    home = signed_in.get("/").content.decode()
    section = _text(home.split('id="my-messages"', 1)[1].split("</section>", 1)[0])
    assert "消息a" in section and "消息b" not in section and "查看全部消息" in section


def test_the_push_rules_word_on_why_is_shown_with_a_way_to_turn_it_off(
    person, signed_in, monkeypatch
) -> None:
    from types import SimpleNamespace

    from onewindow.portal import inbox

    message = _message(person.user, "push:id-expiry", kind="reminder", reason="旧原因")

    def reasons(*, user_id: int, messages: list[Any]) -> dict[int, Any]:
        assert user_id == person.user.pk and [m.source_key for m in messages] == ["push:id-expiry"]
        return {
            message.pk: inbox.Why(
                text="因为您的身份证将于 2027-01-05 到期",
                turn_off_url="/outreach/rules/id-expiry/off/",
            )
        }

    monkeypatch.setattr(inbox, "push_reasons_for", reasons)
    page = signed_in.get("/messages/").content.decode()
    assert "推送原因：因为您的身份证将于 2027-01-05 到期" in _text(page)
    assert '<a href="/outreach/rules/id-expiry/off/">不再接收此类推送</a>' in page
    assert inbox._why(SimpleNamespace(text="因为", turn_off_url="/off/")) == inbox.Why(
        "因为", "/off/"
    )
