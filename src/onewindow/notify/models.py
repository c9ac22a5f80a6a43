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
    not_before = models.DateTimeField(
        null=True, blank=True, help_text="Held until then (the person's quiet hours)."
    )
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


class Contact(models.Model):
    """How one person wants to be told: the addresses notify holds for them (an email
    address, the openid of the city's WeChat official account), the channels they allow,
    their quiet hours and whether pushes come as one daily digest. A person without a row
    has the defaults: in-app and SMS, quiet 22:00–08:00, no digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_contact"
    )
    email = EncryptedTextField(blank=True)
    wechat_openid = EncryptedTextField(blank=True)
    channels = models.JSONField(default=list, help_text='e.g. ["inapp", "sms", "email"]')
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    digest = models.BooleanField(default=False)
    language = models.CharField(max_length=10, default="zh-hans")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"contact of {self.user_id}"


class Delivery(models.Model):
    """One notification on one channel other than SMS (email, WeChat), or a push held for
    the person's daily digest (any channel). A row first, then a task; each status change is
    a conditional UPDATE, as for :class:`SmsMessage`."""

    class Channel(models.TextChoices):
        EMAIL = "email"
        WECHAT = "wechat"
        SMS = "sms"

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        DELIVERED = "delivered"
        FAILED = "failed"
        HELD = "held"  # waits for the daily digest
        DIGESTED = "digested"  # went out in a digest
        FELL_BACK = "fell_back"  # the person refused the channel; sent by SMS instead

    channel = models.CharField(max_length=12, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notify_deliveries",
    )
    address = EncryptedTextField(help_text="email address, WeChat openid or phone")
    address_bidx = models.CharField(max_length=64, db_index=True)
    fallback_phone = EncryptedTextField(blank=True)
    template = models.CharField(max_length=64)
    params = EncryptedTextField(blank=True, help_text="JSON of template parameters")
    language = models.CharField(max_length=10, default="zh-hans")
    kind = models.CharField(max_length=32, blank=True)
    link = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    provider = models.CharField(max_length=32, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    not_before = models.DateTimeField(
        null=True, blank=True, help_text="Held until then (the person's quiet hours)."
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    source_key = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address_bidx", "source_key"],
                condition=~Q(source_key=""),
                name="uniq_delivery_source_key",
            )
        ]
        indexes = [models.Index(fields=["status", "not_before"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.pk} {self.template} {self.status}"


class Template(models.Model):
    """A message template as data, editable by operators: its declared parameters, its
    title and text in Chinese and English, and how it fills a WeChat template's fields.
    The built-in codes (``notify.messages``) are synced into rows; a row is checked against
    each channel's limits when it is saved (``notify.services.template_save``)."""

    code = models.SlugField(max_length=64, unique=True)
    params = models.JSONField(default=list, help_text='declared parameters, e.g. ["number"]')
    limits = models.JSONField(
        default=dict, blank=True, help_text='longest value of a parameter, e.g. {"service": 20}'
    )
    title = models.CharField(max_length=100)
    body = models.TextField()
    title_en = models.CharField(max_length=100, blank=True)
    body_en = models.TextField(blank=True)
    wechat_template_id = models.CharField(max_length=100, blank=True)
    wechat_kind = models.CharField(
        max_length=12,
        choices=[("template", "template"), ("subscribe", "subscribe")],
        default="template",
    )
    wechat_fields = models.JSONField(
        default=dict, blank=True, help_text='e.g. {"thing1": "{service}", "character_string2": …}'
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ProviderDetail(models.Model):
    """A vendor of a channel and its place in the order they are tried (lower first),
    changed by operators. ``degraded_until``: the failover check found it slow or failing
    and moved it to the back until then; it drifts back when it has recovered."""

    channel = models.CharField(max_length=12)
    name = models.CharField(max_length=32)
    priority = models.PositiveSmallIntegerField(default=10)
    active = models.BooleanField(default=True)
    degraded_until = models.DateTimeField(null=True, blank=True)
    degraded_reason = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel", "priority", "name"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "name"], name="uniq_provider_detail")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.name} ({self.priority})"


class ProviderAttempt(models.Model):
    """One send handed to a vendor, as the base client measured it: the window of these
    is what failover reads (kept an hour)."""

    channel = models.CharField(max_length=12)
    provider = models.CharField(max_length=32)
    ok = models.BooleanField()
    elapsed_ms = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["channel", "provider", "at"])]

    def __str__(self) -> str:
        return (
            f"{self.channel}:{self.provider} {'ok' if self.ok else 'failed'} {self.elapsed_ms} ms"
        )
