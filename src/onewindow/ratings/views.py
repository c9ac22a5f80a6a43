"""The resident's rating pages: what they may rate and rated (``/ratings/``), one subject's
rating page for its signed-in rater, and the one-time link of the invitation, which needs no
sign-in (``/ratings/r/<token>/``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor
from onewindow.core.access import PUBLIC, RESIDENT, access
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.ratings import selectors, services
from onewindow.ratings.forms import RatingForm, posted, rating_form
from onewindow.ratings.models import Rating, Subject

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

# the link's token is in the address: it is not sent on to other sites ("no-referrer" would
# make the browser send the form with Origin: null, which the CSRF check refuses)
NO_REFERRER = "same-origin"


def _errors(exc: ValidationFailed) -> dict[str, str]:
    out: dict[str, str] = {}
    for error in exc.errors:
        out.setdefault(error.field or "", str(error.message))
    return out


def _page(
    request: HttpRequest,
    subject: Subject,
    *,
    form: RatingForm | None,
    by_link: bool,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "subject": subject,
        "summary": selectors.summary_of(subject),
        "form": form,
        "by_link": by_link,
    }
    response = render(request, "ratings/rate.html", context, status=status)
    response["Referrer-Policy"] = NO_REFERRER
    return response


@access(RESIDENT)
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我的评价: what the resident may still rate, and what they rated."""
    return render(
        request,
        "ratings/mine.html",
        {
            "to_rate": selectors.subjects_to_rate_for(user=request.user),
            "rated": selectors.subjects_rated_by(user=request.user),
        },
    )


@access(RESIDENT)
def rate(request: AuthenticatedHttpRequest, subject_id: int) -> HttpResponse:
    """Rate one concluded case or request, as its rater; once rated, the rating."""
    subject = selectors.subject_for_rater(user=request.user, subject_id=subject_id)
    if subject is None:
        raise Http404
    rated = hasattr(subject, "rating")
    if request.method != "POST" or rated:
        if request.method == "POST":
            messages.info(request, _("您已评价过，每件事只能评价一次。"))
            return redirect("ratings:rate", subject_id=subject.pk)
        form = None if rated else rating_form(channel=subject.channel)
        return _page(request, subject, form=form, by_link=False)
    try:
        services.rating_submit(
            user=request.user,
            subject_id=subject.pk,
            via=Rating.Via.WEB,
            actor=Actor.from_request(request),
            **posted(request.POST, channel=subject.channel),
        )
    except ValidationFailed as exc:
        form = rating_form(channel=subject.channel, data=request.POST, errors=_errors(exc))
        return _page(request, subject, form=form, by_link=False, status=exc.status)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("ratings:rate", subject_id=subject.pk)
    messages.success(request, _("感谢您的评价。"))
    return redirect("ratings:rate", subject_id=subject.pk)


def _gone(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    response = render(
        request, "ratings/link_gone.html", {"message": exc.message}, status=exc.status
    )
    response["Referrer-Policy"] = NO_REFERRER
    return response


@access(PUBLIC)
def link(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation's one-time link: rate without signing in; the link is used up by the
    rating, and says so when it is used or expired."""
    try:
        subject = selectors.subject_for_link(token=token)
    except (services.LinkNotFound, services.LinkGone) as exc:
        return _gone(request, exc)
    if hasattr(subject, "rating"):  # rated meanwhile on the web
        return _gone(request, services.AlreadyRated())
    if request.method != "POST":
        return _page(request, subject, form=rating_form(channel=subject.channel), by_link=True)
    try:
        services.rating_submit(
            token=token,
            actor=Actor.from_request(request),
            via=Rating.Via.SMS_LINK,
            **posted(request.POST, channel=subject.channel),
        )
    except ValidationFailed as exc:
        form = rating_form(channel=subject.channel, data=request.POST, errors=_errors(exc))
        return _page(request, subject, form=form, by_link=True, status=exc.status)
    except ApplicationError as exc:
        return _gone(request, exc)
    return redirect("ratings:thanks")


@access(PUBLIC)
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "ratings/thanks.html")
