"""The project's URLs plus trivial views the other measurements are divided by: an
anonymous empty view (the baseline), a logged-in one (the session read and the resident
loaded, nothing else: the floor of any resident's page) and its staff twin (the session, the
account and its second factor, then one row selected by its primary key: the floor of any
staff page). Used only through ``bench.settings``."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from onewindow.core.access import PUBLIC, RESIDENT, STAFF, access


@access(PUBLIC)
def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"", content_type="text/plain")


@access(RESIDENT)
def signed_in(request: HttpRequest) -> HttpResponse:
    """The resident's session is read and their account loaded (``@access`` checks its kind)."""
    return HttpResponse(str(request.user.pk).encode(), content_type="text/plain")


@access(STAFF)
def staff_pk(request: HttpRequest) -> HttpResponse:
    """A verified staff member's session and account (``@access`` checks the second factor),
    then one hotline order selected by its primary key (``?id=``)."""
    from onewindow.interaction.models import Request

    pk = int(request.GET.get("id", "0") or 0)
    found = Request.objects.filter(pk=pk).order_by().values_list("number", flat=True)[:1]
    return HttpResponse(next(iter(found), "").encode(), content_type="text/plain")


urlpatterns = [
    path("bench/empty", empty, name="bench_empty"),
    path("bench/signed-in", signed_in, name="bench_signed_in"),
    path("bench/staff-pk", staff_pk, name="bench_staff_pk"),
    path("", include("onewindow.config.urls")),
]
