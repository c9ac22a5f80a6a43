"""The audit trail: one row per write (and per staff read of a person's record), chained by a
keyed hash so that a changed, deleted or inserted row is detectable (``audit.chain``)."""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok"
        DENIED = "denied"
        FAILED = "failed"

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_kind = models.CharField(max_length=16, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.OK)
    changes = models.JSONField(default=dict, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    alg = models.CharField(max_length=8)
    # The audit key of the row's HMAC; empty for a row written before the chain was keyed
    # (a plain hash, accepted only within the sealed prefix).
    kid = models.CharField(max_length=16, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id} {self.outcome}"


class AuditChainHead(models.Model):
    """A single row holding the chain's tip; locked for the length of each writing
    transaction so that rows are chained in commit order. A tail cut off with the head rewound
    is caught only against a checkpoint kept outside the database."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    # Rows 1..sealed_seq were written before the chain was keyed; ``seal`` (alg:kid:mac) is
    # the keyed MAC of that last row's position and hash, made once by the upgrade.
    sealed_seq = models.BigIntegerField(default=0)
    seal = models.CharField(max_length=100, blank=True, default="")

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
