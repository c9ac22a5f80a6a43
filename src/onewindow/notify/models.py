"""Notification rows. A message is a row before it is a send: nothing is lost if a worker or
the SMS gateway is down; a retry job picks up what is still pending."""

from __future__ import annotations

from django.db import models

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

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sms {self.pk} {self.template} {self.status}"
