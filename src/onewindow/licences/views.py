"""Pages: the resident's licence wallet and PDF, the public verify page, published keys and
status lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from onewindow.core.access import PUBLIC, RESIDENT, access
from onewindow.licences import selectors, services
from onewindow.licences.models import Licence, StatusList
from onewindow.licences.pdf import licence_pdf
from onewindow.licences.selectors import RESULT_LABELS
from onewindow.licences.verification import licence_issuer_name, licence_verify

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

EXPIRED_LABEL = _("已过期")
EXPIRED_HINT = _("该证照已超过有效期，不能作为有效凭证使用。")
RESULT_HINTS = {
    "valid": _("该证照由本平台签发，签名完整且未被撤销。"),
    "revoked": _("该证照已被发证机关撤销，不能作为有效凭证使用。"),
    "altered": _("该证照的内容或签名与签发时不一致，可能被篡改，请勿采信。"),
    "unknown": _("无法识别该证照，它不是本平台签发的电子证照。"),
}


@access(RESIDENT)
def wallet(request: AuthenticatedHttpRequest) -> HttpResponse:
    entries = [
        (
            licence,
            selectors.licence_claim_lines(licence, holder=False),
            licence_issuer_name(licence),
        )
        for licence in selectors.licences_for_user(user=request.user).select_related("department")
    ]
    return render(request, "licences/wallet.html", {"entries": entries})


@access(RESIDENT)
def licence_download(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The licence as a PDF. A revoked licence has none: what it would show is no longer
    true, so the page says when and why it was revoked instead (410)."""
    licence = (
        selectors.licences_for_user(user=request.user)
        .select_related("department")
        .filter(number=number)
        .first()
    )
    if licence is None:
        raise Http404
    if licence.status == Licence.Status.REVOKED:
        return render(request, "licences/download_revoked.html", {"licence": licence}, status=410)
    body = licence_pdf(licence, issuer_name=licence_issuer_name(licence))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.number}.pdf"'
    return response


@csrf_exempt  # a public read: anyone may paste a credential, nothing is written
@access(PUBLIC)
def verify(request: HttpRequest) -> HttpResponse:
    presented = ""
    if request.method == "POST":
        presented = request.POST.get("credential", "")
    elif request.GET.get("jws") or request.GET.get("id"):
        presented = request.build_absolute_uri()
    outcome = licence_verify(presented) if presented.strip() else None
    label: object = ""
    hint: object = ""
    if outcome is not None and outcome.reasons == ["expired"]:
        label, hint = EXPIRED_LABEL, EXPIRED_HINT
    elif outcome is not None:
        label, hint = RESULT_LABELS.get(outcome.result, ""), RESULT_HINTS.get(outcome.result, "")
    context = {
        "outcome": outcome,
        "label": label,
        "hint": hint,
        "summary": outcome.summary() if outcome else None,
        "pasted": request.POST.get("credential", "") if request.method == "POST" else "",
    }
    return render(request, "licences/verify.html", context)


@access(PUBLIC)
def keys(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(selectors.published_keys())
    response["Cache-Control"] = "public, max-age=300"
    return response


@access(PUBLIC)
def status_list(request: HttpRequest, name: str) -> HttpResponse:
    found = StatusList.objects.filter(name=name).first()
    if found is None:
        raise Http404
    response = HttpResponse(
        services.status_list_credential(found), content_type="application/vc+jwt"
    )
    response["Cache-Control"] = "public, max-age=60"
    return response
