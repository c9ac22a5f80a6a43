"""Service definitions (事项) and their published versions. A case pins the version it was
submitted under; publishing a new version moves ``Service.current`` and leaves earlier
versions in place for running cases."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Service(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("个人服务")
        ENTERPRISE = "enterprise", _("法人服务")

    code = models.SlugField(_("服务编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    kind = models.CharField(_("服务对象"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        "identity.Department",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("主办部门"),
    )
    life_events = models.JSONField(_("人生事件"), default=list, blank=True)
    topics = models.JSONField(_("主题"), default=list, blank=True)
    search_text = models.TextField(blank=True, help_text="names, tags and codes, lower-cased")
    current = models.ForeignKey(
        "catalog.ServiceVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("当前版本"),
    )
    is_active = models.BooleanField(_("在线"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class ServiceVersion(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    definition = models.JSONField(help_text="service.yaml as parsed")
    form_schema = models.JSONField(default=dict)
    bpmn = models.TextField(blank=True)
    bpmn_is_default = models.BooleanField(default=False)
    process_spec = models.JSONField(default=dict, help_text="the compiled process, stored once")
    user_tasks = models.JSONField(default=dict)
    service_tasks = models.JSONField(default=dict)
    checksum = models.CharField(max_length=64)
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["service", "-number"]
        verbose_name = _("服务版本")
        verbose_name_plural = _("服务版本")
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="uniq_service_version"),
            models.UniqueConstraint(fields=["service", "checksum"], name="uniq_service_checksum"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.number}"

    def text(self, key: str) -> str:
        """A ``{zh, en}`` entry of the definition in the active language."""
        return localized(self.definition.get(key))


def localized(value: Any) -> str:
    if isinstance(value, dict):
        english = (get_language() or "").startswith("en")
        return str((value.get("en") if english else None) or value.get("zh") or "")
    return "" if value is None else str(value)
