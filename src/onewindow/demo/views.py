"""演示账号 (``/demo/``): the accounts a tour of the demo needs, by role. Only in demo mode;
elsewhere the page does not exist (404)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.core.access import PUBLIC, access
from onewindow.demo import data
from onewindow.demo.companies import demo_companies
from onewindow.demo.selectors import demo_printed_usernames
from onewindow.demo.tours import demo_residents, demo_staff_logins, demo_tours


@access(PUBLIC)
def demo_accounts(request: HttpRequest) -> HttpResponse:
    if not settings.DEMO:
        raise Http404
    tours = demo_tours()
    usernames = list(
        dict.fromkeys(
            [name for tour in tours for step in tour.steps for name in step.usernames]
            + demo_printed_usernames()
        )
    )
    response = render(
        request,
        "demo/accounts.html",
        {
            "residents": demo_residents(),
            "companies": demo_companies(),
            "tours": tours,
            "staff": demo_staff_logins(usernames),
            "password": data.DEMO_STAFF_PASSWORD,
        },
    )
    response["Cache-Control"] = "no-store"  # the TOTP codes change every 30 seconds
    return response
