"""The request of a view that only a logged-in account reaches.

A view behind ``@access(RESIDENT)``, ``@access(STAFF)`` or ``@access(OPERATOR)`` (and the
helpers it hands its request to) annotates it ``AuthenticatedHttpRequest``: ``request.user``
is then a ``User``, never the anonymous visitor. For annotations only (import it under
``TYPE_CHECKING``); ``access`` is what enforces it."""

from __future__ import annotations

from django.http import HttpRequest

from onewindow.identity.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
