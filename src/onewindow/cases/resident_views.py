"""Resident pages: apply (start → form → materials → check your answers → submit), my cases,
the case page (progress, parallel branches, supplements, withdraw, the link to rate it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from onewindow.appointments.selectors import case_needs_appointment
from onewindow.audit.services import Actor
from onewindow.cases import selectors, services
from onewindow.cases.forms import (
    attach_errors,
    build_fields,
    flat_answers,
    masked_answers,
    parse_post,
    question_label,
)
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.party_selectors import consent_requests_for
from onewindow.cases.party_views import lock_fields
from onewindow.cases.repeat_selectors import repeat_notice
from onewindow.cases.services.materials import material_specs
from onewindow.cases.services.submission import service_kind
from onewindow.catalog.selectors import service_version_in_force
from onewindow.core.access import RESIDENT, access
from onewindow.core.errors import ApplicationError
from onewindow.core.numbers import parse_id
from onewindow.identity.selectors import companies_for_person, person_for_user
from onewindow.licences.selectors import licence_related
from onewindow.ratings.selectors import rating_summary_for

if TYPE_CHECKING:
    from onewindow.catalog.models import ServiceVersion
    from onewindow.identity.http import AuthenticatedHttpRequest

# The case page shows the latest timeline entries; earlier ones fold behind a <details>.
RECENT_ENTRIES = 4

STEPS = [("form", "填写申请表"), ("materials", "上传材料"), ("review", "核对并提交")]


def _steps(current: str, case: Case | None = None) -> list[dict[str, Any]]:
    steps = list(STEPS)
    if case is not None and case_needs_appointment(case):
        steps.insert(2, ("slot", "预约时段"))
    return [
        {"key": key, "label": _(label), "current": key == current, "number": i + 1}
        for i, (key, label) in enumerate(steps)
    ]


def _draft(request: AuthenticatedHttpRequest, case_id: int) -> Case:
    case = selectors.draft_for_user(user=request.user, case_id=case_id)
    if case is None:
        raise Http404
    return case


def _submitted(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse | None:
    """A draft page of an application already submitted (an old link, the back button):
    the case page, with a note saying so."""
    if selectors.draft_for_user(user=request.user, case_id=case_id) is not None:
        return None
    done = selectors.submitted_case_for_user(user=request.user, case_id=case_id)
    if done is None or not done.number:
        return None
    messages.info(
        request,
        _("该申请已提交（办件编号 %(n)s），草稿不能再修改。以下是办件的办理情况。")
        % {"n": done.number},
    )
    return redirect("cases:case_detail", number=done.number)


def _service_version(code: str) -> ServiceVersion:
    version = service_version_in_force(code=code)
    if version is None:
        raise Http404
    return version


@access(RESIDENT)
def apply_start(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    version = _service_version(code)
    person = person_for_user(request.user)
    enterprise = service_kind(version) == "enterprise"
    companies = list(companies_for_person(person=person)) if person and enterprise else []
    error = ""
    if request.method == "POST":
        try:
            case = services.case_draft_start(
                user=request.user,
                service_code=code,
                company_uscc=request.POST.get("company") or None,
                actor=Actor.from_request(request),
            )
            return redirect("cases:draft_" + (case.step or "form"), case_id=case.pk)
        except ApplicationError as exc:
            error = str(exc.message)
    drafts = selectors.cases_for_user(user=request.user).filter(
        status=Case.Status.DRAFT, service_version__service=version.service
    )
    return render(
        request,
        "cases/apply_start.html",
        {
            "version": version,
            "service": version.service,
            "enterprise": enterprise,
            "companies": companies,
            "materials": material_specs(version.definition),
            "drafts": drafts,
            "repeat": repeat_notice(version=version, person=person),  # repeat: of the package
            "error": error,
            "steps": _steps("start"),
        },
        status=400 if error else 200,
    )


@access(RESIDENT)
def draft_form(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    if (moved := _submitted(request, case_id)) is not None:
        return moved
    case = _draft(request, case_id)
    schema = case.service_version.form_schema or {}
    data = case.form_data
    errors = []
    if request.method == "POST":
        data = parse_post(schema, request.POST)
        errors = services.case_draft_save_form(
            user=request.user, case_id=case.pk, data=data, actor=Actor.from_request(request)
        )
        if not errors:
            return redirect("cases:draft_materials", case_id=case.pk)
    fields = build_fields(schema, data)
    lock_fields(case, fields)
    if request.method != "POST":
        _prefill_from_wallet(case, fields)
    loose = attach_errors(fields, errors)
    return render(
        request,
        "cases/draft_form.html",
        {
            "case": case,
            "service": case.service_version.service,
            "fields": fields,
            "loose_errors": loose,
            "has_errors": bool(errors),
            "steps": _steps("form", case),
        },
        status=422 if errors else 200,
    )


def _prefill_from_wallet(case: Case, fields: list[Any]) -> None:
    """Unanswered questions a licence material ties to its licence (``form_fields``, e.g. the
    permit number) filled from the applicant's licence of that type, when they hold exactly
    one usable one; the resident sees where the answer came from and may still change it."""
    from onewindow.licences.selectors import licences_usable

    by_name = {f.name: f for f in fields}
    for spec in material_specs(case.service_version.definition):
        if spec.source != "licence" or not spec.licence_type or not spec.form_fields:
            continue
        empty = [(by_name[n], c) for n, c in spec.form_fields if n in by_name]
        empty = [(f, c) for f, c in empty if f.value in (None, "") and not f.locked]
        if not empty:
            continue
        held = licences_usable(
            licence_type=spec.licence_type,
            person=case.applicant_person if case.applicant_company_id is None else None,
            company=case.applicant_company,
        )
        if len(held) != 1:
            continue
        for item, claim in empty:
            value = (held[0].claims or {}).get(claim)
            if value in (None, ""):
                continue
            item.value = str(value)
            note = _("已从您的电子证照“%(name)s”读取，请核对。") % {"name": spec.name}
            item.help = f"{item.help.rstrip('。.')}。{note}" if item.help else note


def _material_rows(case: Case) -> list[dict[str, Any]]:
    have: dict[str, CaseMaterial] = {
        m.code: m
        for m in case.materials.filter(superseded=False)
        .select_related(*licence_related("licence"))
        .order_by("created_at")
    }
    return [
        {"spec": spec, "file": have.get(spec.code)}
        for spec in material_specs(case.service_version.definition)
    ]


def _licence_choices(case: Case, rows: list[dict[str, Any]]) -> None:
    """For each licence material: the applicant's usable licences of its type, or (holding
    none) the service that issues that type, if the catalogue has one."""
    from onewindow.licences.selectors import licence_issuing_service, licences_usable

    for row in rows:
        spec = row["spec"]
        if spec.source != "licence" or not spec.licence_type:
            continue
        row["licences"] = licences_usable(
            licence_type=spec.licence_type,
            person=case.applicant_person if case.applicant_company_id is None else None,
            company=case.applicant_company,
        )
        for licence in row["licences"]:  # what the form's tied answers must say (form_fields)
            licence.tied = [
                (question_label(case.service_version.form_schema, field), licence.claims[claim])
                for field, claim in spec.form_fields
                if claim in (licence.claims or {})
            ]
        if not row["licences"]:
            row["issuer"] = licence_issuing_service(licence_type=spec.licence_type)


def _use_licence(request: AuthenticatedHttpRequest, case: Case) -> None:
    code = request.POST.get("code", "")
    licence_id = parse_id(request.POST.get("licence")) or 0
    services.case_material_use_licence(
        user=request.user,
        case_id=case.pk,
        code=code,
        licence_id=licence_id,
        actor=Actor.from_request(request),
    )
    messages.success(request, _("已选用电子证照。"))


@access(RESIDENT)
def draft_materials(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    if (moved := _submitted(request, case_id)) is not None:
        return moved
    case = _draft(request, case_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        actor = Actor.from_request(request)
        try:
            if request.POST.get("remove"):
                services.case_material_remove(
                    user=request.user,
                    case_id=case.pk,
                    material_id=parse_id(request.POST["remove"]) or 0,
                    actor=actor,
                )
            elif request.POST.get("next"):
                services.case_draft_set_step(user=request.user, case_id=case.pk, step="review")
                if case_needs_appointment(case):  # pick a slot before checking the answers
                    return redirect("cases:draft_slot", case_id=case.pk)
                return redirect("cases:draft_review", case_id=case.pk)
            elif request.POST.get("action") == "licence":
                _use_licence(request, case)
                return redirect("cases:draft_materials", case_id=case.pk)
            else:
                code = request.POST.get("code", "")
                upload = request.FILES.get("file")
                if upload is None:
                    errors[code] = _("请选择要上传的文件。")
                else:
                    services.case_material_attach(
                        user=request.user,
                        case_id=case.pk,
                        code=code,
                        upload=upload,
                        filename=upload.name or "",
                        size=upload.size,
                        actor=actor,
                    )
                    messages.success(request, _("已上传。"))
                    return redirect("cases:draft_materials", case_id=case.pk)
        except ApplicationError as exc:
            key = (exc.field or "").removeprefix("material.") or request.POST.get("code", "")
            errors[key] = str(exc.message)
    rows = _material_rows(case)
    _licence_choices(case, rows)
    for row in rows:
        row["error"] = errors.get(row["spec"].code, "")
    return render(
        request,
        "cases/draft_materials.html",
        {
            "case": case,
            "service": case.service_version.service,
            "rows": rows,
            "steps": _steps("materials", case),
        },
        status=422 if errors else 200,
    )


@access(RESIDENT)
def draft_review(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            case = services.case_submit(
                user=request.user,
                case_id=case_id,
                token=request.POST.get("token", ""),
                actor=Actor.from_request(request),
            )
            messages.success(request, _("申请已提交，办件编号 %(n)s。") % {"n": case.number})
            return redirect("cases:case_detail", number=case.number)
        except services.CaseNotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            draft = selectors.draft_for_user(user=request.user, case_id=case_id)
            if draft is None:  # submitted meanwhile (a double click): show that case
                done = Case.objects.filter(pk=case_id, created_by_id=request.user.pk).first()
                if done is not None and done.number:
                    return redirect("cases:case_detail", number=done.number)
                raise Http404 from exc
            return _review(request, draft, errors=exc.errors, status=exc.status)
    if (moved := _submitted(request, case_id)) is not None:
        return moved
    return _review(request, _draft(request, case_id))


def _review(
    request: HttpRequest, case: Case, *, errors: Any = (), status: int = 200
) -> HttpResponse:
    fields = build_fields(case.service_version.form_schema or {}, case.form_data)
    loose = attach_errors(fields, list(errors))
    rows = _material_rows(case)
    at_material = {
        (e.field or "").removeprefix("material."): str(e.message)
        for e in errors
        if (e.field or "").startswith("material.")
    }
    for row in rows:
        row["error"] = at_material.get(row["spec"].code, "")
    return render(
        request,
        "cases/draft_review.html",
        {
            "case": case,
            "service": case.service_version.service,
            "answers": flat_answers(fields),
            "rows": rows,
            "errors": [str(e.message) for e in errors],
            "loose": loose,
            "steps": _steps("review", case),
            "deadline_days": ((case.service_version.definition or {}).get("time_limit") or {}).get(
                "promised_days"
            ),
        },
        status=status,
    )


@access(RESIDENT)
def draft_discard(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    if (moved := _submitted(request, case_id)) is not None:
        return moved
    case = _draft(request, case_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.case_draft_discard(
            user=request.user, case_id=case.pk, actor=Actor.from_request(request)
        )
        messages.info(request, _("草稿已删除。"))
        return redirect("cases:my_cases")
    return redirect("cases:draft_form", case_id=case.pk)


@access(RESIDENT)
def my_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    cases = list(selectors.cases_for_user(user=request.user)[:100])
    return render(
        request,
        "cases/my_cases.html",
        {
            "drafts": [c for c in cases if c.status == Case.Status.DRAFT],
            "cases": [c for c in cases if c.status != Case.Status.DRAFT],
            "consents": consent_requests_for(user=request.user).count(),
        },
    )


def _own_case(request: AuthenticatedHttpRequest, number: str) -> Case:
    case = selectors.case_for_user(user=request.user, number=number)
    if case is None:
        raise Http404
    return case


@access(RESIDENT)
def case_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    case = _own_case(request, number)
    return _case_page(request, case)


def _case_page(
    request: HttpRequest, case: Case, *, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    fields = build_fields(case.service_version.form_schema or {}, case.form_data)
    supplement_fields = None
    if case.status == Case.Status.SUPPLEMENT:
        supplement_fields = build_fields(case.service_version.form_schema or {}, case.form_data)
        lock_fields(case, supplement_fields, submitted=True)
    rows = _material_rows(case)
    if case.status == Case.Status.SUPPLEMENT:
        _licence_choices(case, rows)
    for row in rows:
        row["error"] = (errors or {}).get(row["spec"].code, "")
    timeline = list(selectors.case_timeline(case, public_only=True))
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "service": case.service_version.service,
            "branches": selectors.case_branches(case),
            "withdrawal": selectors.case_withdrawal(case),
            "timeline": timeline[-RECENT_ENTRIES:],
            "timeline_earlier": timeline[:-RECENT_ENTRIES],
            "requests": selectors.open_supplement_requests(case),
            "answers": masked_answers(fields),
            "supplement_fields": supplement_fields,
            "rows": rows,
            "supplement_url": reverse("cases:case_supplement", kwargs={"number": case.number}),
            "rating": rating_summary_for(kind="case", ref=case.pk),
            "days_left": selectors.working_days_left(case.deadline),
            "errors": errors or {},
        },
        status=status,
    )


@access(RESIDENT)
def case_withdraw(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    case = _own_case(request, number)
    if request.method == "POST" and request.POST.get("confirm") != "yes":
        messages.warning(request, _("申请未撤回：请在“撤回申请”下点击“确认撤回”。"))
    elif request.method == "POST":
        try:
            services.case_withdraw(
                user=request.user,
                case_id=case.pk,
                reason=request.POST.get("reason", ""),
                actor=Actor.from_request(request),
            )
            messages.info(request, _("申请已撤回。"))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
    return redirect("cases:case_detail", number=case.number)


@access(RESIDENT)
def case_supplement(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    case = _own_case(request, number)
    if request.method != "POST":
        return redirect("cases:case_detail", number=case.number)
    actor = Actor.from_request(request)
    try:
        if request.POST.get("action") == "licence":
            _use_licence(request, case)
        elif request.POST.get("action") == "upload":
            upload = request.FILES.get("file")
            code = request.POST.get("code", "")
            if upload is None:
                return _case_page(
                    request, case, errors={code: _("请选择要上传的文件。")}, status=422
                )
            services.case_material_attach(
                user=request.user,
                case_id=case.pk,
                code=code,
                upload=upload,
                filename=upload.name or "",
                size=upload.size,
                actor=actor,
            )
            messages.success(request, _("已上传。"))
        else:
            data = parse_post(case.service_version.form_schema or {}, request.POST)
            services.case_supplement_submit(
                user=request.user,
                case_id=case.pk,
                form_data=data,
                note=request.POST.get("note", ""),
                actor=actor,
            )
            messages.success(request, _("补正已提交，办件继续办理。"))
    except ApplicationError as exc:
        case.refresh_from_db()
        errs = {(e.field or "").removeprefix("material."): str(e.message) for e in exc.errors}
        return _case_page(request, case, errors=errs, status=exc.status)
    return redirect("cases:case_detail", number=case.number)


@access(RESIDENT)
def case_material_download(
    request: AuthenticatedHttpRequest, number: str, material_id: int
) -> HttpResponse:
    case = _own_case(request, number)
    material = case.materials.filter(pk=material_id).exclude(file="").first()
    if material is None:
        raise Http404
    response = FileResponse(
        default_storage.open(material.file, "rb"),
        content_type=material.content_type,
        as_attachment=True,
        filename=material.original_name or material.file.rsplit("/", 1)[-1],
    )
    return cast(HttpResponse, response)  # streamed; the access decorator types HttpResponse
