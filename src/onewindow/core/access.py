"""Access policies for views.

Every view that a URL pattern reaches declares who may use it with ``@access(...)``. The
decorator both enforces the policy and records it on the view, so the authorisation test can
walk every URL pattern and check that nothing is left undeclared.

Policies:
- ``PUBLIC``: anyone.
- ``RESIDENT``: a logged-in natural person (resident account).
- ``STAFF``: a logged-in, OTP-verified staff member; ``perm=`` narrows it to a permission.
- ``OPERATOR``: a platform operator (staff with the operator role), OTP-verified.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse

PUBLIC = "public"
RESIDENT = "resident"
STAFF = "staff"
OPERATOR = "operator"

F = TypeVar("F", bound=Callable[..., HttpResponse])


def _staff_verified(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_authenticated
        and getattr(user, "kind", "") in {"staff", "operator"}
        and bool(getattr(user, "is_verified", lambda: False)())
    )


def allowed(request: HttpRequest, policy: str, perm: str | None = None) -> bool:
    user = request.user
    if policy == PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if policy == RESIDENT:
        return getattr(user, "kind", "") == "resident"
    if policy == STAFF:
        return _staff_verified(request) and (perm is None or user.has_perm(perm))
    if policy == OPERATOR:
        return _staff_verified(request) and user.has_perm("identity.operate_platform")
    raise ValueError(f"unknown access policy {policy!r}")


def _login_url(policy: str) -> str:
    if policy == RESIDENT:
        return reverse(settings.LOGIN_URL)
    return reverse("identity:staff_login")


def forbidden(request: HttpRequest) -> HttpResponse:
    response = render(request, "core/403.html", status=403)
    return response if response else HttpResponseForbidden()


def access(policy: str, *, perm: str | None = None) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if allowed(request, policy, perm):
                return view(request, *args, **kwargs)
            if not request.user.is_authenticated:
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{_login_url(policy)}?{query}")
            return forbidden(request)

        wrapper.access_policy = policy  # type: ignore[attr-defined]
        wrapper.access_perm = perm  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
