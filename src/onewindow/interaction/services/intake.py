"""Filing a request (诉求登记) from any channel: the resident's web form and the API, the
operator typing while on the phone, a grid worker's report. Everything is checked before
anything is written; attachments are checked by their content; the same submission twice
(its ``client_key``) files one request; the requester is told the order number after commit."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.cases.lookup_selectors import case_id_for_number
from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.core.files import EXTENSIONS, TYPE_LABELS, sniff_content_type
from onewindow.core.identifiers import PHONE_RE
from onewindow.core.pii import phone_index
from onewindow.core.regions import region_names
from onewindow.identity.selectors import person_for_user
from onewindow.interaction import audit_events
from onewindow.interaction.models import (
    Attachment,
    Category,
    Kind,
    KnowledgeArticle,
    Move,
    Request,
    Urgency,
)
from onewindow.interaction.services._common import (
    answer_due_for,
    limits_for,
    move_add,
    order_number_next,
)

if TYPE_CHECKING:
    from onewindow.identity.models import User

TITLE_MAX = 100
CONTENT_MIN = 5
CONTENT_MAX = 2000
ADDRESS_MAX = 200
MAX_ATTACHMENTS = 5
ATTACHMENT_MAX_MB = 10
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "application/pdf")
LANDLINE_RE = re.compile(r"\A0[0-9]{2,3}-?[0-9]{7,8}\Z")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CHANNELS_STAFF = frozenset({Request.Channel.PHONE, Request.Channel.GRID})
# Channels whose callers may give a place without its district (Open311 asks only for
# coordinates, an address or an address id): filed city-wide, the dispatcher places it.
CHANNELS_PLACE_ONLY = frozenset({Request.Channel.OPEN311})


@dataclass(frozen=True)
class Location:
    """Where: a district of the city (GB/T 2260), optionally its street (9 digits) and
    community (12 digits), an address, coordinates."""

    region_code: str
    street_code: str = ""
    community_code: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(frozen=True)
class Contact:
    """Who to tell, for a caller without an account (the phone channel) or a different
    contact than the account's."""

    name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


@dataclass(frozen=True)
class Filing:
    """What the requester (or the operator for them) says."""

    kind: str
    content: str
    location: Location
    title: str = ""
    category_code: str = ""
    urgency: str = Urgency.NORMAL
    contact: Contact = Contact()
    anonymous: bool = False
    confidential: bool = False
    case_number: str = ""
    attachments: Sequence[Upload] = ()
    client_key: str = ""


def _clean(text: str) -> str:
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n")).strip()


def _phone(value: str) -> str:
    raw = re.sub(r"[\s]", "", value or "")
    if raw.startswith("+86"):
        raw = raw[3:]
    if PHONE_RE.match(raw) or LANDLINE_RE.match(raw):
        return raw.replace("-", "")
    raise ValidationFailed(
        _("联系电话应为11位手机号码或带区号的固定电话。"),
        code="phone_format",
        field="contact_phone",
    )


def _check_attachment(index: int, upload: Upload) -> tuple[str, str]:
    field = f"attachments.{index}"
    limit = ATTACHMENT_MAX_MB * 1024 * 1024
    if not upload.content:
        raise ValidationFailed(_("文件是空的。"), code="empty", field=field)
    if len(upload.content) > limit:
        raise ValidationFailed(
            _("文件过大：每个附件不能超过 %(mb)s MB。") % {"mb": ATTACHMENT_MAX_MB},
            code="too_large",
            field=field,
        )
    kind = sniff_content_type(upload.content[:16])
    if kind not in ATTACHMENT_TYPES:
        raise ValidationFailed(
            _("文件类型不符：附件只接受 %(types)s 文件。")
            % {"types": "、".join(TYPE_LABELS[t] for t in ATTACHMENT_TYPES)},
            code="bad_type",
            field=field,
        )
    return kind, (upload.name or "")[-200:]


def _check(filing: Filing, *, user: User | None, channel: str) -> tuple[list[FieldError], dict]:
    errors: list[FieldError] = []
    out: dict = {}

    def fail(field: str, code: str, message: object) -> None:
        errors.append(FieldError(code=code, message=message, field=field))  # type: ignore[arg-type]

    if filing.kind not in Kind.values:
        fail("kind", "invalid_choice", _("请选择诉求类型。"))
    if channel not in Request.Channel.values:
        fail("channel", "invalid_choice", _("来源渠道无效。"))
    if filing.urgency not in Urgency.values:
        fail("urgency", "invalid_choice", _("紧急程度无效。"))
    content = _clean(filing.content)
    if len(content) < CONTENT_MIN:
        fail("content", "too_short", _("请把诉求写清楚，至少 %(n)s 个字。") % {"n": CONTENT_MIN})
    elif len(content) > CONTENT_MAX:
        fail("content", "too_long", _("诉求内容不能超过 %(n)s 个字。") % {"n": CONTENT_MAX})
    out["content"] = content
    title = _clean(filing.title).replace("\n", " ")
    if len(title) > TITLE_MAX:
        fail("title", "too_long", _("标题不能超过 %(n)s 个字。") % {"n": TITLE_MAX})
    out["title"] = title or content.replace("\n", " ")[:30]
    out["category"] = None
    if filing.category_code:
        category = Category.objects.filter(code=filing.category_code, active=True).first()
        if category is None:
            fail("category", "unknown", _("没有这个诉求分类。"))
        elif category.children.filter(active=True).exists():
            fail("category", "not_leaf", _("请选到最细一级的分类。"))
        out["category"] = category
    loc = filing.location
    place_only = (
        channel in CHANNELS_PLACE_ONLY
        and not loc.region_code
        and bool(loc.address.strip() or loc.latitude is not None)
    )
    if loc.region_code not in region_names() and not place_only:
        fail("region_code", "unknown_region", _("请选择本市的一个区。"))
    if loc.street_code and not (
        len(loc.street_code) == 9
        and loc.street_code.isdigit()
        and loc.street_code.startswith(loc.region_code)
    ):
        fail("street_code", "bad_street", _("街道代码应为所选区代码开头的9位数字。"))
    if loc.community_code and not (
        len(loc.community_code) == 12
        and loc.community_code.isdigit()
        and loc.street_code
        and loc.community_code.startswith(loc.street_code)
    ):
        fail("community_code", "bad_community", _("社区代码应为所选街道代码开头的12位数字。"))
    address = _clean(loc.address).replace("\n", " ")
    if len(address) > ADDRESS_MAX:
        fail("address", "too_long", _("地址不能超过 %(n)s 个字。") % {"n": ADDRESS_MAX})
    out["address"] = address
    if (loc.latitude is None) != (loc.longitude is None):
        fail("latitude", "incomplete", _("经纬度需同时填写。"))
    elif loc.latitude is not None and loc.longitude is not None:
        if not (Decimal(-90) <= loc.latitude <= Decimal(90)):
            fail("latitude", "out_of_range", _("纬度应在 -90 到 90 之间。"))
        if not (Decimal(-180) <= loc.longitude <= Decimal(180)):
            fail("longitude", "out_of_range", _("经度应在 -180 到 180 之间。"))
    person = person_for_user(user) if channel not in CHANNELS_STAFF else None
    out["person"] = None if filing.anonymous else person
    phone = ""
    bad_phone = False
    if filing.contact.phone:
        try:
            phone = _phone(filing.contact.phone)
        except ValidationFailed as error:
            errors.extend(error.errors)
            bad_phone = True
    elif not filing.anonymous and person is not None:
        phone = person.phone
    out["phone"] = "" if filing.anonymous else phone
    name = _clean(filing.contact.name)[:64]
    out["name"] = "" if filing.anonymous else (name or (person.name if person else ""))
    if not filing.anonymous and person is None and not phone and not bad_phone:
        fail("contact_phone", "required", _("实名诉求请留下联系电话，以便答复。"))
    case_number = _clean(filing.case_number)
    out["case_number"] = case_number
    if case_number:
        if filing.anonymous:
            fail("anonymous", "real_name_required", _("对具体办件的投诉需实名提交。"))
        elif case_id_for_number(number=case_number) is None:
            fail("case_number", "unknown_case", _("没有这个办件编号。"))
    if filing.confidential and filing.anonymous:
        fail("confidential", "anonymous", _("匿名诉求无需另行保密。"))
    if len(filing.attachments) > MAX_ATTACHMENTS:
        fail("attachments", "too_many", _("附件最多 %(n)s 个。") % {"n": MAX_ATTACHMENTS})
    else:
        checked = []
        for index, upload in enumerate(filing.attachments):
            try:
                checked.append((upload, *_check_attachment(index, upload)))
            except ValidationFailed as error:
                errors.extend(error.errors)
        out["attachments"] = checked
    if len(filing.client_key) > 64:
        fail("client_key", "too_long", _("提交标识过长。"))
    return errors, out


def request_file(
    *,
    user: User | None,
    channel: str,
    filing: Filing,
    join_number: str = "",
    ip: str = "",
) -> Request:
    """Register a request (受理) and answer its order, or — with ``join_number`` — join the
    open order it repeats (重复诉求并单: this request is kept, merged into that one, and its
    requester told of that order's progress). Refused as a whole with every field's error;
    the same ``client_key`` again answers the request it filed."""
    if filing.client_key:
        earlier = Request.objects.filter(client_key=filing.client_key).first()
        if earlier is not None:
            return earlier
    if channel in CHANNELS_STAFF and (user is None or not user.is_authenticated):
        raise ValidationFailed(_("请先登录。"), code="login_required", field="channel")
    errors, data = _check(filing, user=user, channel=channel)
    target = None
    if join_number and not errors:
        target = Request.objects.filter(number=join_number).first()
        if target is None or target.status in _NOT_JOINABLE:
            errors.append(
                FieldError(
                    code="not_joinable",
                    message=_("该工单已办结或不存在，请单独提交。"),
                    field="join_number",
                )
            )
    if errors:
        raise ValidationFailed(errors[0].message, code=errors[0].code, errors=errors)
    now = timezone.now()
    stored: list[str] = []
    try:
        with transaction.atomic(durable=True):
            request = _create(filing, data=data, channel=channel, user=user, now=now)
            for upload, kind, name in data["attachments"]:
                stored.append(_store(request, upload=upload, kind=kind, name=name, now=now))
            move_add(request, action=Move.Action.REGISTER, actor=user, at=now)
            if target is not None:
                _join(request, target=target, user=user, now=now)
            audit_record(
                actor=Actor.from_user(user, ip=ip),
                action=audit_events.REQUEST_JOIN if target else audit_events.REQUEST_FILE,
                target=request,
                changes={
                    "number": request.number,
                    "kind": request.kind,
                    "channel": request.channel,
                    "category": getattr(request.category, "code", ""),
                    "region_code": request.region_code,
                    "attachments": len(stored),
                    **({"joined": target.number} if target else {}),
                },
            )
    except IntegrityError:
        for name in stored:
            default_storage.delete(name)
        if filing.client_key:
            earlier = Request.objects.filter(client_key=filing.client_key).first()
            if earlier is not None:
                return earlier
        raise
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    from onewindow.interaction.services import notices

    transaction.on_commit(lambda: notices.request_registered_tell(request_id=request.pk))
    if request.urgency == Urgency.URGENT and target is None:
        # urgent orders are transferred at once where the catalogue names the department
        from onewindow.interaction.services.loop_dispatch import request_dispatch_auto

        transaction.on_commit(lambda: request_dispatch_auto(request_id=request.pk))
    return request


_NOT_JOINABLE = frozenset({Request.Status.CONCLUDED, Request.Status.MERGED, Request.Status.CLOSED})


def _create(
    filing: Filing, *, data: dict, channel: str, user: User | None, now: datetime.datetime
) -> Request:
    loc = filing.location
    limits = limits_for(filing.kind, filing.urgency)
    phone = data["phone"]
    return Request.objects.create(
        number=order_number_next(now),
        client_key=filing.client_key,
        kind=filing.kind,
        channel=channel,
        urgency=filing.urgency,
        category=data["category"],
        title=data["title"],
        content=data["content"],
        region_code=loc.region_code,
        street_code=loc.street_code,
        community_code=loc.community_code,
        address=data["address"],
        latitude=loc.latitude,
        longitude=loc.longitude,
        person=data["person"],
        contact_name=data["name"],
        contact_phone=phone,
        phone_bidx=phone_index(phone) if phone else "",
        anonymous=filing.anonymous,
        confidential=filing.confidential,
        case_number=data["case_number"],
        registered_by=user if channel in CHANNELS_STAFF else None,
        registered_at=now,
        dispatch_due_at=now + datetime.timedelta(hours=limits.sign_hours),
        answer_due=answer_due_for(limits, timezone.localdate(now)),
    )


def _store(
    request: Request, *, upload: Upload, kind: str, name: str, now: datetime.datetime
) -> str:
    path = f"interaction/{now:%Y/%m}/{secrets.token_hex(16)}{EXTENSIONS[kind]}"
    stored = default_storage.save(path, ContentFile(upload.content))
    Attachment.objects.create(
        request=request,
        name=name or stored.rsplit("/", 1)[-1],
        content_type=kind,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        file=stored,
    )
    return stored


def _join(request: Request, *, target: Request, user: User | None, now: datetime.datetime) -> None:
    request.status = Request.Status.MERGED
    request.merged_into = target
    request.category = request.category or target.category
    request.save(update_fields=["status", "merged_into", "category", "updated_at"])
    move_add(request, action=Move.Action.MERGE, actor=user, at=now, data={"into": target.number})
    move_add(
        target,
        action=Move.Action.MERGE,
        actor=user,
        at=now,
        public=False,
        data={"joined": request.number},
    )


def request_answer_direct(
    *,
    user: User,
    filing: Filing,
    answer: str,
    article_id: int | None = None,
    ip: str = "",
) -> Request:
    """The operator answers a consultation on the phone (直接答复), from the knowledge base
    or in their own words: the request is registered and closed at once, the answer kept on
    it and sent to the caller; the article used is counted."""
    answer = _clean(answer)
    if not answer:
        raise ValidationFailed(_("请填写答复内容。"), code="required", field="answer")
    if len(answer) > CONTENT_MAX:
        raise ValidationFailed(
            _("答复内容不能超过 %(n)s 个字。") % {"n": CONTENT_MAX}, code="too_long", field="answer"
        )
    if filing.kind not in (Kind.CONSULTATION, Kind.HELP):
        raise ValidationFailed(
            _("只有咨询和求助可以当场直接答复，其他诉求请派单办理。"),
            code="not_direct",
            field="kind",
        )
    if user is None or not user.is_authenticated:
        raise ValidationFailed(_("请先登录。"), code="login_required", field="channel")
    errors, data = _check(filing, user=user, channel=Request.Channel.PHONE)
    if errors:
        raise ValidationFailed(errors[0].message, code=errors[0].code, errors=errors)
    now = timezone.now()
    with transaction.atomic(durable=True):
        request = _create(filing, data=data, channel=Request.Channel.PHONE, user=user, now=now)
        request.status = Request.Status.CLOSED
        request.answer = answer
        request.answered_at = now
        request.concluded_at = now
        request.save(
            update_fields=["status", "answer", "answered_at", "concluded_at", "updated_at"]
        )
        move_add(request, action=Move.Action.REGISTER, actor=user, at=now)
        move_add(
            request,
            action=Move.Action.DIRECT_ANSWER,
            actor=user,
            at=now,
            note=answer,
            data={"article": article_id} if article_id else {},
        )
        if article_id is not None:
            KnowledgeArticle.objects.filter(pk=article_id).update(uses=F("uses") + 1)
        audit_record(
            actor=Actor.from_user(user, ip=ip),
            action=audit_events.REQUEST_ANSWER_DIRECT,
            target=request,
            changes={"number": request.number, "kind": request.kind, "article": article_id},
        )
    from onewindow.interaction.services import notices

    transaction.on_commit(lambda: notices.request_answered_direct_tell(request_id=request.pk))
    return request


def request_check(*, user: User | None, channel: str, filing: Filing) -> None:
    """Check a filing as ``request_file`` would, writing nothing (the form's first step,
    before the resident sees the answers and similar requests): every field's error at once."""
    errors, _data = _check(filing, user=user, channel=channel)
    if errors:
        raise ValidationFailed(errors[0].message, code=errors[0].code, errors=errors)
