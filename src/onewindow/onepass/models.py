"""A resident's library card and volunteer registration, and what OneWindow last heard
from the library and the volunteer platform (so the page can say when, if they are down)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.fields import EncryptedTextField


class LibraryCard(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_card"
    )
    patron_id = models.CharField(_("读者证号"), max_length=32)
    password = EncryptedTextField(_("读者证密码"))
    provider = models.CharField(max_length=16)
    opened_online = models.BooleanField(default=False)
    bound_at = models.DateTimeField(auto_now_add=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("读者证")
        verbose_name_plural = _("读者证")

    def __str__(self) -> str:
        return self.masked_patron_id

    @property
    def masked_patron_id(self) -> str:
        tail = self.patron_id[-4:]
        return "*" * max(len(self.patron_id) - 4, 0) + tail


class LoanRecord(models.Model):
    card = models.ForeignKey(LibraryCard, on_delete=models.CASCADE, related_name="loans")
    item_id = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    author = models.CharField(max_length=100, blank=True)
    due_on = models.DateField(db_index=True)
    renewable = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["card", "item_id"], name="onepass_loan_once_per_card")
        ]
        ordering = ["due_on", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on})"


class HoldRecord(models.Model):
    card = models.ForeignKey(LibraryCard, on_delete=models.CASCADE, related_name="holds")
    item_id = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    available = models.BooleanField(default=False)
    queue_position = models.PositiveIntegerField(null=True, blank=True)
    pickup_location = models.CharField(max_length=100, blank=True)
    placed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["card", "item_id"], name="onepass_hold_once_per_card")
        ]
        ordering = ["placed_at"]

    def __str__(self) -> str:
        return self.title


class Volunteer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer"
    )
    volunteer_id = models.CharField(_("志愿者编号"), max_length=32)
    provider = models.CharField(max_length=16)
    region_code = models.CharField(max_length=6)
    registered_at = models.DateTimeField(auto_now_add=True)
    total_hours = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_failed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.volunteer_id


class ActivitySignup(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups")
    activity_id = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    organiser = models.CharField(max_length=100, blank=True)
    place = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "activity_id"], name="onepass_signup_once")
        ]
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title


class ServiceHour(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours")
    record_id = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    organiser = models.CharField(max_length=100, blank=True)
    served_on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "record_id"], name="onepass_hour_once")
        ]
        ordering = ["-served_on"]

    def __str__(self) -> str:
        return f"{self.title} {self.hours}"


class HoursCertificate(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="certificates")
    licence_id = models.PositiveBigIntegerField()
    licence_number = models.CharField(max_length=64)
    total_hours = models.DecimalField(max_digits=7, decimal_places=1)
    issued_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.licence_number
