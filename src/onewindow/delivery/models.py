"""Courier delivery (物流取件): the address book, shipments (licences mailed out, paper
materials collected) and their tracking events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.fields import EncryptedTextField


class Address(models.Model):
    """An address book entry of a user; the phone number is encrypted at rest."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    recipient = models.CharField(_("收件人"), max_length=64)
    phone = EncryptedTextField(_("手机号码"))
    region_code = models.CharField(max_length=6, blank=True)
    detail = models.CharField(_("详细地址"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.recipient} {self.detail[:12]}"


class Shipment(models.Model):
    class Kind(models.TextChoices):
        DELIVER = "deliver", _("证件寄递")
        PICKUP = "pickup", _("上门取件")

    class Status(models.TextChoices):
        CREATED = "created", _("已下单")
        COLLECTED = "collected", _("已揽收")
        IN_TRANSIT = "in_transit", _("运输中")
        OUT_FOR_DELIVERY = "out_for_delivery", _("派送中")
        DELIVERED = "delivered", _("已签收")
        FAILED = "failed", _("派送失败")
        RETURNED = "returned", _("已退回")

    FINAL = {Status.DELIVERED, Status.RETURNED}

    tracking_no = models.CharField(max_length=32, unique=True)
    idempotency_key = models.CharField(max_length=128, unique=True)
    carrier = models.CharField(max_length=32, default="fake")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.DELIVER)
    case_number = models.CharField(max_length=32, blank=True, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recipient = models.CharField(max_length=64)
    phone = EncryptedTextField()
    address = models.CharField(max_length=200)
    contents = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.tracking_no

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Shipment.Status.choices)
    description = models.CharField(max_length=200)
    location = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "status", "at"], name="uniq_tracking_event")
        ]

    def __str__(self) -> str:
        return f"{self.shipment} {self.status}"
