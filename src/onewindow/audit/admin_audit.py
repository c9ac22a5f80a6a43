"""Admin writes are audited like every other write: the admin's change and delete views run in
a transaction, and this mixin records the audit row inside it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from onewindow.audit.services import Actor, audit_record

# Form fields whose values must not be copied into the audit trail.
SECRET_FIELDS = frozenset({"password", "id_number", "phone", "key", "token_hash", "params"})


class AuditedModelAdmin(admin.ModelAdmin):
    def _action(self, obj: Model, verb: str) -> str:
        return f"admin.{obj._meta.label_lower}.{verb}"

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        changes = {
            name: "changed" if name in SECRET_FIELDS else str(form.cleaned_data.get(name))[:200]
            for name in form.changed_data
        }
        audit_record(
            actor=Actor.from_request(request),
            action=self._action(obj, "change" if change else "create"),
            target=obj,
            changes=changes,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=Actor.from_request(request), action=self._action(obj, "delete"), target=obj
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        actor = Actor.from_request(request)
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=actor, action=self._action(obj, "delete"), target=obj)
            super().delete_queryset(request, queryset)


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Records the admin may look at but never add, change or delete (logs, events, rows
    written only by the services)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
