"""One error hierarchy for the whole platform (HackSoft style).

Services raise these; views render them into the form or page, the API renders them as
``{"errors": [{"code", "message", "field"}]}``. Messages are lazily translated so the same
error speaks Chinese or English depending on the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class FieldError:
    code: str
    message: str | Promise
    field: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": str(self.message), "field": self.field}


class ApplicationError(Exception):
    """Base error; ``status`` is the HTTP status the API answers with."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str | Promise = "",
        *,
        code: str | None = None,
        field: str | None = None,
        errors: list[FieldError] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.errors = errors or [FieldError(code=self.code, message=message, field=field)]

    def as_payload(self) -> dict[str, list[dict[str, str | None]]]:
        return {"errors": [error.as_dict() for error in self.errors]}


class ValidationFailed(ApplicationError):
    status = 422
    code = "invalid"


class PermissionDenied(ApplicationError):
    status = 403
    code = "forbidden"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class Conflict(ApplicationError):
    status = 409
    code = "conflict"


class RateLimited(ApplicationError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str | Promise = "", *, retry_after: int = 60, **kw: object):
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after
