"""Admin for identity. Personal data is shown masked; plaintext ID numbers and phones never
appear in list columns or forms, and searching by them goes through the blind index."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from onewindow.audit.admin_audit import AuditedModelAdmin
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_citizen_id, normalize_phone
from onewindow.core.pii import id_number_index, phone_index
from onewindow.identity.models import (
    ApiToken,
    Company,
    CompanyAgent,
    Department,
    GridScope,
    LoginLockout,
    Person,
    Role,
    SmsLoginCode,
    Staff,
    StaffRole,
    User,
)


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    list_display = ("username", "display_name", "kind", "is_active", "is_staff", "last_login")
    list_filter = ("kind", "is_active", "is_staff")
    search_fields = ("username", "display_name")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("OneWindow", {"fields": ("kind", "display_name")}),
    )


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    list_display = (
        "id",
        "masked_name",
        "masked_id_number",
        "masked_phone",
        "gender",
        "region_code",
        "assurance",
        "created_at",
    )
    list_filter = ("assurance", "gender")
    search_fields = ("region_code",)
    fields = (
        "masked_name",
        "masked_id_number",
        "masked_phone",
        "birth_date",
        "gender",
        "region_code",
        "assurance",
        "user",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "masked_name",
        "masked_id_number",
        "masked_phone",
        "birth_date",
        "gender",
        "region_code",
        "user",
        "created_at",
        "updated_at",
    )
    search_help_text = "输入完整的身份证号码或手机号码精确查找（经盲索引比对）。"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # persons are registered through the services (validated and audited)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if term:
            try:
                return queryset.filter(phone_bidx=phone_index(normalize_phone(term))), False
            except ValidationFailed:
                pass
            try:
                bidx = id_number_index(normalize_citizen_id(term))
                return queryset.filter(id_number_bidx=bidx), False
            except ValidationFailed:
                pass
        return super().get_search_results(request, queryset, search_term)


class CompanyAgentInline(admin.TabularInline):
    model = CompanyAgent
    extra = 0
    raw_id_fields = ("person", "granted_by")


@admin.register(Company)
class CompanyAdmin(AuditedModelAdmin):
    list_display = ("uscc", "name", "legal_representative", "region_code", "created_at")
    search_fields = ("uscc", "name")
    inlines = [CompanyAgentInline]


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "parent", "region_code")
    search_fields = ("code", "name")
    list_filter = ("region_code",)


@admin.register(Role)
class RoleAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "grid_scoped")
    filter_horizontal = ("permissions",)


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0


@admin.register(Staff)
class StaffAdmin(AuditedModelAdmin):
    list_display = ("user", "department", "title", "created_at")
    list_filter = ("department",)
    search_fields = ("user__username", "user__display_name")
    inlines = [StaffRoleInline]


class GridScopeInline(admin.TabularInline):
    model = GridScope
    extra = 0


@admin.register(StaffRole)
class StaffRoleAdmin(AuditedModelAdmin):
    list_display = ("staff", "role", "department")
    list_filter = ("role", "department")
    inlines = [GridScopeInline]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = (
        "name",
        "prefix",
        "user",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    readonly_fields = ("prefix", "token_hash", "created_at", "last_used_at")


@admin.register(SmsLoginCode)
class SmsLoginCodeAdmin(AuditedModelAdmin):
    list_display = ("id", "created_at", "expires_at", "attempts", "used_at")
    fields = ("created_at", "expires_at", "attempts", "used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LoginLockout)
class LoginLockoutAdmin(AuditedModelAdmin):
    """Staff-login lockouts (identity.lockout): deleting one lifts it (audited)."""

    list_display = ("username", "streak", "locked_at", "locked_until")
    search_fields = ("username",)
    readonly_fields = ("username", "streak", "locked_at", "locked_until")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
