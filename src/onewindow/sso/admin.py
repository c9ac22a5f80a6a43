"""Operators register department systems and rotate their secrets in the admin; every
change is audited, a new secret is shown once and only its hash is stored."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from onewindow.audit.admin_audit import AuditedModelAdmin
from onewindow.audit.services import Actor
from onewindow.sso import capabilities
from onewindow.sso.models import ClientPolicy
from onewindow.sso.services import client_secret_rotate

Application = get_application_model()


class ClientPolicyInline(admin.StackedInline):
    model = ClientPolicy
    can_delete = False
    extra = 1
    max_num = 1


# The only values the provider serves (onewindow.sso.validators.serves_client): the admin
# offers no other, so an operator cannot register a client that could never log in.
SERVED_CHOICES = {
    "client_type": Application.CLIENT_CONFIDENTIAL,
    "authorization_grant_type": capabilities.APPLICATION_GRANT,
    "algorithm": capabilities.APPLICATION_ALGORITHM,
}


class ApplicationAdmin(AuditedModelAdmin):
    list_display = ("name", "client_id", "client_type", "authorization_grant_type", "updated")
    search_fields = ("name", "client_id")
    exclude = ("client_secret", "user")
    readonly_fields = ("client_id",)
    inlines = (ClientPolicyInline,)
    actions = ("rotate_secret",)

    def formfield_for_choice_field(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        served = SERVED_CHOICES.get(db_field.name)
        if served is not None:
            kwargs["choices"] = [choice for choice in db_field.choices if choice[0] == served]
            kwargs["required"] = True
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        secret = None
        if not change:
            secret = generate_client_secret()
            obj.client_secret = secret
        super().save_model(request, obj, form, change)
        if secret:
            self.message_user(
                request,
                _("客户端密钥（只显示这一次，请妥善交给该系统）：%(secret)s") % {"secret": secret},
                messages.WARNING,
            )

    @admin.action(description=_("轮换客户端密钥"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for application in queryset:
            credentials = client_secret_rotate(
                actor=Actor.from_request(request), application=application
            )
            self.message_user(
                request,
                _("%(name)s 的新密钥（只显示这一次）：%(secret)s")
                % {"name": application.name, "secret": credentials.client_secret},
                messages.WARNING,
            )


def install() -> None:
    """Replace django-oauth-toolkit's own Application admin (called from the app's ready(),
    after the admin has discovered every app's admin module)."""
    if admin.site.is_registered(Application):
        admin.site.unregister(Application)
    admin.site.register(Application, ApplicationAdmin)
