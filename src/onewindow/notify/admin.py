from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from onewindow.audit.admin_audit import AuditedModelAdmin, ReadOnlyModelAdmin
from onewindow.core.masking import mask_phone
from onewindow.notify._templates import forget as forget_templates
from onewindow.notify.models import (
    Contact,
    Delivery,
    Message,
    ProviderDetail,
    SmsMessage,
    Template,
)
from onewindow.notify.services import TemplateFields, template_problems


def mask_email(value: str) -> str:
    """``z***@example.com``: the first letter and the domain."""
    name, at, domain = (value or "").partition("@")
    return f"{name[:1]}***{at}{domain}" if at else ("***" if value else "")


@admin.register(SmsMessage)
class SmsMessageAdmin(AuditedModelAdmin):
    list_display = (
        "id",
        "masked_phone",
        "template",
        "status",
        "provider",
        "attempts",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "template", "provider")
    fields = (
        "masked_phone",
        "template",
        "status",
        "provider",
        "provider_message_id",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
        "delivered_at",
    )
    readonly_fields = fields

    @admin.display(description="手机号码")
    def masked_phone(self, obj: SmsMessage) -> str:
        return mask_phone(obj.phone)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "recipient", "kind", "title", "created_at", "read_at")
    list_filter = ("kind",)
    fields = ("recipient", "kind", "title", "link", "source_key", "created_at", "read_at")
    readonly_fields = fields


class TemplateForm(forms.ModelForm[Template]):
    """Checked as ``notify.services.template_save`` checks: a template whose variables are
    not its declared parameters, or whose worst case exceeds a channel's limit, is refused
    here, when saved, not when sent."""

    class Meta:
        model = Template
        fields = (
            "code",
            "params",
            "limits",
            "title",
            "body",
            "title_en",
            "body_en",
            "wechat_template_id",
            "wechat_kind",
            "wechat_fields",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        params = data.get("params") or []
        limits = data.get("limits") or {}
        wechat_fields = data.get("wechat_fields") or {}
        if not isinstance(params, list):
            self.add_error("params", "须为参数名的列表")
            return data
        if not isinstance(limits, dict) or not isinstance(wechat_fields, dict):
            self.add_error("limits", "须为对象")
            return data
        found = template_problems(
            code=str(data.get("code", "")),
            fields=TemplateFields(
                params=tuple(str(p) for p in params),
                title=str(data.get("title", "")),
                body=str(data.get("body", "")),
                title_en=str(data.get("title_en", "")),
                body_en=str(data.get("body_en", "")),
                limits=limits,
                wechat_template_id=str(data.get("wechat_template_id", "")),
                wechat_kind=str(data.get("wechat_kind", "template")),
                wechat_fields={str(k): str(v) for k, v in wechat_fields.items()},
            ),
        )
        for where, messages in found.items():
            for message in messages:
                self.add_error(where if where in self.fields else None, message)
        return data


@admin.register(Template)
class TemplateAdmin(AuditedModelAdmin):
    form = TemplateForm
    list_display = ("code", "title", "wechat_template_id", "updated_at")
    search_fields = ("code", "title", "body")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(forget_templates)


@admin.register(Contact)
class ContactAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "user", "channels", "digest", "updated_at")
    fields = ("user", "masked_email", "channels", "quiet_start", "quiet_end", "digest")
    readonly_fields = fields

    @admin.display(description="电子邮箱")
    def masked_email(self, obj: Contact) -> str:
        return mask_email(obj.email)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "channel", "template", "status", "provider", "attempts", "created_at")
    list_filter = ("channel", "status", "template", "provider")
    fields = (
        "channel",
        "template",
        "status",
        "provider",
        "provider_message_id",
        "attempts",
        "last_error",
        "created_at",
        "not_before",
        "sent_at",
        "delivered_at",
    )
    readonly_fields = fields


@admin.register(ProviderDetail)
class ProviderDetailAdmin(AuditedModelAdmin):
    """Operators order each channel's providers (lower priority first) and take one out."""

    list_display = ("channel", "name", "priority", "active", "degraded_until", "degraded_reason")
    list_editable = ("priority", "active")
    list_filter = ("channel",)
    fields = ("channel", "name", "priority", "active", "degraded_until", "degraded_reason")
    readonly_fields = ("degraded_until", "degraded_reason")
