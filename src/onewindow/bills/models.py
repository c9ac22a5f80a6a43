"""Bills and subscriptions (按需订阅): the accounts a resident has bound with a utility,
social-insurance, housing-fund or phone provider, the e-bills and contribution records fetched
for them, each provider's sync state (backoff and circuit breaker), and provider data that
failed its checks (quarantined, never shown as a bill)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.fields import EncryptedTextField


class Kind(models.TextChoices):
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    HOUSING_FUND = "housing_fund", _("住房公积金")
    WATER = "water", _("水费")
    ELECTRICITY = "electricity", _("电费")
    GAS = "gas", _("燃气费")
    MOBILE = "mobile", _("话费")


class Channel(models.TextChoices):
    INAPP = "inapp", _("站内信")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    WECHAT = "wechat", _("微信")


class Subscription(models.Model):
    """An account number bound by a resident after the provider confirmed it is theirs. The
    number is encrypted; ``account_bidx`` (provider + number) finds it and keeps one active
    binding per account."""

    person = models.ForeignKey(
        "identity.Person", on_delete=models.CASCADE, related_name="bill_subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bill_subscriptions"
    )
    kind = models.CharField(_("账单类型"), max_length=24, choices=Kind.choices)
    provider_code = models.CharField(max_length=48)
    account_number = EncryptedTextField(_("户号"))
    account_bidx = models.CharField(max_length=64, db_index=True)
    account_tail = models.CharField(max_length=8)
    holder_name = models.CharField(max_length=64, blank=True, help_text="As the provider masks it.")
    bound_at = models.DateTimeField()
    unbound_at = models.DateTimeField(null=True, blank=True)
    channels = models.JSONField(default=list)
    remind_days_before = models.PositiveSmallIntegerField(default=3)
    remind_overdue = models.BooleanField(default=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_sync_failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "bound_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_code", "account_bidx"],
                condition=Q(unbound_at__isnull=True),
                name="bills_one_active_binding_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_code} …{self.account_tail}"

    @property
    def active(self) -> bool:
        return self.unbound_at is None


class Bill(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="bills")
    external_id = models.CharField(max_length=64)
    period = models.CharField(max_length=7, help_text="YYYY-MM")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    due_on = models.DateField(null=True, blank=True, db_index=True)
    paid = models.BooleanField(default=False)
    usage = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    usage_unit = models.CharField(max_length=8, blank=True)
    fetched_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "external_id"], name="bills_bill_once_per_subscription"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.amount}"


class Contribution(models.Model):
    """A month of the social-insurance or housing-fund record (缴费记录)."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="contributions"
    )
    period = models.CharField(max_length=7, help_text="YYYY-MM")
    base = models.DecimalField(max_digits=12, decimal_places=2)
    personal_amount = models.DecimalField(max_digits=12, decimal_places=2)
    employer_amount = models.DecimalField(max_digits=12, decimal_places=2)
    employer_name = models.CharField(max_length=120, blank=True)
    paid = models.BooleanField(default=True)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period"], name="bills_contribution_once_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.personal_amount}"


class ProviderSyncState(models.Model):
    """How fetching from one provider goes: backoff after failures and a circuit breaker that
    opens after consecutive failures and lets one trial through after a cool-off."""

    class Circuit(models.TextChoices):
        CLOSED = "closed", _("正常")
        OPEN = "open", _("熔断")
        HALF_OPEN = "half_open", _("试探")

    provider_code = models.CharField(max_length=48, unique=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    circuit = models.CharField(max_length=10, choices=Circuit.choices, default=Circuit.CLOSED)
    open_until = models.DateTimeField(null=True, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.provider_code} {self.circuit}"


class Quarantine(models.Model):
    """Provider data that failed its checks: kept for operators with the reason, never
    shown to the resident as a bill."""

    provider_code = models.CharField(max_length=48, db_index=True)
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=255)
    payload_excerpt = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "quarantine"

    def __str__(self) -> str:
        return f"{self.provider_code}: {self.reason}"


class FakeAccount(models.Model):
    """The fake providers' own book of accounts (who holds which number), used by the demo
    city and tests; real providers keep theirs."""

    provider_code = models.CharField(max_length=48)
    account_number = models.CharField(max_length=32)
    holder_name = models.CharField(max_length=64)
    seed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider_code", "account_number"], name="bills_fake_account_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_code} {self.account_number}"
