"""The resident's hotline pages: 我要留言 (describe → the answers and similar requests that may
already settle it → file), the receipt, 我的诉求 and one request, and the public knowledge
base. The operator's console and the knowledge-base editor are in ``console_views``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import client_ip
from onewindow.core.access import PUBLIC, RESIDENT, access
from onewindow.core.calendar import working_days_between
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.interaction.forms import (
    DescribeForm,
    FilingForm,
    client_key_for,
    client_key_new,
    errors_apply,
    filing_from,
)
from onewindow.interaction.models import Request
from onewindow.interaction.selectors import (
    article_get,
    articles_popular,
    articles_search,
    category_id_for_code,
    order_moves_public,
    request_for_user,
    requests_of_user,
    requests_similar,
)
from onewindow.interaction.services import article_used, request_file
from onewindow.interaction.services.intake import request_check
from onewindow.ratings.selectors import rating_summary_for

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

PAGE_SIZE = 20
HITS = 3
RECEIPTS = "interaction_receipts"  # the session's {number: receipt} of requests filed here
RECEIPTS_KEPT = 10
OPEN = (
    Request.Status.REGISTERED,
    Request.Status.DISPATCHED,
    Request.Status.SIGNED,
)


def _bound(request: HttpRequest) -> Any:
    """The POST with a client key (a fresh one if the form came without)."""
    data = request.POST.copy()
    if not data.get("client_key"):
        data["client_key"] = client_key_new()
    return data


def _checks(form: DescribeForm) -> dict[str, Any]:
    """What may already settle it: knowledge-base answers and open requests nearby."""
    content = form.value("content")
    region = form.value("region_code")
    code = form.value("category_code")
    return {
        "hits": articles_search(text=content, limit=HITS),
        "similar": requests_similar(
            text=content,
            region_code=region,
            category_id=category_id_for_code(code=code) if code else None,
            street_code=form.value("street_code"),
            limit=HITS,
        ),
    }


def _remember(request: HttpRequest, filed: Request) -> None:
    receipts = dict(request.session.get(RECEIPTS) or {})
    receipts[filed.number] = {
        "kind": str(filed.get_kind_display()),
        "title": filed.title,
        "due": filed.answer_due.isoformat() if filed.answer_due else "",
        "anonymous": filed.anonymous,
        "merged_into": filed.merged_into.number
        if filed.merged_into_id and filed.merged_into
        else "",
    }
    request.session[RECEIPTS] = dict(list(receipts.items())[-RECEIPTS_KEPT:])


CARRIED = (
    "client_key",
    "kind",
    "category_code",
    "region_code",
    "street_code",
    "community_code",
    "content",
)


def _render_new(
    request: HttpRequest, form: DescribeForm, *, step: str, status: int = 200, **extra: Any
) -> HttpResponse:
    # what the first step said, carried by the buttons that file without the full form
    carried = [(name, form.value(name)) for name in CARRIED]
    context = {"form": form, "step": step, "carried": carried, **extra}
    return render(request, "interaction/new.html", context, status=status)


@access(RESIDENT)
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我要留言: describe the problem; see what may already answer it; file it, or join an
    open request nearby, or say the answer was enough."""
    if request.method != "POST":
        kind = request.GET.get("kind", "")
        form = DescribeForm(initial={"client_key": client_key_new(), "kind": kind})
        return _render_new(request, form, step="describe")
    step = request.POST.get("step", "")
    if step == "solved":
        return _solved(request)
    data = _bound(request)
    if step == "file":
        return _file(request, FilingForm(data, request.FILES))
    form = DescribeForm(data)
    if not form.is_valid():
        return _render_new(request, form, step="describe", status=400)
    filing = filing_from(form.cleaned_data)
    try:
        request_check(user=request.user, channel=Request.Channel.WEB, filing=filing)
    except ValidationFailed as exc:
        errors_apply(form, exc)
        return _render_new(request, form, step="describe", status=400)
    if step == "join":
        return _join(request, form)
    full = FilingForm(initial=form.cleaned_data)
    return _render_new(request, full, step="file", **_checks(form))


def _file(request: AuthenticatedHttpRequest, form: FilingForm) -> HttpResponse:
    if not form.is_valid():
        return _render_new(request, form, step="file", status=400, **_checks(form))
    uploads = list(form.cleaned_data.get("attachments") or [])
    raw_key = form.cleaned_data.get("client_key") or ""
    filing = filing_from(
        form.cleaned_data, uploads=uploads, client_key=client_key_for(request.user, raw_key)
    )
    try:
        filed = request_file(
            user=request.user, channel=Request.Channel.WEB, filing=filing, ip=client_ip(request)
        )
    except ValidationFailed as exc:
        errors_apply(form, exc, files=uploads)
        return _render_new(request, form, step="file", status=400, **_checks(form))
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
        return _render_new(request, form, step="file", status=exc.status, **_checks(form))
    _remember(request, filed)
    return redirect("interaction:receipt", number=filed.number)


def _join(request: AuthenticatedHttpRequest, form: DescribeForm) -> HttpResponse:
    number = request.POST.get("join_number", "").strip()
    raw_key = form.cleaned_data.get("client_key") or ""
    filing = filing_from(form.cleaned_data, client_key=client_key_for(request.user, raw_key))
    try:
        filed = request_file(
            user=request.user,
            channel=Request.Channel.WEB,
            filing=filing,
            join_number=number,
            ip=client_ip(request),
        )
    except ValidationFailed as exc:
        full = FilingForm(initial=form.cleaned_data)
        errors = [str(e.message) for e in exc.errors or ()] or [str(exc.message)]
        return _render_new(
            request, full, step="file", status=400, join_errors=errors, **_checks(form)
        )
    _remember(request, filed)
    return redirect("interaction:receipt", number=filed.number)


def _solved(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The resident found an answer enough: counted once per form, nothing filed."""
    raw = request.POST.get("article_id", "")
    article = article_get(article_id=int(raw)) if raw.isdigit() else None
    if article is None:
        raise Http404
    counted = set(request.session.get("interaction_solved") or [])
    mark = f"{request.POST.get('client_key', '')}:{article.id}"
    if mark not in counted:
        article_used(article_id=article.id)
        request.session["interaction_solved"] = [*list(counted)[-20:], mark]
    messages.success(request, _("很高兴问题已经解决，您的留言没有提交。"))
    return redirect("interaction:answers")


@access(RESIDENT)
def receipt(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The receipt (受理回执): the order number and when the answer is due."""
    found = (request.session.get(RECEIPTS) or {}).get(number)
    if found is None:
        raise Http404
    return render(request, "interaction/receipt.html", {"number": number, "r": found})


def _days_left(req: Request) -> int | None:
    if req.answer_due is None or req.status not in OPEN:
        return None
    return working_days_between(timezone.localdate(), req.answer_due, estimate=True)


@access(RESIDENT)
def mine_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我的诉求: the resident's requests, newest first, each with its state and how many
    working days are left for its answer."""
    page = Paginator(requests_of_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [{"req": r, "days_left": _days_left(r)} for r in page.object_list]
    return render(request, "interaction/mine.html", {"page": page, "rows": rows})


@access(RESIDENT)
def mine_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """One of the resident's requests: what they said, where it is, the answer, the
    attachments, the public timeline."""
    found = request_for_user(user=request.user, number=number)
    if found is None:
        raise Http404
    return render(
        request,
        "interaction/mine_detail.html",
        {
            "req": found,
            "moves": order_moves_public(request=found),
            "attachments": list(found.attachments.all()),
            "days_left": _days_left(found),
            "rating": rating_summary_for(kind="request", ref=found.pk),
        },
    )


@access(PUBLIC)
def answers(request: HttpRequest) -> HttpResponse:
    """The knowledge base (知识库), open to everyone: search it, or see the answers used most."""
    query = (request.GET.get("q") or "").strip()[:200]
    hits = articles_search(text=query, limit=10) if query else articles_popular(limit=10)
    return render(request, "interaction/answers.html", {"q": query, "hits": hits})
