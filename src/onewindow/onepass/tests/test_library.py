"""Binding and opening a library card, renewing, reserving and the due-date reminders, as
the resident and the audit trail see them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.core.errors import ApplicationError
from onewindow.notify.models import Message
from onewindow.onepass import selectors, services
from onewindow.onepass.models import LibraryCard
from onewindow.onepass.providers.fake import FakeLibrary
from onewindow.onepass.sip2server import Sip2Server
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def reader(name: str = "陈小红", **kwargs: Any) -> Any:
    return PersonFactory(name=name, **kwargs)


def bind(person: Any, patron_id: str = "0440100012345", password: str = "123456") -> LibraryCard:
    return services.library_card_bind(
        user=person.user, patron_id=patron_id, password=password, actor=Actor.from_user(person.user)
    )


def refusal(person: Any, **kwargs: str) -> tuple[str | None, str]:
    with pytest.raises(ApplicationError) as caught:
        bind(person, **kwargs)
    return caught.value.field, str(caught.value.message)


def test_binding_a_card_shows_its_loans_soonest_due_first() -> None:
    person = reader()
    card = bind(person)
    section = selectors.library_home_section(user=person.user)
    assert [(item.title, item.due_on, item.renewable) for item in section.items] == [
        ("活着", TODAY + datetime.timedelta(days=2), True),
        ("乡土中国", TODAY + datetime.timedelta(days=12), False),
    ]
    assert section.bound and not section.unavailable and section.updated_at is not None
    assert card.masked_patron_id == "*********2345"
    row = AuditEvent.objects.filter(action="onepass.card.bind").get()
    assert row.changes == {"patron_tail": "2345", "loans": 2}


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"patron_id": "9999999999"}, "patron_id", "图书馆没有这个读者证号，请核对后重新输入。"),
        ({"password": "000000"}, "password", "读者证密码不正确。"),
        ({"password": ""}, "password", "请填写读者证密码。"),
        ({"patron_id": "12"}, "patron_id", "读者证号应为6至20位数字或字母。"),
        (
            {"patron_id": "0440100023456", "password": "654321"},
            "patron_id",
            "该读者证登记的姓名与您的实名信息不一致，不能绑定。",
        ),
    ],
)
def test_a_card_that_fails_the_library_check_binds_nothing(
    kwargs: dict[str, str], field: str, message: str
) -> None:
    person = reader()
    assert refusal(person, **kwargs) == (field, message)
    assert not LibraryCard.objects.exists()


def test_a_lost_card_is_refused() -> None:
    person = reader("李秀英")
    assert refusal(person, patron_id="0440100034567", password="111111") == (
        "patron_id",
        "该读者证已挂失或暂停使用，请联系图书馆。",
    )
    assert AuditEvent.objects.filter(action="onepass.card.bind_refuse").get().changes == {
        "patron_tail": "4567",
        "reason": "card_blocked",
    }


def test_a_card_bound_by_someone_else_is_refused() -> None:
    bind(reader())
    assert refusal(reader()) == ("patron_id", "该读者证已被其他账号绑定。")


def test_a_library_that_cannot_be_reached_binds_nothing() -> None:
    FakeLibrary.down = True
    person = reader()
    with pytest.raises(ApplicationError) as caught:
        bind(person)
    assert str(caught.value.message) == "图书馆系统暂时无法连接，请稍后再试。"
    assert caught.value.status == 503
    assert not LibraryCard.objects.exists()


def test_opening_a_card_with_the_real_name_account() -> None:
    person = reader("周杰", id_number="44010619900307001X")
    card = services.library_card_open(user=person.user, actor=Actor.from_user(person.user))
    assert card.opened_online and card.patron_id.startswith("0440199")
    assert card.loans.count() == 2
    assert AuditEvent.objects.filter(action="onepass.card.open").count() == 1
    with pytest.raises(ApplicationError, match="您已绑定读者证"):
        services.library_card_open(user=person.user, actor=Actor.from_user(person.user))


def test_renewing_a_loan_moves_its_due_date() -> None:
    person = reader()
    bind(person)
    loan = services.loan_renew(
        user=person.user, item_id="3100128345", actor=Actor.from_user(person.user)
    )
    assert loan.due_on == TODAY + datetime.timedelta(days=30)
    row = AuditEvent.objects.filter(action="onepass.loan.renew").get()
    assert row.changes["due_on"] == [
        (TODAY + datetime.timedelta(days=2)).isoformat(),
        (TODAY + datetime.timedelta(days=30)).isoformat(),
    ]


def test_a_renewal_the_library_refuses_says_why() -> None:
    person = reader()
    bind(person)
    with pytest.raises(ApplicationError) as caught:
        services.loan_renew(
            user=person.user, item_id="3100128350", actor=Actor.from_user(person.user)
        )
    assert str(caught.value.message) == "《乡土中国》续借失败：该书已被其他读者预约，不能续借"
    assert caught.value.field == "item_id"


def test_reserving_a_book() -> None:
    person = reader()
    bind(person)
    hold = services.hold_place(
        user=person.user, item_id="3100128348", actor=Actor.from_user(person.user)
    )
    assert (hold.title, hold.queue_position) == ("围城", 1)
    with pytest.raises(ApplicationError, match="预约失败：您已预约这一册"):
        services.hold_place(
            user=person.user, item_id="3100128348", actor=Actor.from_user(person.user)
        )


def test_a_library_down_keeps_the_last_loans_and_says_so() -> None:
    person = reader()
    card = bind(person)
    FakeLibrary.down = True
    assert not services.library_card_sync(card_id=card.pk)
    section = selectors.library_home_section(user=person.user)
    assert section.unavailable
    assert section.last_updated_at == card.synced_at
    assert [item.title for item in section.items] == ["活着", "乡土中国"]
    FakeLibrary.down = False
    assert services.library_card_sync(card_id=card.pk)
    assert not selectors.library_home_section(user=person.user).unavailable


def test_a_due_date_reminder_is_told_once_per_loan_and_due_date(commit: Any, fake_sms: Any) -> None:
    person = reader(phone="13800138000")
    bind(person)
    with commit():
        assert services.loan_reminders_send(today=TODAY) == 1  # 活着, due in two days
    assert services.loan_reminders_send(today=TODAY) == 0
    [(_id, sms)] = list(fake_sms.sent)
    assert sms.phone == "13800138000"
    due_soon = (TODAY + datetime.timedelta(days=2)).isoformat()
    assert (sms.template, sms.params) == (
        "library_due",
        {"title": "活着", "due": due_soon, "days": "2"},
    )
    message = Message.objects.get(recipient=person.user)
    due = (TODAY + datetime.timedelta(days=2)).isoformat()
    assert message.title == "图书到期提醒"
    assert message.body == f"您借阅的《活着》将于{due}到期，还有2天，可在一网通办续借。"
    assert message.link == "/onepass/library/"
    assert message.reason == f"因为您借阅的图书将于{due}到期"
    services.loan_renew(user=person.user, item_id="3100128345", actor=Actor.from_user(person.user))
    later = TODAY + datetime.timedelta(days=28)
    assert services.loan_reminders_send(today=later) == 1  # the new due date is told again
    assert Message.objects.filter(recipient=person.user).count() == 2


@pytest.mark.parametrize(
    ("days_late", "template", "title", "body"),
    [
        (
            2,
            "library_due_today",
            "图书到期提醒",
            "您借阅的《活着》今天（{due}）到期，请及时归还或续借。",
        ),
        (5, "library_overdue", "图书逾期提醒", "您借阅的《活着》已于{due}到期，请尽快归还或续借。"),
    ],
)
def test_a_loan_due_today_or_overdue_is_told_so(
    commit: Any, fake_sms: Any, days_late: int, template: str, title: str, body: str
) -> None:
    person = reader(phone="13800138000")
    bind(person)
    with commit():
        assert services.loan_reminders_send(today=TODAY + datetime.timedelta(days=days_late)) >= 1
    due = (TODAY + datetime.timedelta(days=2)).isoformat()
    [(_id, sms)] = [s for s in fake_sms.sent if s[1].params.get("title") == "活着"]
    assert (sms.template, sms.params) == (template, {"title": "活着", "due": due})
    [message] = [m for m in Message.objects.filter(recipient=person.user) if "《活着》" in m.body]
    assert (message.title, message.body) == (title, body.format(due=due))


def test_loans_due_between_in_batches() -> None:
    people = [reader() for _ in range(1)] + [reader("张伟")]
    bind(people[0])
    bind(people[1], patron_id="0440100045678", password="888888")
    batches = list(
        selectors.loans_due_between(
            start=TODAY - datetime.timedelta(days=5),
            end=TODAY + datetime.timedelta(days=12),
            batch_size=2,
        )
    )
    assert [len(batch) for batch in batches] == [2, 1]
    found = sorted((user_id, s.title) for batch in batches for user_id, s in batch)
    assert found == sorted(
        [
            (people[0].user.pk, "活着"),
            (people[0].user.pk, "乡土中国"),
            (people[1].user.pk, "广州传"),
        ]
    )


def test_the_same_flows_over_sip2(sip2_settings: Sip2Server) -> None:
    person = reader()
    card = bind(person)
    assert card.provider == "sip2"
    loan = services.loan_renew(
        user=person.user, item_id="3100128345", actor=Actor.from_user(person.user)
    )
    assert loan.due_on == TODAY + datetime.timedelta(days=30)
    sip2_settings.misbehaviour.delay = 2.5
    assert not services.library_card_sync(card_id=card.pk)
    assert selectors.library_home_section(user=person.user).unavailable
    with pytest.raises(ApplicationError, match="暂不支持在线办理读者证"):
        services.library_card_open(user=reader("周杰").user, actor=Actor.system())


def test_the_demo_seed_gives_a_card_with_a_loan_and_volunteer_hours() -> None:
    person = reader("陈大文", id_number="440106198801010011", region_code="440106")
    seeded = services.onepass_demo_seed(user=person.user)
    assert seeded.loans == 2 and seeded.hours > 0
    assert services.onepass_demo_seed(user=person.user) == seeded


def test_names_match_across_widths_spaces_and_middle_dots() -> None:
    assert services.same_name("阿卜杜·热合曼", "阿卜杜•热合曼")
    assert services.same_name("阿卜杜.热合曼", "阿卜杜・热合曼")
    assert services.same_name("陈 小红", "陈小红")
    assert not services.same_name("陈小红", "陈晓红")
    assert not services.same_name("", "")


def test_no_card_yet_is_a_section_that_offers_one() -> None:
    section = selectors.library_home_section(user=reader().user)
    assert (section.bound, section.items, section.url) == (False, (), "/onepass/library/")


def test_the_beat_tasks_call_their_services(commit: Any) -> None:
    from onewindow.onepass.tasks import onepass_remind_due_loans, onepass_sync_cards

    bind(reader())
    assert onepass_sync_cards() == 1
    assert onepass_remind_due_loans() == 1
    assert onepass_remind_due_loans() == 0


def test_a_library_that_just_failed_is_not_asked_again_at_once() -> None:
    from django.utils import timezone

    card = bind(reader())
    now = timezone.now()
    assert not selectors.library_card_stale(card=card, now=now)
    later = now + datetime.timedelta(minutes=11)
    assert selectors.library_card_stale(card=card, now=later)
    FakeLibrary.down = True
    services.library_card_sync(card_id=card.pk)
    card.refresh_from_db()
    assert card.sync_failed_at is not None
    assert not selectors.library_card_stale(
        card=card, now=card.sync_failed_at + datetime.timedelta(minutes=1)
    )
    assert selectors.library_card_stale(
        card=card, now=card.sync_failed_at + datetime.timedelta(minutes=11)
    )
