"""Courier delivery (物流取件): the address book, the departments' receiving windows, shipments
(licences mailed out, paper materials collected), their tracking events and the courier's
route pushes as received."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.fields import EncryptedTextField


class Address(models.Model):
    """An address book entry of a user; the phone number is encrypted at rest. At most one
    entry per user is the default."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    recipient = models.CharField(_("收件人"), max_length=64)
    phone = EncryptedTextField(_("手机号码"))
    region_code = models.CharField(max_length=6, blank=True)
    detail = models.CharField(_("详细地址"), max_length=200)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=Q(is_default=True), name="uniq_default_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.detail[:12]}"

    @property
    def full_address(self) -> str:
        from onewindow.delivery.regions import with_region

        return with_region(self.region_code, self.detail)


class DepartmentWindow(models.Model):
    """Where a department sends from and receives paper at (its 收件窗口): the sender of its
    mailed licences, the destination of pickups of paper materials, where returned mail waits."""

    department = models.OneToOneField(
        "identity.Department", on_delete=models.CASCADE, related_name="delivery_window"
    )
    name = models.CharField(_("窗口名称"), max_length=100)
    contact = models.CharField(_("联系人"), max_length=64)
    phone = EncryptedTextField(_("联系电话"))
    region_code = models.CharField(max_length=6, blank=True)
    address = models.CharField(_("地址"), max_length=200)

    def __str__(self) -> str:
        return self.name


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
        CANCELLED = "cancelled", _("已取消")

    class Resolution(models.TextChoices):
        NONE = "", _("待处理")
        RESHIPPED = "reshipped", _("已重新寄递")
        COUNTER = "counter", _("窗口领取")

    FINAL = {Status.DELIVERED, Status.RETURNED, Status.CANCELLED}

    tracking_no = models.CharField(max_length=32, unique=True)
    idempotency_key = models.CharField(max_length=128, unique=True)
    order_id = models.CharField(max_length=64, blank=True, db_index=True)
    carrier = models.CharField(max_length=32, default="fake")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.DELIVER)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="shipments"
    )
    case_number = models.CharField(max_length=32, blank=True, db_index=True)
    department = models.ForeignKey(
        "identity.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
        help_text="Issuing department (mail-out) or receiving department (pickup).",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Destination.
    recipient = models.CharField(max_length=64)
    phone = EncryptedTextField()
    address = models.CharField(max_length=200)
    region_code = models.CharField(max_length=6, blank=True)
    # Origin (the department's window for mail-out, the resident for a pickup).
    sender_name = models.CharField(max_length=64, blank=True)
    sender_phone = EncryptedTextField(blank=True)
    sender_address = models.CharField(max_length=200, blank=True)
    contents = models.CharField(max_length=100, blank=True)
    pickup_from = models.DateTimeField(null=True, blank=True)
    pickup_until = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # After a return: re-shipped (``reshipments`` holds the new shipment) or held at the window.
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reshipments"
    )
    resolution = models.CharField(
        max_length=12, choices=Resolution.choices, default=Resolution.NONE, blank=True
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    counter_collected_at = models.DateTimeField(null=True, blank=True)
    # The resident's corrected address, waiting for staff to re-ship.
    corrected_recipient = models.CharField(max_length=64, blank=True)
    corrected_phone = EncryptedTextField(blank=True)
    corrected_address = models.CharField(max_length=200, blank=True)
    corrected_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["owner", "-created_at"]),
        ]
        permissions = [
            (
                "manage_returns",
                "May see returned mail of their department, re-ship it or hold it at the window",
            )
        ]

    def __str__(self) -> str:
        return self.tracking_no

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def is_open_return(self) -> bool:
        """Returned and waiting: neither re-shipped nor collected at the window."""
        return (
            self.status == self.Status.RETURNED
            and self.resolution != self.Resolution.RESHIPPED
            and self.counter_collected_at is None
        )


class TrackingEvent(models.Model):
    class Source(models.TextChoices):
        POLL = "poll", _("查询")
        PUSH = "push", _("推送")
        SYSTEM = "system", _("系统")

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Shipment.Status.choices)
    description = models.CharField(max_length=200)
    location = models.CharField(max_length=64, blank=True)
    op_code = models.CharField(max_length=16, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.POLL)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "status", "at"], name="uniq_tracking_event")
        ]

    def __str__(self) -> str:
        return f"{self.shipment} {self.status}"


class CourierPush(models.Model):
    """A route push as the courier sent it, stored once its signature checked out; a worker
    applies it after the courier has had its answer."""

    class Status(models.TextChoices):
        PENDING = "pending"
        APPLIED = "applied"
        IGNORED = "ignored"

    carrier = models.CharField(max_length=32)
    request_id = models.CharField(max_length=64, blank=True)
    body = EncryptedTextField(help_text="msgData as received (JSON)")
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    events_added = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.carrier} push {self.pk} {self.status}"
