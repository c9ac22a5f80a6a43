"""The hotline operator's console (受理台) and the knowledge-base editor.

The console is one form that keeps what the operator typed across every step of the call:
look up the caller's earlier requests by phone, search the knowledge base, take an answer
from it, then answer a consultation at once (直接答复) or register the request for dispatch
(登记派单). It works without JavaScript: each step is a button of the same form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onewindow.audit.services import client_ip
from onewindow.core.access import STAFF, access
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.identity.selectors import departments_by_ids, staff_permission_department_ids
from onewindow.interaction.forms import (
    ArticleForm,
    ConsoleForm,
    client_key_for,
    client_key_new,
    errors_apply,
    filing_from,
)
from onewindow.interaction.models import Request
from onewindow.interaction.selectors import (
    article_get,
    article_of_departments,
    articles_of_departments,
    articles_search,
    requests_by_phone,
)
from onewindow.interaction.services import article_save, request_answer_direct, request_file

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

CONSOLE_PERMISSION = "interaction.add_request"
KNOWLEDGE_PERMISSION = "interaction.change_knowledgearticle"
HITS = 5


def _console(
    request: AuthenticatedHttpRequest, form: ConsoleForm, *, status: int = 200
) -> HttpResponse:
    data = form.data if form.is_bound else form.initial
    phone = str(data.get("contact_phone") or "").strip()
    query = str(data.get("query") or "").strip() or str(data.get("content") or "").strip()
    return render(
        request,
        "interaction/console.html",
        {
            "form": form,
            "phone": phone,
            "history": requests_by_phone(phone=phone) if phone else None,
            "query": query,
            "hits": articles_search(text=query, limit=HITS) if query else None,
        },
        status=status,
    )


@access(STAFF, perm=CONSOLE_PERMISSION)
def console(request: AuthenticatedHttpRequest) -> HttpResponse:
    """受理台: take a call."""
    if request.method != "POST":
        initial = {
            "client_key": client_key_new(),
            "contact_phone": request.GET.get("phone", "")[:20],
            "query": request.GET.get("q", "")[:200],
            "urgency": "normal",
        }
        return _console(request, ConsoleForm(initial=initial))
    data = request.POST.copy()
    if not data.get("client_key"):
        data["client_key"] = client_key_new()
    action = data.get("action", "")
    chosen = data.get("use_article", "")
    if chosen:
        article = article_get(article_id=int(chosen)) if chosen.isdigit() else None
        if article is not None:
            data["answer"] = article.answer
            data["article_id"] = str(article.id)
        return _console(request, ConsoleForm(data))
    form = ConsoleForm(data)
    if action not in ("answer", "register"):
        return _console(request, form)  # a look-up: the caller's history, the knowledge base
    if not form.is_valid():
        return _console(request, form, status=400)
    cleaned = form.cleaned_data
    filing = filing_from(cleaned, client_key=client_key_for(request.user, cleaned["client_key"]))
    try:
        if action == "answer":
            article_id = cleaned.get("article_id")
            if article_id is not None and article_get(article_id=article_id) is None:
                article_id = None
            filed = request_answer_direct(
                user=request.user,
                filing=filing,
                answer=cleaned.get("answer") or "",
                article_id=article_id,
                ip=client_ip(request),
            )
            messages.success(
                request, _("已直接答复并结束工单 %(number)s。") % {"number": filed.number}
            )
        else:
            filed = request_file(
                user=request.user,
                channel=Request.Channel.PHONE,
                filing=filing,
                ip=client_ip(request),
            )
            messages.success(
                request, _("已登记工单 %(number)s，等待派单。") % {"number": filed.number}
            )
    except ValidationFailed as exc:
        errors_apply(form, exc)
        return _console(request, form, status=400)
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
        return _console(request, form, status=exc.status)
    return redirect("interaction:console")


def _departments(request: AuthenticatedHttpRequest) -> list[tuple[int, str]]:
    ids = staff_permission_department_ids(user_id=request.user.pk, permission=KNOWLEDGE_PERMISSION)
    return [(d.pk, d.name) for d in departments_by_ids(ids=ids)]


@access(STAFF, perm=KNOWLEDGE_PERMISSION)
def knowledge_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """知识库维护: the answers of the departments the staff member keeps."""
    departments = _departments(request)
    rows = articles_of_departments(department_ids={pk for pk, _name in departments})
    return render(
        request,
        "interaction/knowledge_list.html",
        {"articles": rows[:200], "departments": departments},
    )


@access(STAFF, perm=KNOWLEDGE_PERMISSION)
def knowledge_edit(
    request: AuthenticatedHttpRequest, article_id: int | None = None
) -> HttpResponse:
    """Write a new answer, or change one of the staff member's departments'."""
    departments = _departments(request)
    ids = {pk for pk, _name in departments}
    article = None
    if article_id is not None:
        article = article_of_departments(article_id=article_id, department_ids=ids)
        if article is None:
            raise Http404
    initial: dict[str, Any] = {"published": True}
    if article is not None:
        initial = {
            "department_id": article.department_id,
            "title": article.title,
            "answer": article.answer,
            "category_code": article.category.code if article.category else "",
            "keywords": article.keywords,
            "published": article.published,
            "valid_until": article.valid_until,
        }
    posted = request.POST.copy() if request.method == "POST" else None
    if posted is not None and len(departments) == 1 and not posted.get("department_id"):
        posted["department_id"] = str(departments[0][0])  # the only one it can be
    form = ArticleForm(posted, departments=departments, initial=initial)
    status = 200
    if request.method == "POST":
        if not departments:
            form.add_error(None, _("您没有可以维护知识库的部门。"))
            status = 400
        elif form.is_valid():
            data = form.cleaned_data
            try:
                saved = article_save(
                    user=request.user,
                    department_id=data["department_id"],
                    title=data["title"],
                    answer=data["answer"],
                    article_id=article.pk if article is not None else None,
                    category_code=data["category_code"],
                    keywords=data["keywords"],
                    published=data["published"],
                    valid_until=data["valid_until"],
                )
            except ValidationFailed as exc:
                errors_apply(form, exc)
                status = 400
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("已保存：%(title)s") % {"title": saved.title})
                return redirect("interaction:knowledge_list")
        else:
            status = 400
    return render(
        request,
        "interaction/knowledge_form.html",
        {"form": form, "article": article, "departments": departments},
        status=status,
    )
