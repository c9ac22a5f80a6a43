from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from onewindow.audit.admin_audit import AuditedModelAdmin, ReadOnlyModelAdmin
from onewindow.core.masking import mask_phone
from onewindow.notify.models import Message, SmsMessage


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
