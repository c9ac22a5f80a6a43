"""Data exchange (数据交换): resources departments publish, consumers, access requests and
grants, the one-time request ids of the gateway, and the gateway's own hash-chained call log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Resource(models.Model):
    """A data resource (共享数据资源) a department publishes. ``fields`` is a list of
    ``{"code", "name", "sensitivity"}`` with sensitivity ``public``/``internal``/``sensitive``."""

    code = models.CharField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.PROTECT
    )
    fields = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def field_codes(self) -> list[str]:
        return [str(f["code"]) for f in self.fields]


class Consumer(models.Model):
    """A department or a department system that calls the gateway, signing with its key."""

    class KeyKind(models.TextChoices):
        HMAC = "hmac", "HMAC"
        SM2 = "sm2", "SM2"

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.PROTECT
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_consumer",
    )
    key_kind = models.CharField(max_length=8, choices=KeyKind.choices, default=KeyKind.HMAC)
    secret_encrypted = models.TextField(blank=True, help_text="HMAC key, encrypted")
    public_key_hex = models.TextField(blank=True, help_text="SM2 public key (hex)")
    is_platform = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class AccessRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="requests")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="requests")
    purpose = models.CharField(max_length=200)
    fields = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.consumer} → {self.resource} ({self.status})"


class Grant(models.Model):
    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="grants")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="grants")
    request = models.OneToOneField(
        AccessRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="grant"
    )
    purpose = models.CharField(max_length=200)
    fields = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    rate_per_minute = models.PositiveIntegerField(default=60)
    revoked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["consumer", "resource"])]

    def __str__(self) -> str:
        return f"{self.consumer} ⇢ {self.resource}"


class UsedRequestId(models.Model):
    """A consumer's request id, kept so a replayed request is refused."""

    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE)
    request_id = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer", "request_id"], name="uniq_exchange_nonce")
        ]

    def __str__(self) -> str:
        return self.request_id


class CallLog(models.Model):
    """One gateway call (granted or refused), chained by keyed hash like the audit trail but in
    its own table and chain. It never holds the subject's identifiers or the returned values."""

    class Outcome(models.TextChoices):
        OK = "ok", _("已返回")
        DENIED = "denied", _("已拒绝")

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    consumer_id_value = models.CharField(max_length=64, blank=True)
    resource_code = models.CharField(max_length=80, blank=True, db_index=True)
    owner_department_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    purpose = models.CharField(max_length=200, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    subject_ref = models.CharField(max_length=64, blank=True, help_text="keyed hash")
    fields = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    reason = models.CharField(max_length=64, blank=True)
    case_number = models.CharField(max_length=32, blank=True, db_index=True)
    ip = models.CharField(max_length=45, blank=True)
    alg = models.CharField(max_length=8)
    # The audit key of the row's HMAC; empty for a row written before the chain was keyed.
    kid = models.CharField(max_length=16, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.consumer_id_value} {self.resource_code} {self.outcome}"


class CallLogHead(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    # Rows 1..sealed_seq were written before keying; ``seal`` is their keyed MAC.
    sealed_seq = models.BigIntegerField(default=0)
    seal = models.CharField(max_length=100, blank=True, default="")

    def __str__(self) -> str:
        return f"exchange call log head #{self.seq}"
