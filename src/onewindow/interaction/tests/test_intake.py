"""Filing a request: what is checked, what is written, what the requester is told."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import ValidationFailed
from onewindow.interaction import audit_events
from onewindow.interaction.models import Attachment, Category, Move, Request
from onewindow.interaction.services import (
    Contact,
    Filing,
    Location,
    Upload,
    request_answer_direct,
    request_file,
)
from onewindow.notify.models import Message
from onewindow.testing.factories import make_person, make_staff, user_of

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
TIANHE = "440106"


@pytest.fixture
def leaf() -> Category:
    root = Category.objects.create(code="urban", name="城市管理")
    return Category.objects.create(
        code="urban.vendor", name="占道经营", parent=root, department_code="cgj"
    )


def filing(**changes: object) -> Filing:
    values: dict[str, object] = {
        "kind": "complaint",
        "content": "体育西路口每天晚上都有烧烤摊占道经营，油烟很大，行人只能走机动车道。",
        "location": Location(region_code=TIANHE, address="体育西路191号附近"),
    }
    values.update(changes)
    return Filing(**values)  # type: ignore[arg-type]


def test_a_resident_files_a_complaint_and_gets_the_order_number(leaf, commit) -> None:
    person = make_person(phone="13800000011", name="李娜")
    with commit():
        request = request_file(
            user=user_of(person),
            channel="web",
            filing=filing(category_code="urban.vendor", attachments=[Upload("摊位.jpg", JPEG)]),
        )
    request.refresh_from_db()
    assert request.number.startswith(datetime.date.today().strftime("%Y%m%d"))
    assert request.status == Request.Status.REGISTERED
    assert request.person == person
    assert request.contact_phone == "13800000011"
    assert (
        request.title == "体育西路口每天晚上都有烧烤摊占道经营，油烟很大，行人只能走机动车道"[:30]
    )
    # a complaint is answered within 13 working days
    assert request.answer_due is not None and request.answer_due > datetime.date.today()
    attachment = Attachment.objects.get(request=request)
    assert (attachment.content_type, attachment.size) == ("image/jpeg", len(JPEG))
    assert default_storage.exists(attachment.file)
    assert list(request.moves.values_list("action", flat=True)) == [Move.Action.REGISTER]
    audit = AuditEvent.objects.filter(action=audit_events.REQUEST_FILE).get()
    assert audit.changes["number"] == request.number
    message = Message.objects.get(recipient=person.user)
    assert message.title == "诉求已受理"
    assert request.number in message.body


def test_every_bad_field_is_named_and_nothing_is_written(leaf) -> None:
    person = make_person()
    bad = filing(
        kind="rant",
        content="太吵",
        category_code="urban",  # not a leaf
        location=Location(
            region_code="110101", street_code="12", latitude=Decimal("95"), longitude=Decimal("1")
        ),
        attachments=[Upload("x.jpg", b"GIF89a not a jpeg")],
    )
    with pytest.raises(ValidationFailed) as caught:
        request_file(user=user_of(person), channel="web", filing=bad)
    fields = {error.field: error.code for error in caught.value.errors}
    assert fields == {
        "kind": "invalid_choice",
        "content": "too_short",
        "category": "not_leaf",
        "region_code": "unknown_region",
        "street_code": "bad_street",
        "latitude": "out_of_range",
        "attachments.0": "bad_type",
    }
    assert not Request.objects.exists()
    assert not AuditEvent.objects.filter(action=audit_events.REQUEST_FILE).exists()


def test_a_complaint_about_a_named_case_must_be_real_name() -> None:
    person = make_person()
    with pytest.raises(ValidationFailed) as caught:
        request_file(
            user=user_of(person),
            channel="web",
            filing=filing(anonymous=True, case_number="202601010001"),
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [("anonymous", "real_name_required")]


def test_an_anonymous_request_keeps_no_name_or_phone_and_tells_nobody(commit) -> None:
    person = make_person(phone="13800000012")
    with commit():
        request = request_file(user=user_of(person), channel="web", filing=filing(anonymous=True))
    request.refresh_from_db()
    assert (request.person, request.contact_phone, request.phone_bidx) == (None, "", "")
    assert not Message.objects.exists()


def test_the_same_submission_twice_files_one_request() -> None:
    person = make_person()
    first = request_file(user=user_of(person), channel="web", filing=filing(client_key="k-1"))
    again = request_file(user=user_of(person), channel="web", filing=filing(client_key="k-1"))
    assert again.pk == first.pk
    assert Request.objects.count() == 1


def test_joining_an_open_order_merges_and_tells_the_joiner(leaf, commit) -> None:
    first = make_person()
    second = make_person()
    order = request_file(
        user=user_of(first), channel="web", filing=filing(category_code="urban.vendor")
    )
    with commit():
        joined = request_file(
            user=user_of(second),
            channel="web",
            filing=filing(content="体育西路晚上烧烤摊占道，油烟呛人。"),
            join_number=order.number,
        )
    joined.refresh_from_db()
    assert joined.status == Request.Status.MERGED
    assert joined.merged_into == order
    assert joined.category == leaf
    assert Message.objects.get(recipient=second.user).title == "诉求已并单"
    assert AuditEvent.objects.filter(action=audit_events.REQUEST_JOIN).count() == 1


def test_a_concluded_order_cannot_be_joined() -> None:
    person = make_person()
    order = request_file(user=user_of(person), channel="web", filing=filing())
    Request.objects.filter(pk=order.pk).update(status=Request.Status.CONCLUDED)
    with pytest.raises(ValidationFailed) as caught:
        request_file(user=user_of(person), channel="web", filing=filing(), join_number=order.number)
    assert caught.value.errors[0].field == "join_number"
    assert Request.objects.count() == 1


def test_the_operator_registers_a_phone_call_with_the_callers_landline() -> None:
    operator = make_staff()
    request = request_file(
        user=operator.user,
        channel="phone",
        filing=filing(contact=Contact(name="陈先生", phone="020-87654321")),
    )
    request.refresh_from_db()
    assert request.person is None
    assert request.contact_phone == "02087654321"
    assert request.registered_by == operator.user


def test_a_phone_request_needs_a_way_to_answer() -> None:
    operator = make_staff()
    with pytest.raises(ValidationFailed) as caught:
        request_file(
            user=operator.user, channel="phone", filing=filing(contact=Contact(phone="12"))
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [("contact_phone", "phone_format")]


def test_a_consultation_is_answered_directly_on_the_phone(commit) -> None:
    operator = make_staff()
    with commit():
        request = request_answer_direct(
            user=operator.user,
            filing=filing(
                kind="consultation",
                content="请问公积金租房提取一年能提几次？",
                contact=Contact(phone="13800000013"),
            ),
            answer="租房提取每年可办理一次，可在公积金中心网站在线办理。",
        )
    request.refresh_from_db()
    assert request.status == Request.Status.CLOSED
    assert list(request.moves.values_list("action", flat=True)) == [
        Move.Action.REGISTER,
        Move.Action.DIRECT_ANSWER,
    ]
    assert AuditEvent.objects.filter(action=audit_events.REQUEST_ANSWER_DIRECT).count() == 1


def test_only_consultations_and_help_are_answered_directly() -> None:
    operator = make_staff()
    with pytest.raises(ValidationFailed) as caught:
        request_answer_direct(
            user=operator.user,
            filing=filing(contact=Contact(phone="13800000013")),
            answer="已记录",
        )
    assert caught.value.errors[0].field == "kind"
    assert not Request.objects.exists()
