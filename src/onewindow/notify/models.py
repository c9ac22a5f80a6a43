"""Notification rows. A message is a row before it is a send: nothing is lost if a worker or
the SMS gateway is down; a retry job picks up what is still pending."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from onewindow.core.fields import EncryptedTextField


class SmsMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        DELIVERED = "delivered"
        FAILED = "failed"

    phone = EncryptedTextField()
    phone_bidx = models.CharField(max_length=64, db_index=True)
    template = models.CharField(max_length=64)
    params = EncryptedTextField(blank=True, help_text="JSON of template parameters")
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    provider = models.CharField(max_length=32, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last took the row for sending."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # What the message is about (e.g. ``case-news:123``), for senders that must not text the
    # same phone twice about the same thing; empty for messages without one (login codes).
    source_key = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_bidx", "source_key"],
                condition=~Q(source_key=""),
                name="uniq_sms_source_key",
            )
        ]

    def __str__(self) -> str:
        return f"sms {self.pk} {self.template} {self.status}"


class Message(models.Model):
    """An in-app message (站内消息) for one user's message centre. ``source_key`` names what it
    is about (``case-news:<timeline row>``, ``case:<id>:outcome``, ``notify.send:<action
    key>``): the same news delivered twice gives one message."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_messages"
    )
    kind = models.CharField(max_length=32)
    title = models.CharField(max_length=100)
    body = EncryptedTextField()
    link = models.CharField(max_length=300, blank=True, help_text="e.g. /cases/<number>/")
    # Why the person got it, in their words ("因为您的身份证将于 2027-01-05 到期"), for pushes
    # a rule sent; empty for news about their own cases and accounts.
    reason = models.CharField(max_length=200, blank=True, default="")
    source_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "source_key"], name="uniq_message_source_key"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"message {self.pk} {self.kind} to {self.recipient_id}"
