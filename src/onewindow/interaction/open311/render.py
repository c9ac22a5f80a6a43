"""GeoReport v2 bodies as JSON or XML, and the specification's error format."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse

# the element each list item is written as in XML, by the list's element
ITEM = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


def _xml(parent: ET.Element, name: str, value: Any) -> None:
    node = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml(node, key, item)
    elif isinstance(value, list):
        for item in value:
            _xml(node, ITEM.get(name, "item"), item)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def respond(fmt: str, root: str, body: Any, *, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(
            body, safe=False, status=status, json_dumps_params={"ensure_ascii": False}
        )
    element = ET.Element(root)
    if isinstance(body, list):
        for item in body:
            _xml(element, ITEM.get(root, "item"), item)
    else:
        for key, item in body.items():
            _xml(element, key, item)
    text = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="unicode")
    return HttpResponse(text, content_type="text/xml; charset=utf-8", status=status)


def error(fmt: str, status: int, description: object) -> HttpResponse:
    return respond(
        fmt, "errors", [{"code": status, "description": str(description)}], status=status
    )
