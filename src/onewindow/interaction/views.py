"""Pages of the hotline: residents, operators, dispatchers and departments."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.core.access import RESIDENT, access
from onewindow.interaction.selectors import (
    order_moves_public,
    request_for_user,
    requests_of_user,
)

PAGE_SIZE = 20


@access(RESIDENT)
def mine_list(request: HttpRequest) -> HttpResponse:
    """我的诉求: the resident's requests, newest first."""
    page = Paginator(requests_of_user(user=request.user), PAGE_SIZE).get_page(  # type: ignore[arg-type]
        request.GET.get("page")
    )
    return render(request, "interaction/mine.html", {"page": page})


@access(RESIDENT)
def mine_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One of the resident's requests: what they said, where it is, the answer, the timeline."""
    found = request_for_user(user=request.user, number=number)  # type: ignore[arg-type]
    if found is None:
        raise Http404
    return render(
        request,
        "interaction/mine_detail.html",
        {"req": found, "moves": order_moves_public(request=found)},
    )
