"""Per-client policy: which scopes the operator granted to a department system.

Every registered client may ask for ``openid``, ``profile`` and ``phone`` (masked claims);
``realname`` (full name and citizen ID) only when the operator granted it here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

BASE_SCOPES = frozenset({"openid", "profile", "phone"})
GRANTABLE_SCOPES = frozenset({"realname"})


class ClientPolicy(models.Model):
    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="sso_policy",
        verbose_name=_("客户端"),
    )
    department = models.ForeignKey(
        "identity.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("所属部门"),
    )
    extra_scopes = models.JSONField(
        _("额外授权的范围"),
        default=list,
        blank=True,
        help_text=_("目前只有 realname（完整姓名和身份证号码）需要单独授权。"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("客户端授权范围")
        verbose_name_plural = _("客户端授权范围")

    def __str__(self) -> str:
        return f"{self.application}"

    def allowed_scopes(self) -> frozenset[str]:
        return BASE_SCOPES | (frozenset(self.extra_scopes) & GRANTABLE_SCOPES)


class RedeemedCode(models.Model):
    """An authorisation code that was exchanged for tokens, kept (as a SHA-256 checksum,
    never the code) so that a replay of it revokes what its first use issued
    (RFC 6749 §4.1.2)."""

    code_checksum = models.CharField(_("授权码摘要"), max_length=64, unique=True)
    application = models.ForeignKey(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("客户端"),
    )
    # The first access token's lookup checksum (django-oauth-toolkit's token_checksum): a
    # replay deletes that token even if no refresh token was issued with it.
    access_token_checksum = models.CharField(_("首次签发的访问令牌摘要"), max_length=64)
    token_family = models.UUIDField(_("刷新令牌族"), null=True)
    redeemed_at = models.DateTimeField(_("兑换时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已兑换的授权码")
        verbose_name_plural = _("已兑换的授权码")

    def __str__(self) -> str:
        return f"{self.application_id}:{self.code_checksum[:12]}"
