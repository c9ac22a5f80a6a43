"""Admin: operators set each department's receiving window (audited); shipments, their events
and the courier's pushes are read-only (they change only through the courier and the staff
pages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.audit.admin_audit import AuditedModelAdmin, ReadOnlyModelAdmin
from onewindow.core.errors import ValidationFailed
from onewindow.delivery.models import CourierPush, DepartmentWindow, Shipment, TrackingEvent
from onewindow.delivery.regions import normalize_region_code

LANDLINE_OR_MOBILE = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"


class DepartmentWindowForm(forms.ModelForm):
    phone = forms.RegexField(
        label=_("联系电话"),
        regex=LANDLINE_OR_MOBILE,
        error_messages={"invalid": _("请填写手机号码或带区号的固定电话，如 020-83000000。")},
    )

    class Meta:
        model = DepartmentWindow
        fields = ["department", "name", "contact", "phone", "region_code", "address"]

    def clean_region_code(self) -> str:
        try:
            return normalize_region_code(self.cleaned_data.get("region_code", ""), required=False)
        except ValidationFailed as exc:
            raise forms.ValidationError(str(exc.message)) from exc


@admin.register(DepartmentWindow)
class DepartmentWindowAdmin(AuditedModelAdmin):
    form = DepartmentWindowForm
    list_display = ("department", "name", "address")
    search_fields = ("name", "department__name", "department__code")


class EventInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    can_delete = False
    fields = ("at", "status", "description", "location", "op_code", "source")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyModelAdmin):
    list_display = ("tracking_no", "kind", "status", "resolution", "case_number", "carrier")
    list_filter = ("kind", "status", "resolution", "carrier")
    search_fields = ("tracking_no", "order_id", "case_number")
    exclude = ("phone", "sender_phone", "corrected_phone")
    inlines = [EventInline]


@admin.register(CourierPush)
class CourierPushAdmin(ReadOnlyModelAdmin):
    list_display = ("received_at", "carrier", "status", "events_added", "note")
    list_filter = ("carrier", "status")
    exclude = ("body",)
