"""The project's URLs plus one empty view, the baseline the other measurements are divided
by. Used only through ``bench.settings``."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from onewindow.core.access import PUBLIC, access


@access(PUBLIC)
def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"", content_type="text/plain")


urlpatterns = [
    path("bench/empty", empty, name="bench_empty"),
    path("", include("onewindow.config.urls")),
]
