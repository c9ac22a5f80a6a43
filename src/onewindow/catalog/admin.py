"""Admin for the catalog: services and their versions (read-only but for going offline), and
the package upload page for platform operators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.admin_audit import AuditedModelAdmin
from onewindow.audit.services import Actor
from onewindow.catalog.models import Service, ServiceVersion
from onewindow.catalog.services import ImportResult, PackageInvalid, service_packages_publish
from onewindow.core.access import forbidden

if TYPE_CHECKING:
    from onewindow.identity.http import AuthenticatedHttpRequest

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
OPERATOR_PERM = "identity.operate_platform"


class PackageUploadForm(forms.Form):
    package = forms.FileField(
        label=gettext_lazy("服务包（zip）"),
        help_text=gettext_lazy(
            "一个 zip 可以包含一个服务包（文件在根目录）或多个服务包（每个一个目录）。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def clean_package(self) -> Any:
        upload = self.cleaned_data["package"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大（上限 20 MB）。"))
        return upload


class VersionInline(admin.TabularInline):
    model = ServiceVersion
    fields = ("number", "checksum", "published_at", "published_by", "bpmn_is_default")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "department", "current", "is_active", "updated_at")
    list_filter = ("kind", "is_active", "department")
    search_fields = ("code", "name", "name_en")
    readonly_fields = (
        "code",
        "name",
        "name_en",
        "kind",
        "department",
        "life_events",
        "topics",
        "current",
        "created_at",
        "updated_at",
    )
    fields = (*readonly_fields, "is_active")
    inlines = [VersionInline]
    change_list_template = "catalog/admin/service_changelist.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # services come from packages (upload or service_import)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases pin versions; take a service offline instead

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="catalog_service_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        if not request.user.has_perm(OPERATOR_PERM):
            return forbidden(request)
        result: ImportResult | None = None
        problems: list[str] = []
        form = PackageUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["package"]
            try:
                result = service_packages_publish(
                    actor=Actor.from_request(request),
                    zip=upload.read(),
                    zip_label=upload.name or "upload.zip",
                    user=request.user,
                )
            except PackageInvalid as error:
                problems = [str(problem) for problem in error.problems]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("上传服务包"),
            "form": form,
            "problems": problems,
            "result": result,
        }
        status = 422 if problems else 200
        return render(request, "catalog/admin/upload.html", context, status=status)


@admin.register(ServiceVersion)
class ServiceVersionAdmin(admin.ModelAdmin):
    list_display = ("service", "number", "checksum", "published_at", "published_by")
    list_filter = ("service__department",)
    search_fields = ("service__code", "service__name", "checksum")
    readonly_fields = (
        "service",
        "number",
        "checksum",
        "published_at",
        "published_by",
        "bpmn_is_default",
        "definition",
        "form_schema",
        "user_tasks",
        "service_tasks",
        "bpmn",
    )
    exclude = ("process_spec",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
