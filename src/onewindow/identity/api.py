"""Identity API: resident SMS login (session) and the caller's own masked profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from onewindow.audit.services import client_ip
from onewindow.core.masking import mask_phone
from onewindow.identity import selectors, services

if TYPE_CHECKING:
    from onewindow.identity.models import User

router = Router(tags=["identity"])

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# What core.identifiers.normalize_phone accepts, as a pattern for the schema (the service
# checks it and answers 422 in the user's language): 11 digits 1[3-9]…, optionally after
# +86, with whitespace (Python's) and hyphens anywhere ignored.
_SEP = "[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000-]*"
PHONE_PATTERN = f"^{_SEP}(?:\\+{_SEP}8{_SEP}6{_SEP})?1{_SEP}[3-9](?:{_SEP}[0-9]){{9}}{_SEP}$"
PHONE = Field(
    max_length=20,
    description="11-digit mainland mobile number (spaces, hyphens and a leading +86 are ignored)",
    json_schema_extra={"pattern": PHONE_PATTERN},
)


class SmsCodeIn(StrictSchema):
    phone: str = PHONE


class SmsCodeOut(Schema):
    sent_to: str
    expires_in: int


class SmsLoginIn(StrictSchema):
    phone: str = PHONE
    code: str = Field(
        max_length=6,
        description="6-digit code from the SMS",
        json_schema_extra={"pattern": "^[0-9]{6}$"},
    )


class PersonOut(Schema):
    name: str
    id_number: str
    phone: str
    gender: str
    birth_year: int | None
    region_code: str
    assurance: int


class CompanyOut(Schema):
    uscc: str
    name: str


class MeOut(Schema):
    username: str
    kind: str
    display_name: str
    person: PersonOut | None
    companies: list[CompanyOut]


class ErrorItem(Schema):
    code: str
    message: str
    field: str | None


class ErrorOut(Schema):
    errors: list[ErrorItem]


def _require_json(request: HttpRequest) -> None:
    """Login endpoints only take JSON: a cross-site HTML form cannot send it, which stops
    login CSRF without a token. Oversize bodies are refused before anything is written."""
    if request.content_type != "application/json":
        raise HttpError(415, _("请求体必须是 JSON（Content-Type: application/json）。"))
    if len(request.body) > settings.API_MAX_BODY_BYTES:
        raise HttpError(413, _("请求体过大。"))


@router.post(
    "/auth/sms-code",
    auth=None,
    response={202: SmsCodeOut, 415: ErrorOut, 429: ErrorOut},
    summary="Send a login code by SMS",
)
def sms_code(request: HttpRequest, payload: SmsCodeIn) -> Status[dict[str, object]]:
    _require_json(request)
    services.sms_login_code_request(phone=payload.phone, ip=client_ip(request))
    return Status(
        202,
        {
            "sent_to": mask_phone(payload.phone.strip()),
            "expires_in": int(settings.SMS_CODE_TTL_SECONDS),
        },
    )


@router.post(
    "/auth/sms-login",
    auth=None,
    response={200: MeOut, 415: ErrorOut},
    summary="Log in with phone + SMS code (starts a browser session)",
)
def sms_login(request: HttpRequest, payload: SmsLoginIn) -> dict[str, object]:
    _require_json(request)
    user, _created = services.sms_login_verify(
        phone=payload.phone, code=payload.code, ip=client_ip(request)
    )
    login(request, user, backend=MODEL_BACKEND)
    return _me(user)


def _me(user: User) -> dict[str, object]:
    person = selectors.person_for_user(user)
    person_out = None
    companies: list[dict[str, str]] = []
    if person is not None:
        person_out = {
            "name": person.masked_name,
            "id_number": person.masked_id_number,
            "phone": person.masked_phone,
            "gender": person.gender,
            "birth_year": person.birth_date.year if person.birth_date else None,
            "region_code": person.region_code,
            "assurance": int(person.assurance),
        }
        companies = [
            {"uscc": c.uscc, "name": c.name} for c in selectors.companies_for_person(person=person)
        ]
    return {
        "username": user.get_username(),
        "kind": getattr(user, "kind", ""),
        "display_name": getattr(user, "display_name", ""),
        "person": person_out,
        "companies": companies,
    }


# No auth= here: the API's default (a session or a bearer token, onewindow.api.auth) applies.
@router.get("/me", response=MeOut, summary="Who am I (masked)")
def me(request: HttpRequest) -> dict[str, object]:
    return _me(request.auth)  # type: ignore[attr-defined]
