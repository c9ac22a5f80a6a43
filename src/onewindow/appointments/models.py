"""Appointment slots at a counter (e.g. a marriage registry): a resource with a weekly
template, slot rows generated for the coming working days, and bookings that take a place.

``Slot.booked`` counts the active bookings; it only changes with a conditional UPDATE under
the slot's row lock, so the last place cannot be taken twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DEFAULT_HOURS: dict[str, list[list[str]]] = {
    str(weekday): [["09:00", "12:00"], ["14:00", "17:00"]] for weekday in range(1, 6)
}


def default_hours() -> dict[str, list[list[str]]]:
    return {k: [list(p) for p in v] for k, v in DEFAULT_HOURS.items()}


class AppointmentResource(models.Model):
    """A counter that takes appointments. ``hours`` maps the ISO weekday ("1" = Monday …
    "7" = Sunday) to opening periods ``[["09:00", "12:00"], …]``; a make-up working day
    (调休) on a weekend opens with Monday's hours."""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    department = models.ForeignKey(
        "identity.Department", on_delete=models.PROTECT, related_name="appointment_resources"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("每个时段（分钟）"), default=30)
    capacity = models.PositiveSmallIntegerField(_("每个时段可预约数"), default=4)
    hours = models.JSONField(_("开放时间"), default=default_hours)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("预约场所")
        verbose_name_plural = _("预约场所")

    def __str__(self) -> str:
        return self.name


class Slot(models.Model):
    resource = models.ForeignKey(
        AppointmentResource, on_delete=models.CASCADE, related_name="slots"
    )
    day = models.DateField(_("日期"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约数"))
    booked = models.PositiveSmallIntegerField(_("已预约数"), default=0)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "starts_at"], name="slot_unique_start"),
            models.CheckConstraint(
                condition=Q(booked__lte=models.F("capacity")), name="slot_booked_within_capacity"
            ),
        ]
        indexes = [models.Index(fields=["resource", "day"])]

    def __str__(self) -> str:
        return f"{self.resource.code} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CANCELLED = "cancelled", _("已取消")
        ATTENDED = "attended", _("已到场")
        NO_SHOW = "no_show", _("未到场")

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="bookings"
    )
    person = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The office's check-in or no-show mark: when, by which clerk.
    marked_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who of the persons the service expects at the counter (``appointment.attend``: the
    # applicant, a party such as the partner) the office has checked in; the booking is
    # 已到场 once all of them are.
    checked_in = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="booked"), name="booking_one_active_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slot} ({self.status})"
