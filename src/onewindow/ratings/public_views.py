"""The public's pages of ratings: the statistics (好差评公开, no sign-in: tables, and charts
when the build copied ECharts in) and the rater's one rating of a rectification's fix
(追评), signed in or through the SMS's one-time link."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.core.access import PUBLIC, RESIDENT, access
from onewindow.core.errors import ApplicationError
from onewindow.core.forms import apply_errors
from onewindow.ratings.models import Level
from onewindow.ratings.selectors.rectify import (
    RectificationView,
    rectification_for_link,
    rectification_for_rater,
)
from onewindow.ratings.selectors.stats import LEVELS, StatsRow, ratings_stats, recent_months
from onewindow.ratings.services.rectify_fix import (
    rectification_fix_rate,
    rectification_fix_rate_by_link,
)

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

CHARTS_JS = "ratings/vendor/echarts.min.js"


def charts_available() -> bool:
    """True when the build copied ECharts into the static folder (``make install``)."""
    return bool(finders.find(CHARTS_JS))


def _chart(rows: tuple[StatsRow, ...], limit: int = 15) -> dict[str, Any]:
    """The chart's data: the rows' rating counts by level (the table says the same)."""
    shown = rows[:limit]
    labels = dict(Level.choices)
    return {
        "names": [row.name for row in shown],
        "series": [
            {"name": str(labels[level]), "level": level, "data": [row.levels[i] for row in shown]}
            for i, level in enumerate(LEVELS)
        ],
    }


@access(PUBLIC)
def stats(request: HttpRequest) -> HttpResponse:
    months = recent_months()
    month = request.GET.get("month", "")
    if month not in months:
        month = ""
    data = ratings_stats(month=month)
    drawn = charts_available() and bool(data.departments)
    return render(
        request,
        "ratings/stats.html",
        {
            "stats": data,
            "month": month,
            "months": months,
            "levels": [(level, dict(Level.choices)[level]) for level in LEVELS],
            "charts": drawn,
            "charts_js": CHARTS_JS,
            "department_chart": _chart(data.departments) if drawn else None,
            "service_chart": _chart(data.services) if drawn else None,
        },
    )


class FixRateForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("您对整改结果的满意程度"),
        choices=[(level, label) for level, label in sorted(Level.choices, reverse=True)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择对整改结果的满意程度。")},
    )
    text = forms.CharField(
        label=gettext_lazy("补充说明（选填）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )


def _rate(request: HttpRequest, form: FixRateForm, move: Any, *, again: str) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        move(form.cleaned_data)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, _("感谢您的评价！整改已办结。"))
    return redirect(again)


def _page(
    request: HttpRequest,
    item: RectificationView,
    form: FixRateForm,
    *,
    state: str = "ok",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "ratings/fix_rate.html",
        {"item": item, "form": form, "state": state, "rateable": item.status == "answered"},
        status=status,
    )


@access(RESIDENT)
def fix(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The signed-in rater's page of the department's answer, and the fix's rating."""
    item = rectification_for_rater(rectification_id=pk, user_id=request.user.pk)
    if item is None:
        raise Http404
    form = FixRateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _rate(
            request,
            form,
            lambda d: rectification_fix_rate(
                user=request.user, rectification_id=pk, level=d["level"], text=d["text"]
            ),
            again=request.path,
        )
        if done is not None:
            return done
        item = rectification_for_rater(rectification_id=pk, user_id=request.user.pk) or item
        return _page(request, item, form, status=400)
    return _page(request, item, form)


@access(PUBLIC)
def fix_link(request: HttpRequest, token: str) -> HttpResponse:
    """The same page through the SMS's one-time link (no sign-in); spent once used."""
    found = rectification_for_link(token=token)
    if found is None:
        raise Http404
    form = FixRateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and found.state == "ok":
        done = _rate(
            request,
            form,
            lambda d: rectification_fix_rate_by_link(token=token, level=d["level"], text=d["text"]),
            again=request.path,
        )
        if done is not None:
            return done
        found = rectification_for_link(token=token) or found
        return _page(request, found.rectification, form, state=found.state, status=400)
    return _page(request, found.rectification, form, state=found.state)
