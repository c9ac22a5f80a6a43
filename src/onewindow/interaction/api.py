"""Hotline API: file a request (诉求) as a resident — idempotent with ``client_key`` or an
``Idempotency-Key`` header —, list and read one's own requests, search the knowledge base
(public, like its page)."""

from __future__ import annotations

import base64
import binascii
import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from onewindow.api.auth import session_or_bearer
from onewindow.api.errors import ErrorOut
from onewindow.audit.services import client_ip
from onewindow.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from onewindow.interaction.forms import client_key_for
from onewindow.interaction.models import Kind, Request, Urgency
from onewindow.interaction.selectors import (
    articles_search,
    order_moves_public,
    request_filed_with_key,
    request_for_user,
    requests_of_user,
)
from onewindow.interaction.services import Contact, Filing, Location, Upload, request_file
from onewindow.interaction.services.intake import MAX_ATTACHMENTS

router = Router(tags=["hotline"])
AUTH = session_or_bearer
LIST_LIMIT = 200


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class AttachmentIn(StrictSchema):
    filename: str = Field(default="", max_length=200)
    content_base64: str = Field(description="file content, base64: JPEG, PNG or PDF, ≤ 10 MB")


class RequestIn(StrictSchema):
    kind: str = Field(description="|".join(Kind.values))
    content: str = Field(max_length=4000, description="what happened, where, since when")
    title: str = Field(default="", max_length=200)
    category: str = Field(default="", max_length=64, description="a leaf category's code")
    urgency: str = Field(default=Urgency.NORMAL, description="|".join(Urgency.values))
    region_code: str = Field(max_length=6, description="district (GB/T 2260)")
    street_code: str = Field(default="", max_length=9)
    community_code: str = Field(default="", max_length=12)
    address: str = Field(default="", max_length=400)
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    contact_phone: str = Field(
        default="", max_length=20, description="another phone than the account's, for the answer"
    )
    anonymous: bool = Field(
        default=False, description="no name or phone kept; the answer is not sent to you"
    )
    confidential: bool = Field(default=False, description="hide the requester from departments")
    case_number: str = Field(default="", max_length=32, description="a case this is about")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    client_key: str = Field(
        default="",
        max_length=128,
        description="one key per submission: the same key again answers the request it filed "
        "(200) instead of filing another; the Idempotency-Key header does the same",
    )
    join_number: str = Field(
        default="",
        max_length=32,
        description="an open order this request repeats (重复诉求并单): it is merged into it",
    )


class MoveOut(Schema):
    action: str
    label: str
    at: datetime.datetime


class AttachmentOut(Schema):
    name: str
    content_type: str
    size: int


class RequestBrief(Schema):
    number: str
    kind: str
    status: str
    status_label: str
    title: str
    category: str
    registered_at: datetime.datetime
    answer_due: datetime.date | None
    answered_at: datetime.datetime | None
    merged_into: str | None


class RequestOut(RequestBrief):
    content: str
    region_code: str
    address: str
    anonymous: bool
    confidential: bool
    answer: str
    attachments: list[AttachmentOut]
    timeline: list[MoveOut]


class ArticleOut(Schema):
    id: int
    title: str
    answer: str
    category: str
    score: float


def _errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    return {status: ErrorOut for status in statuses}


def _resident(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if getattr(user, "kind", "") != "resident":
        raise PermissionDenied(_("只有居民账号可以提交诉求。"), code="residents_only")
    return user


def _brief(req: Request) -> dict[str, Any]:
    return {
        "number": req.number,
        "kind": req.kind,
        "status": req.status,
        "status_label": str(req.get_status_display()),
        "title": req.title,
        "category": req.category.code if req.category else "",
        "registered_at": req.registered_at,
        "answer_due": req.answer_due,
        "answered_at": req.answered_at,
        "merged_into": req.merged_into.number if req.merged_into_id and req.merged_into else None,
    }


def _full(req: Request) -> dict[str, Any]:
    return {
        **_brief(req),
        "content": req.content,
        "region_code": req.region_code,
        "address": req.address,
        "anonymous": req.anonymous,
        "confidential": req.confidential,
        "answer": req.answer,
        "attachments": [
            {"name": a.name, "content_type": a.content_type, "size": a.size}
            for a in req.attachments.all()
        ],
        "timeline": [
            {"action": m.action, "label": str(m.get_action_display()), "at": m.at}
            for m in order_moves_public(request=req)
        ],
    }


def _uploads(items: list[AttachmentIn]) -> list[Upload]:
    uploads, errors = [], []
    for index, item in enumerate(items):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            errors.append(
                FieldError(
                    code="invalid",
                    message=_("附件内容不是有效的 base64。"),
                    field=f"attachments.{index}",
                )
            )
            continue
        uploads.append(Upload(name=item.filename, content=content))
    if errors:
        raise ValidationFailed(errors[0].message, code=errors[0].code, errors=errors)
    return uploads


IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Instead of `client_key`: one key per submission; the same key again "
    "answers the request it filed (200).",
    "schema": {"type": "string", "maxLength": 128},
}


@router.post(
    "/requests",
    auth=AUTH,
    response={200: RequestOut, 201: RequestOut, **_errors(403)},
    summary="File a request to the 12345 hotline (诉求), or join an open order it repeats",
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
)
def request_create(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    user = _resident(request)
    raw_key = payload.client_key.strip() or request.headers.get("Idempotency-Key", "").strip()
    key = client_key_for(user, raw_key[:128])
    earlier = request_filed_with_key(client_key=key)
    filing = Filing(
        kind=payload.kind,
        content=payload.content,
        title=payload.title,
        category_code=payload.category,
        urgency=payload.urgency,
        location=Location(
            region_code=payload.region_code,
            street_code=payload.street_code,
            community_code=payload.community_code,
            address=payload.address,
            latitude=payload.latitude,
            longitude=payload.longitude,
        ),
        contact=Contact(phone=payload.contact_phone),
        anonymous=payload.anonymous,
        confidential=payload.confidential,
        case_number=payload.case_number,
        attachments=_uploads(payload.attachments),
        client_key=key,
    )
    filed = request_file(
        user=user,
        channel=Request.Channel.API,
        filing=filing,
        join_number=payload.join_number.strip(),
        ip=client_ip(request),
    )
    found = request_for_user(user=user, number=filed.number)
    body = _full(found) if found is not None else _full(filed)  # an anonymous one is nobody's
    return Status(200 if earlier else 201, body)


@router.get(
    "/requests",
    auth=AUTH,
    response={200: list[RequestBrief], **_errors(403)},
    summary="My requests (real-name ones), newest first",
)
def request_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = _resident(request)
    return [_brief(r) for r in requests_of_user(user=user)[:LIST_LIMIT]]


@router.get(
    "/requests/{number}",
    auth=AUTH,
    response={200: RequestOut, **_errors(403, 404)},
    summary="One of my requests with its answer, attachments and public timeline",
)
def request_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    found = request_for_user(user=_resident(request), number=number)
    if found is None:
        raise NotFound(_("工单不存在或您无权查看。"), code="request_not_found")
    return _full(found)


@router.get(
    "/knowledge",
    auth=None,
    response={200: list[ArticleOut]},
    summary="Search the knowledge base (知识库): published answers most like the question",
)
def knowledge_search(
    request: HttpRequest, q: str = Query("", max_length=200)
) -> list[dict[str, Any]]:
    return [
        {
            "id": hit.id,
            "title": hit.title,
            "answer": hit.answer,
            "category": hit.category,
            "score": hit.score,
        }
        for hit in articles_search(text=q, limit=10)
    ]
