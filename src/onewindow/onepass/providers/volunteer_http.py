"""The volunteer provider interface OneWindow publishes (docs/volunteer-provider-openapi.yaml)
over HTTP: any volunteer platform that serves it can connect. Requests are signed with
HMAC-SHA256 (``signing.py``); an answer whose signature, timestamp or shape is wrong is a
``ProviderError`` and nothing of it is used."""

from __future__ import annotations

import datetime
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from onewindow.onepass.providers import signing
from onewindow.onepass.providers.base import (
    Activity,
    ProviderError,
    ProviderRefused,
    ServiceRecord,
    VolunteerHours,
    VolunteerProfile,
)

MAX_BODY = 512 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=False)


class _Volunteer(_Strict):
    volunteer_id: str = Field(min_length=1, max_length=32)
    name: str = Field(max_length=64)
    region_code: str = Field(pattern=r"^\d{6}$")
    total_hours: float = Field(ge=0, le=100000)


class _Activity(_Strict):
    activity_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    organiser: str = Field(max_length=100)
    region_code: str = Field(pattern=r"^\d{6}$")
    place: str = Field(max_length=200)
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    hours: float = Field(gt=0, le=24)
    capacity: int = Field(ge=0)
    joined: int = Field(ge=0)
    description: str = Field(default="", max_length=2000)


class _Activities(_Strict):
    activities: list[_Activity] = Field(max_length=500)


class _Record(_Strict):
    record_id: str = Field(min_length=1, max_length=64)
    activity_id: str = Field(max_length=64)
    title: str = Field(min_length=1, max_length=200)
    served_on: datetime.date
    hours: float = Field(gt=0, le=24)
    organiser: str = Field(default="", max_length=100)


class _Hours(_Strict):
    volunteer_id: str = Field(min_length=1, max_length=32)
    total_hours: float = Field(ge=0, le=100000)
    records: list[_Record] = Field(max_length=5000)


class _Error(_Strict):
    code: str
    message: str = Field(max_length=200)


class _ErrorBody(_Strict):
    error: _Error


def _activity(row: _Activity) -> Activity:
    if row.starts_at.tzinfo is None or row.ends_at <= row.starts_at:
        raise ProviderError("activity times are not an aware, forward interval")
    return Activity(**row.model_dump())


@dataclass
class VolunteerHttp:
    base_url: str
    key_id: str
    secret: str
    timeout: float = 5.0
    name: str = "http"
    transport: httpx.BaseTransport | None = None

    def _call(
        self, method: str, path: str, *, query: dict[str, str] | None = None, body: Any = None
    ) -> Any:
        target = urlsplit(self.base_url).path.rstrip("/") + path
        if query:
            target += "?" + urlencode(query)
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {
            "Content-Type": "application/json",
            "X-OneWindow-Key": self.key_id,
            "X-OneWindow-Timestamp": timestamp,
            "X-OneWindow-Nonce": nonce,
            "X-OneWindow-Signature": signing.request_signature(
                secret=self.secret,
                method=method,
                target=target,
                timestamp=timestamp,
                nonce=nonce,
                body=data,
            ),
        }
        parts = urlsplit(self.base_url)
        try:
            with httpx.Client(
                timeout=self.timeout, trust_env=False, transport=self.transport
            ) as client:
                response = client.request(
                    method,
                    f"{parts.scheme}://{parts.netloc}{target}",
                    content=data,
                    headers=headers,
                )
        except httpx.TimeoutException as exc:
            raise ProviderError("volunteer platform answered too late") from exc
        except httpx.HTTPError as exc:
            raise ProviderError(f"volunteer platform unreachable: {exc}") from exc
        raw = response.content
        if len(raw) > MAX_BODY:
            raise ProviderError("volunteer platform answer too long")
        self._check_signature(response, nonce, raw)
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            raise ProviderError("volunteer platform answer is not JSON") from exc
        if response.status_code in (400, 404, 409, 422):
            try:
                error = _ErrorBody.model_validate(payload).error
            except ValidationError as exc:
                raise ProviderError("volunteer platform refusal without a reason") from exc
            raise ProviderRefused(error.message)
        if response.status_code not in (200, 201):
            raise ProviderError(f"volunteer platform answered {response.status_code}")
        return payload

    def _check_signature(self, response: httpx.Response, nonce: str, raw: bytes) -> None:
        timestamp = response.headers.get("X-Provider-Timestamp", "")
        given = response.headers.get("X-Provider-Signature", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > signing.MAX_SKEW:
            raise ProviderError("volunteer platform answer without a fresh timestamp")
        expected = signing.response_signature(
            secret=self.secret,
            status=response.status_code,
            timestamp=timestamp,
            request_nonce=nonce,
            body=raw,
        )
        if not signing.signature_ok(expected, given):
            raise ProviderError("volunteer platform answer with a bad signature")

    @staticmethod
    def _parse(model: type[_Strict], payload: Any) -> Any:
        try:
            return model.model_validate(payload)
        except ValidationError as exc:
            raise ProviderError(
                f"volunteer platform answer malformed: {exc.error_count()} errors"
            ) from exc

    def volunteer_register(
        self, *, id_number: str, name: str, phone: str, region_code: str
    ) -> VolunteerProfile:
        payload = self._call(
            "POST",
            "/v1/volunteers",
            body={"id_number": id_number, "name": name, "phone": phone, "region_code": region_code},
        )
        row = self._parse(_Volunteer, payload)
        return VolunteerProfile(row.volunteer_id, row.name, row.region_code, row.total_hours)

    def activities_near(self, *, region_code: str, on_or_after: datetime.date) -> list[Activity]:
        payload = self._call(
            "GET",
            "/v1/activities",
            query={"region_code": region_code, "from": on_or_after.isoformat()},
        )
        return [_activity(row) for row in self._parse(_Activities, payload).activities]

    def activity_join(self, *, volunteer_id: str, activity_id: str) -> Activity:
        payload = self._call(
            "POST",
            f"/v1/activities/{quote(activity_id, safe='')}/signups",
            body={"volunteer_id": volunteer_id},
        )
        return _activity(self._parse(_Activity, payload))

    def hours_get(self, *, volunteer_id: str) -> VolunteerHours:
        payload = self._call("GET", f"/v1/volunteers/{quote(volunteer_id, safe='')}/hours")
        row = self._parse(_Hours, payload)
        if row.volunteer_id != volunteer_id:
            raise ProviderError("volunteer platform answered for another volunteer")
        records = tuple(
            ServiceRecord(r.record_id, r.activity_id, r.title, r.served_on, r.hours, r.organiser)
            for r in row.records
        )
        if abs(sum(r.hours for r in records) - row.total_hours) > 0.05:
            raise ProviderError("volunteer platform hours do not add up")
        return VolunteerHours(row.volunteer_id, row.total_hours, records)
