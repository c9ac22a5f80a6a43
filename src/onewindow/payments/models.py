"""Fees, payment orders per case, the callback log, refunds, e-receipts, reconciliation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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


def fen_to_yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


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


class Mismatch(models.Model):
    """A difference found by the daily reconciliation against the gateway's statement."""

    class Kind(models.TextChoices):
        MISSING_THERE = "missing_there", _("本地已缴费，对账单无记录")
        AMOUNT = "amount", _("金额不一致")
        UNKNOWN_HERE = "unknown_here", _("对账单有记录，本地无此已缴订单")

    day = models.DateField()
    gateway = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    out_trade_no = models.CharField(max_length=64)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "gateway", "kind", "out_trade_no"], name="mismatch_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.out_trade_no}"
