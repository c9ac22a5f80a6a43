"""Admin: an operator picks a licence type's signing algorithm (audited); keys and licences
are read-only here, and a licence is revoked through the revocation service (an admin
action), which flips its status-list bit and writes the audit row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.audit.admin_audit import AuditedModelAdmin, ReadOnlyModelAdmin
from onewindow.audit.services import Actor
from onewindow.licences.models import Licence, LicenceType, SigningKey
from onewindow.licences.services import licence_revoke


@admin.register(LicenceType)
class LicenceTypeAdmin(AuditedModelAdmin):
    list_display = ("code", "name_zh", "algorithm", "validity", "issuer_code")
    search_fields = ("code", "name_zh")
    list_filter = ("algorithm",)
    # names, validity and issuer come from the catalogue (licence_types_sync)
    readonly_fields = ("code", "name_zh", "name_en", "validity", "issuer_code")


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyModelAdmin):
    list_display = ("kid", "algorithm", "active", "created_at", "retired_at")
    exclude = ("private_key_encrypted",)


@admin.action(description=_("撤销所选证照"))
def revoke_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Licence]) -> None:
    actor = Actor.from_request(request)
    for licence in queryset:
        licence_revoke(actor=actor, licence_id=licence.pk, reason=str(_("管理后台撤销")))
    messages.success(request, _("已撤销所选证照。"))


@admin.register(Licence)
class LicenceAdmin(ReadOnlyModelAdmin):
    list_display = ("number", "licence_type", "status", "issued_at", "valid_until", "kid")
    list_filter = ("status", "licence_type")
    search_fields = ("number",)
    raw_id_fields = ("holder_person", "holder_company", "case")
    exclude = ("claims",)
    actions = [revoke_selected]
