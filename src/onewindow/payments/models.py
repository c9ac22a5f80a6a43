"""Fees, payment orders per case, the callback log, refunds, e-receipts, reconciliation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.payments.providers.base import fen_to_yuan


class FeeItem(models.Model):
    """One fee of a service (``fees:`` in service.yaml), amounts in fen."""

    service_code = models.SlugField(max_length=64)
    code = models.SlugField(max_length=64)
    name = models.CharField(_("收费项目"), max_length=200)
    amount_fen = models.PositiveIntegerField(_("金额（分）"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service_code", "code"], name="fee_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_code}/{self.code}"


class PaymentOrder(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("待缴费")
        PAYING = "paying", _("支付中")
        PAID = "paid", _("已缴费")
        CLOSED = "closed", _("已关闭")
        REFUNDED = "refunded", _("已退款")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="payments")
    fee_code = models.SlugField(max_length=64)
    subject = models.CharField(_("缴费事项"), max_length=200)
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CREATED)
    gateway = models.CharField(max_length=32)
    out_trade_no = models.CharField(max_length=64, unique=True)
    gateway_trade_no = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_fen = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "fee_code"], name="payment_order_per_fee")
        ]

    def __str__(self) -> str:
        return self.out_trade_no

    @property
    def amount_yuan(self) -> str:
        return fen_to_yuan(self.amount_fen)


class PaymentEvent(models.Model):
    """Every callback and state change, including the refused ones."""

    order = models.ForeignKey(
        PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    gateway = models.CharField(max_length=32)
    kind = models.CharField(max_length=32)  # notify / created / paying / refund / reconcile
    outcome = models.CharField(max_length=16)  # applied / ignored / denied
    reason = models.CharField(max_length=200, blank=True)
    notify_id = models.CharField(max_length=128, blank=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind}:{self.outcome}"


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("退款中")
        SUCCEEDED = "succeeded", _("已退款")
        FAILED = "failed", _("退款失败")

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="refunds")
    out_request_no = models.CharField(max_length=64, unique=True)
    amount_fen = models.PositiveIntegerField()
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.out_request_no


class Receipt(models.Model):
    """The electronic receipt (电子票据) of a paid order."""

    order = models.OneToOneField(PaymentOrder, on_delete=models.PROTECT, related_name="receipt")
    number = models.CharField(max_length=32, unique=True)
    payer = models.CharField(max_length=200)
    amount_fen = models.PositiveIntegerField()
    issued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.number


class ReconciliationRun(models.Model):
    """One comparison of a day's orders with a gateway's statement (daily, or re-run by staff)."""

    class Status(models.TextChoices):
        OK = "ok", _("已完成")
        FAILED = "failed", _("失败")

    day = models.DateField(_("对账日期"), db_index=True)
    gateway = models.CharField(max_length=32)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # None: the daily schedule
    status = models.CharField(max_length=8, choices=Status.choices)
    error = models.CharField(max_length=300, blank=True)
    statement_lines = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    mismatches = models.PositiveIntegerField(default=0)  # differences this run found
    cleared = models.PositiveIntegerField(default=0)  # open ones this run no longer found

    class Meta:
        ordering = ["-day", "-started_at", "-pk"]
        indexes = [models.Index(fields=["day", "gateway"])]
        permissions = [
            (
                "reconcile_payments",
                "May see reconciliation, re-run it, resolve differences and refund (audited)",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.gateway} {self.status}"


class Mismatch(models.Model):
    """A difference found by reconciliation against the gateway's statement. It stays open
    until staff resolve it (with a note, or a refund) or a later run no longer finds it."""

    class Kind(models.TextChoices):
        MISSING_THERE = "missing_there", _("支付平台无记录")
        UNKNOWN_HERE = "unknown_here", _("本地无记录")
        AMOUNT = "amount", _("金额不一致")
        STATUS = "status", _("状态不一致")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        RESOLVED = "resolved", _("已处理")

    class Resolution(models.TextChoices):
        NOTE = "note", _("已核实并说明")
        REFUND = "refund", _("已退款")
        CLEARED = "cleared", _("复核一致")

    day = models.DateField()
    gateway = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    out_trade_no = models.CharField(max_length=64)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    last_run = models.ForeignKey(
        ReconciliationRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mismatch_rows",
    )
    resolution = models.CharField(max_length=8, choices=Resolution.choices, blank=True)
    resolution_note = models.CharField(max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-day", "gateway", "kind", "out_trade_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "gateway", "kind", "out_trade_no"], name="mismatch_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.out_trade_no}"
