"""Public pages: the service list (search and filters) and the service guide."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.catalog import browse, selectors
from onewindow.catalog.guide import called_diagrams, guide_data
from onewindow.catalog.models import Service
from onewindow.core.access import PUBLIC, access
from onewindow.core.errors import NotFound
from onewindow.core.guide_panels import guide_panels_for

VIEWER_JS = "catalog/vendor/bpmn-viewer.production.min.js"
PAGE_SIZE = 20


def diagram_available() -> bool:
    """True when the build copied bpmn-js into the static folder (``make assets``)."""
    return bool(finders.find(VIEWER_JS))


VIEWS = ("topics", "life_events", "all")


@access(PUBLIC)
def service_list(request: HttpRequest) -> HttpResponse:
    """Find a service: search results and filters as a list in name order (pinyin for
    Chinese); with nothing asked, every service grouped by topic or by life event."""
    params = {
        "q": request.GET.get("q", "").strip()[:100],
        "life_event": request.GET.get("life_event", "").strip()[:64],
        "topic": request.GET.get("topic", "").strip()[:64],
        "department": request.GET.get("department", "").strip()[:64],
        "kind": request.GET.get("kind", "").strip()[:16],
    }
    if params["kind"] not in {"", *Service.Kind.values}:
        params["kind"] = ""
    filtered = any(params.values())
    view = request.GET.get("view", "")
    if view not in VIEWS or filtered:
        view = "all" if filtered else "topics"
    services = browse.services_sorted(selectors.service_search(**params))
    asked = {k: v for k, v in params.items() if v}
    query = urlencode(asked if filtered else {"view": view})
    life_events = selectors.vocabulary_choices("life_events")
    context = {
        "params": params,
        "query": query,
        "filtered": filtered,
        "view": view,
        "total": len(services),
        "life_events": life_events,
        "topics": selectors.vocabulary_choices("topics"),
        "departments": selectors.departments_with_services(),
        "kinds": Service.Kind.choices,
    }
    if view == "all":
        page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        # a service found by another name says so (a note before a bare name)
        context["results"] = [
            {
                "service": s,
                "aliases": sorted(
                    browse.aliases_matched(s.current.definition if s.current else {}, params["q"]),
                    key=lambda alias: not alias.note,
                ),
            }
            for s in page.object_list
        ]
    else:
        by: browse.GroupBy = "topics" if view == "topics" else "life_events"
        context["groups"] = browse.service_groups(services, by=by)
    return render(request, "catalog/service_list.html", context)


@access(PUBLIC)
def service_guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        service = selectors.service_get(code=code)
    except NotFound:
        raise Http404(code) from None
    version = service.current
    assert version is not None
    guide = guide_data(version)
    drawn = diagram_available()
    context = {
        "service": service,
        "version": version,
        "guide": guide,
        # bpmn-js can draw only documents with diagram interchange (what modelers write).
        "diagram": drawn and "BPMNDiagram" in version.bpmn,
        # the processes call activities call, each in a viewer of its own
        "called_diagrams": called_diagrams(version, steps=guide["steps"]) if drawn else [],
        "viewer_js": VIEWER_JS,
        # what other apps show of the service (its ratings …), each a template of its own
        "panels": guide_panels_for(service_code=service.code),
    }
    return render(request, "catalog/service_guide.html", context)
