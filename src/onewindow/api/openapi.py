"""The OpenAPI document says every answer an operation can give, not only its successes.

Each router declares its own outcomes (its 200s and the refusals of its use case: 403, 404,
409, 429). The answers the API layer itself gives are added here from the operation's shape,
so they cannot be forgotten on a new operation:

- 400: the body is not JSON, or not the form it claims to be (operations with a body, and
  every unsafe operation a session may call: its CSRF check reads the form);
- 401: no session and no valid bearer token (operations that need either);
- 403: a session request without its CSRF token (unsafe operations that need a login);
- 413: a body over ``API_MAX_BODY_BYTES`` (every operation: the guard refuses it first);
- 422: a field or parameter that does not validate (operations that take any).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from onewindow.api.errors import ErrorOut

UNSAFE = {"post", "put", "patch", "delete"}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}

DESCRIPTIONS = {
    400: "The body is not JSON (`json_invalid`) or not readable as the form its Content-Type "
    "claims (`malformed_body`), or the request is refused as it stands",
    401: "No session and no valid bearer token (`unauthenticated`)",
    403: "Not allowed for this account, or a session request without its CSRF token "
    "(`csrf_failed`)",
    404: "Not found, or not yours to see",
    409: "Conflicts with the current state",
    413: "The body is over the size limit (`body_too_large`)",
    415: "The body is not `application/json`",
    422: "A field or parameter is missing or invalid; `field` names it",
    429: "Too many requests; `Retry-After` says in how many seconds to try again",
}

SECURITY_SCHEMES = {
    "SessionAuth": (
        "The browser session of the portal (cookie `sessionid`, from `POST "
        "/api/v1/auth/sms-login` or the pages' login). Unsafe methods (POST) also need the "
        "CSRF token: the `csrftoken` cookie's value in the `X-CSRFToken` header; without it "
        "the answer is 403 `csrf_failed`."
    ),
    "BearerAuth": (
        "`Authorization: Bearer ow_…`: an API token issued to a department system. No CSRF "
        "token is needed: the header is not sent by a browser on its own."
    ),
}


def _error_response(status: int, description: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description or DESCRIPTIONS[status],
        "content": {"application/json": {"schema": ERROR_REF}},
    }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}
        }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "seconds to wait",
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            }
        }
    return response


def _validated(parameter: dict[str, Any]) -> bool:
    """Whether ninja can refuse this parameter's value (422): anything but a free string
    in the path (a path always has its segment)."""
    schema = parameter.get("schema") or {}
    free_string = schema.get("type") == "string" and not (
        set(schema) & {"pattern", "maxLength", "minLength", "format", "enum"}
    )
    if parameter.get("in") == "path":
        return not free_string
    return bool(parameter.get("required")) or not free_string


def _add(responses: dict[str, Any], status: int) -> None:
    key = str(status)
    if key not in responses:
        responses[key] = _error_response(status)
    else:
        responses[key]["description"] = DESCRIPTIONS.get(status, responses[key]["description"])


def complete_contract(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    if "ErrorOut" not in schemas:
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(error_schema.pop("$defs", {}))
        schemas["ErrorOut"] = error_schema
    for name, description in SECURITY_SCHEMES.items():
        if name in components.get("securitySchemes", {}):
            components["securitySchemes"][name]["description"] = description
    limit = settings.API_MAX_BODY_BYTES
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = {str(k): v for k, v in operation.get("responses", {}).items()}
            secured = bool(operation.get("security"))
            unsafe = method in UNSAFE
            body = "requestBody" in operation
            if body or (secured and unsafe):
                _add(responses, 400)
            if secured:
                _add(responses, 401)
            if secured and unsafe:
                _add(responses, 403)
            elif "403" in responses:  # the use case's refusal alone: no CSRF check here
                responses["403"]["description"] = "Not allowed for this account"
            _add(responses, 413)
            # An operation that reads its request itself (the signed exchange gateway) says so.
            validated = not operation.pop("x-unvalidated", False)
            if validated and (body or any(_validated(p) for p in operation.get("parameters", []))):
                _add(responses, 422)
            for status in (404, 409, 415, 429):
                if str(status) in responses:
                    _add(responses, status)
            responses["413"]["description"] = f"{DESCRIPTIONS[413]}: {limit} bytes"
            operation["responses"] = dict(sorted(responses.items()))  # str keys
    return schema


class OneWindowAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        complete_contract(schema)
        return schema
