"""Public API of the catalog: ``GET /api/v1/services`` (search, filters, paging) and
``GET /api/v1/services/{code}`` (the guide and the form schema)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from onewindow.api.errors import ErrorOut
from onewindow.catalog import selectors
from onewindow.catalog.guide import guide_data
from onewindow.catalog.models import localized

router = Router(tags=["services"])


class ServiceFilters(Schema):
    q: str = Field("", max_length=100, description="words in the name, tags or code")
    life_event: str = Field("", max_length=64)
    department: str = Field("", max_length=64, description="department code (branches included)")
    kind: str = Field("", pattern="^(|personal|enterprise)$")
    topic: str = Field("", max_length=64)
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


class ServiceSummary(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    department: str
    department_name: str
    life_events: list[str]
    topics: list[str]
    version: int
    promised_days: int | None
    online_depth: int | None
    summary: str


class ServicePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ServiceSummary]


class ServiceDetail(Schema):
    code: str
    version: int
    guide: dict[str, Any]
    form_schema: dict[str, Any]


@router.get("/services", response=ServicePage, auth=None, summary="Search services")
def list_services(request: HttpRequest, filters: Query[ServiceFilters]) -> dict[str, Any]:
    services = selectors.service_search(
        q=filters.q,
        life_event=filters.life_event,
        department=filters.department,
        kind=filters.kind,
        topic=filters.topic,
    )
    start = (filters.page - 1) * filters.page_size
    rows = list(services[start : start + filters.page_size])
    results = []
    for service in rows:
        version = service.current
        assert version is not None
        definition = version.definition
        results.append(
            {
                "code": service.code,
                "name": service.name,
                "name_en": service.name_en,
                "kind": service.kind,
                "department": service.department.code,
                "department_name": service.department.name,
                "life_events": service.life_events,
                "topics": service.topics,
                "version": version.number,
                "promised_days": (definition.get("time_limit") or {}).get("promised_days"),
                "online_depth": definition.get("online_depth"),
                "summary": localized(definition.get("summary")),
            }
        )
    return {
        "count": services.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": results,
    }


@router.get(
    "/services/{code}",
    response={200: ServiceDetail, 404: ErrorOut},
    auth=None,
    summary="A service's guide",
)
def get_service(request: HttpRequest, code: str) -> dict[str, Any]:
    version = selectors.service_version_current(code=code)
    return {
        "code": code,
        "version": version.number,
        "guide": guide_data(version),
        "form_schema": version.form_schema,
    }
