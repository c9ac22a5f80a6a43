"""The GeoReport v2 endpoints (and mySociety's servicerequestupdates) under /open311/v2/.

What the public reads is what anyone may: no confidential request (保密) at all, and of the
others the description with the requester's name and any phone, identity or card number
masked, the street without its door number and coordinates to about 100 m."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import client_ip
from onewindow.core.errors import ValidationFailed
from onewindow.core.masking import mask_text
from onewindow.core.regions import region_name, region_names
from onewindow.interaction.models import Category, Kind, Move, Request
from onewindow.interaction.open311.endpoint import endpoint
from onewindow.interaction.open311.keys import open311_key_check, open311_key_use
from onewindow.interaction.open311.params import listed, statuses, window
from onewindow.interaction.open311.render import error, respond
from onewindow.interaction.selectors.public import requester_names
from onewindow.interaction.selectors.similar import _street_level
from onewindow.interaction.services import Contact, Filing, Location, request_file

DESCRIPTION_MAX = 4000
LIST_MAX = 1000
OPEN = {"registered", "dispatched", "signed", "answered"}
UPDATE_STATUS: dict[str, str] = {
    Move.Action.REGISTER: "OPEN",
    Move.Action.DISPATCH: "ACTION_SCHEDULED",
    Move.Action.SIGN: "IN_PROGRESS",
    Move.Action.TRANSFER: "INTERNAL_REFERRAL",
    Move.Action.ANSWER: "IN_PROGRESS",
    Move.Action.CONCLUDE: "FIXED",
    Move.Action.MERGE: "DUPLICATE",
    Move.Action.DIRECT_ANSWER: "CLOSED",
    Move.Action.WITHDRAW: "CLOSED",
    Move.Action.REOPEN: "OPEN",
}


def _dt(value: datetime.datetime | datetime.date | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(18, 0))
        value = timezone.make_aware(value)
    return timezone.localtime(value).isoformat(timespec="seconds")


def _services() -> list[Category]:
    return [
        c
        for c in Category.objects.filter(active=True).select_related("parent")
        if not c.children.filter(active=True).exists()
    ]


def _service(c: Category) -> dict[str, Any]:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.name,
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": c.parent.name if c.parent else "",
    }


def _attributes() -> list[dict[str, Any]]:
    return [
        {
            "variable": True,
            "code": "kind",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": "",
            "order": 1,
            "description": _("诉求类型"),
            "values": [{"key": k, "name": str(n)} for k, n in Kind.choices],
        },
        {
            # optional: the location (lat/long, address_string or address_id) is what the
            # specification requires; the district is read from it when not given
            "variable": True,
            "code": "region_code",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("不填时按地址或地址编号确定所在区。"),
            "order": 2,
            "description": _("所在区"),
            "values": [{"key": k, "name": n} for k, n in region_names().items()],
        },
    ]


def _public() -> QuerySet[Request]:
    """The requests the interface shows: never a confidential one."""
    return Request.objects.filter(confidential=False).select_related("category", "department")


def _request(r: Request, names: tuple[str, ...]) -> dict[str, Any]:
    closed = r.status not in OPEN
    assignment_dept = r.department.name if r.department_id and r.department else ""
    return {
        "service_request_id": r.number,
        "status": "closed" if closed else "open",
        "status_notes": str(r.get_status_display()),
        "service_name": r.category.name if r.category else "",
        "service_code": r.category.code if r.category else "",
        "description": mask_text(r.content, names=names),
        "agency_responsible": assignment_dept,
        "service_notice": "",
        "requested_datetime": _dt(r.registered_at),
        "updated_datetime": _dt(r.updated_at),
        "expected_datetime": _dt(r.answer_due),
        "address": region_name(r.region_code, "") + _street_level(r.address),
        "address_id": "",
        "zipcode": "",
        "lat": float(round(r.latitude, 3)) if r.latitude is not None else None,
        "long": float(round(r.longitude, 3)) if r.longitude is not None else None,
        "media_url": "",
    }


def _requests(rows: list[Request]) -> list[dict[str, Any]]:
    names = requester_names(rows)
    return [_request(r, names.get(r.pk, ())) for r in rows]


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    return respond(
        fmt,
        "discovery",
        {
            "changeset": _dt(timezone.now()),
            "contact": "12345",
            "key_service": _("请向平台运营方申请接口密钥。"),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base.rsplit("/", 1)[0],
                    "changeset": _dt(timezone.now()),
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "services", [_service(c) for c in _services()])


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if code not in {c.code for c in _services()}:
        return error(fmt, 404, _("没有这个服务代码。"))
    return respond(fmt, "service_definition", {"service_code": code, "attributes": _attributes()})


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post(request, fmt)
    rows = _public()
    ids = listed(request.GET, "service_request_id")
    if ids:  # overrides every other argument
        rows = rows.filter(number__in=ids[:LIST_MAX])
    else:
        start, end = window(request.GET)
        rows = rows.filter(registered_at__gte=start, registered_at__lte=end)
        codes = listed(request.GET, "service_code")
        if codes:
            rows = rows.filter(category__code__in=codes)
        asked = statuses(request.GET)
        if asked == {"open"}:
            rows = rows.filter(status__in=OPEN)
        elif asked == {"closed"}:
            rows = rows.exclude(status__in=OPEN)
    return respond(fmt, "service_requests", _requests(list(rows[:LIST_MAX])))


@endpoint("GET")
def request_one(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    found = list(_public().filter(number=number))
    if not found:
        return error(fmt, 404, _("没有这个诉求编号。"))
    return respond(fmt, "service_requests", _requests(found))


@endpoint("GET")
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    if not _public().filter(number=token).exists():
        return error(fmt, 404, _("没有这个令牌。"))
    return respond(fmt, "service_requests", [{"service_request_id": token, "token": token}])


@endpoint("GET", refused=gettext_lazy("暂不接受通过接口提交的办理进展。"))
def updates(request: HttpRequest, fmt: str) -> HttpResponse:
    start, end = window(request.GET)
    moves = Move.objects.filter(
        public=True,
        at__gte=start,
        at__lte=end,
        action__in=UPDATE_STATUS,
        request__confidential=False,
    )
    body = [
        {
            "update_id": m.pk,
            "service_request_id": m.request.number,
            "status": UPDATE_STATUS[m.action],
            "updated_datetime": _dt(m.at),
            "description": str(m.get_action_display()),
            "media_url": "",
        }
        for m in moves.select_related("request")[:LIST_MAX]
    ]
    return respond(fmt, "service_request_updates", body)


def _place(address_id: str, address: str) -> tuple[str, str, str]:
    """The district, street and community a request without ``attribute[region_code]``
    is in: from ``address_id`` when it is a GB/T 2260 code of the city (6, 9 or 12 digits),
    else from a district the address names; blank when neither says (the dispatcher
    places it)."""
    names = region_names()
    code = address_id.strip()
    if code.isascii() and code.isdigit() and len(code) in (6, 9, 12) and code[:6] in names:
        return code[:6], code[:9] if len(code) >= 9 else "", code if len(code) == 12 else ""
    for region, name in names.items():
        if name in address:
            return region, "", ""
    return "", "", ""


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    key = open311_key_check(data.get("api_key", ""))
    if key is None:
        return error(fmt, 403, _("接口密钥无效或已停用。"))
    ip = client_ip(request)

    def refuse(status: int, message: object) -> HttpResponse:
        open311_key_use(key=key, endpoint="POST requests", outcome=f"refused {status}", ip=ip)
        return error(fmt, status, message)

    code = data.get("service_code", "")
    if not code:
        return refuse(400, _("缺少服务代码 service_code。"))
    if code not in {c.code for c in _services()}:
        return refuse(404, _("没有这个服务代码。"))
    description = data.get("description", "")
    if len(description) > DESCRIPTION_MAX:
        return refuse(400, _("描述不能超过 %(n)s 个字。") % {"n": DESCRIPTION_MAX})
    lat, lon = data.get("lat", ""), data.get("long", "")
    address, address_id = data.get("address_string", ""), data.get("address_id", "")
    if not ((lat and lon) or address or address_id):
        return refuse(400, _("请给出位置：经纬度、地址或地址编号。"))
    try:
        latitude = Decimal(lat) if lat else None
        longitude = Decimal(lon) if lon else None
    except InvalidOperation:
        return refuse(400, _("经纬度格式不对。"))
    region = data.get("attribute[region_code]", "")
    street = community = ""
    if not region:
        region, street, community = _place(address_id, address)
    phone = data.get("phone", "")
    name = (data.get("last_name", "") + data.get("first_name", "")).strip()
    filing = Filing(
        kind=data.get("attribute[kind]", ""),
        content=description,
        category_code=code,
        location=Location(
            region_code=region,
            street_code=street,
            community_code=community,
            address=address or address_id,  # the jurisdiction's own id, for the dispatcher
            latitude=latitude,
            longitude=longitude,
        ),
        contact=Contact(name=name, phone=phone),
        anonymous=not phone,
    )
    try:
        filed = request_file(user=None, channel=Request.Channel.OPEN311, filing=filing, ip=ip)
    except ValidationFailed as exc:
        return refuse(400, "；".join(str(e.message) for e in exc.errors))
    open311_key_use(key=key, endpoint="POST requests", outcome="ok", ip=ip)
    return respond(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": filed.number,
                "service_notice": _("已受理，请记下工单编号。"),
                "account_id": data.get("account_id", ""),
            }
        ],
    )
