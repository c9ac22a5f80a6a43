"""The HTTP API at /api/v1/, assembled from each app's api.py routers.

Every operation requires a session or a bearer token unless it says ``auth=None``; the
authorisation test lists the operations that are public on purpose."""

from __future__ import annotations

from onewindow.api.auth import session_or_bearer
from onewindow.api.errors import install_error_handlers
from onewindow.api.openapi import OneWindowAPI

api = OneWindowAPI(
    title="OneWindow API",
    version="1.0.0",
    description="一网通办 OneWindow: the e-government platform's HTTP API.",
    urls_namespace="api",
    docs_url="/docs",
    auth=session_or_bearer,
)
install_error_handlers(api)
api.add_router("/", "onewindow.identity.api.router")
api.add_router("/", "onewindow.catalog.api.router")
api.add_router("/", "onewindow.cases.api.router")
api.add_router("/", "onewindow.cases.api.tasks_router")
api.add_router("/", "onewindow.appointments.api.router")
api.add_router("/", "onewindow.exchange.api.router")
api.add_router("/", "onewindow.licences.api.router")
api.add_router("/", "onewindow.portal.api.router")
api.add_router("/", "onewindow.interaction.api.router")
api.add_router("/", "onewindow.ratings.api.router")
