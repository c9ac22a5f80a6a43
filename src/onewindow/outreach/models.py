"""Push rules (主动推送) and what they did: each push a row, keyed so nobody is told twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PushRule(models.Model):
    """A rule as data: when it fires (an event of another app, or the daily schedule), whom
    it concerns (a condition over person facts in the platform's expression language), what
    it says (a template over declared variables) and how (channels, cool-down)."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    trigger = models.CharField(max_length=40)
    condition = models.TextField(default="true")
    variables = models.JSONField(default=list, blank=True)  # the names the texts use
    template = models.TextField()
    reason = models.CharField(max_length=200)  # "因为您的身份证将于 {id_card_expiry} 到期"
    object_key = models.CharField(max_length=200, blank=True)  # what a push is about
    source_key = models.CharField(max_length=200, blank=True)  # "" = push:<code>:<object>
    link = models.CharField(max_length=300, blank=True)
    channels = models.JSONField(default=list)
    cooldown_days = models.PositiveIntegerField(default=0)
    department_code = models.CharField(max_length=64, blank=True)  # 免申即享: who confirms
    audience_threshold = models.PositiveIntegerField(null=True, blank=True)
    enabled = models.BooleanField(default=False)
    source_file = models.CharField(max_length=200, blank=True)  # catalog/push-rules/<file>
    # Switching on a rule that reaches many: the first operator asks, a second confirms.
    switch_on_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    switch_on_reach = models.PositiveIntegerField(null=True, blank=True)
    switched_on_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    switched_on_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class PushLog(models.Model):
    """One push of one rule to one person about one object (at most one, ever)."""

    class Status(models.TextChoices):
        PENDING = "pending"  # to be told now
        DEFERRED = "deferred"  # quiet hours: told at ``send_at``
        AWAITING_DEPARTMENT = "awaiting_department"  # 免申即享: the department confirms first
        SENT = "sent"
        ALREADY_TOLD = "already_told"  # the same message had been told (same source key)
        OPTED_OUT = "opted_out"  # the resident turned the rule off before it went
        WITHDRAWN = "withdrawn"  # the department struck it from the matched list

    rule = models.ForeignKey(PushRule, on_delete=models.PROTECT, related_name="pushes")
    person_id = models.BigIntegerField()
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_key = models.CharField(max_length=200)
    source_key = models.CharField(max_length=200)
    region_code = models.CharField(max_length=6, blank=True)
    text = models.TextField()
    reason = models.CharField(max_length=200)
    link = models.CharField(max_length=300, blank=True)
    channels = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    send_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "person_id", "object_key"], name="uniq_push_rule_person_object"
            )
        ]
        indexes = [models.Index(fields=["rule", "person_id", "-created_at"])]

    def __str__(self) -> str:
        return f"push {self.pk} {self.rule_id}→{self.person_id} {self.status}"


class PushOptOut(models.Model):
    """The resident turned a rule off (不再接收)."""

    user_id = models.BigIntegerField()
    rule = models.ForeignKey(PushRule, on_delete=models.CASCADE, related_name="opt_outs")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "rule"], name="uniq_push_opt_out")
        ]

    def __str__(self) -> str:
        return f"opt-out {self.user_id} {self.rule_id}"


class PushCursor(models.Model):
    """How far today's sweep of a scheduled rule has walked the population (resumable)."""

    rule = models.ForeignKey(PushRule, on_delete=models.CASCADE, related_name="cursors")
    day = models.DateField()
    last_person_id = models.BigIntegerField(default=0)
    done = models.BooleanField(default=False)
    matched = models.PositiveIntegerField(default=0)  # pushes made
    # residents (or bills) looked at; a default in the database too, for the workers still
    # running the code before it while the migration is applied
    scanned = models.PositiveIntegerField(default=0, db_default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "day"], name="uniq_push_cursor")]

    def __str__(self) -> str:
        return f"cursor {self.rule_id} {self.day} @{self.last_person_id}"
