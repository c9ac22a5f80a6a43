from django.contrib import admin
from django.http import HttpRequest

from onewindow.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("seq", "at", "actor_label", "action", "target_type", "target_id", "outcome")
    list_filter = ("outcome", "actor_kind")
    search_fields = ("action", "target_id", "actor_label")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
