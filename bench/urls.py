"""The project's URLs plus two trivial views the other measurements are divided by: an
anonymous empty view (the baseline) and a logged-in one (the session read and the resident
loaded, nothing else: the floor of any resident's page). Used only through
``bench.settings``."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from onewindow.core.access import PUBLIC, RESIDENT, access


@access(PUBLIC)
def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"", content_type="text/plain")


@access(RESIDENT)
def signed_in(request: HttpRequest) -> HttpResponse:
    """The resident's session is read and their account loaded (``@access`` checks its kind)."""
    return HttpResponse(str(request.user.pk).encode(), content_type="text/plain")


urlpatterns = [
    path("bench/empty", empty, name="bench_empty"),
    path("bench/signed-in", signed_in, name="bench_signed_in"),
    path("", include("onewindow.config.urls")),
]
