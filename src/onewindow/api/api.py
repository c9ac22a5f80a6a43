"""The HTTP API at /api/v1/, assembled from each app's api.py routers."""

from __future__ import annotations

from ninja import NinjaAPI

from onewindow.api.errors import install_error_handlers

api = NinjaAPI(
    title="OneWindow API",
    version="1.0.0",
    description="一网通办 OneWindow: the e-government platform's HTTP API.",
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)
