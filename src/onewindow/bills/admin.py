"""Admin: provider sync states and quarantined provider data, read-only, for operators."""

from __future__ import annotations

from django.contrib import admin

from onewindow.audit.admin_audit import ReadOnlyModelAdmin
from onewindow.bills.models import ProviderSyncState, Quarantine


@admin.register(ProviderSyncState)
class ProviderSyncStateAdmin(ReadOnlyModelAdmin):
    list_display = (
        "provider_code",
        "circuit",
        "consecutive_failures",
        "last_success_at",
        "last_attempt_at",
        "open_until",
        "next_try_at",
        "last_error",
    )
    list_filter = ("circuit",)


@admin.register(Quarantine)
class QuarantineAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "provider_code", "reason")
    list_filter = ("provider_code",)
    search_fields = ("reason",)
