"""Admin: the counters (opening hours, slot length, capacity) are edited here; slots and
bookings are shown read-only (bookings change through the services only)."""

from __future__ import annotations

from django.contrib import admin

from onewindow.appointments.models import AppointmentResource, Booking, Slot
from onewindow.audit.admin_audit import AuditedModelAdmin, ReadOnlyModelAdmin


@admin.register(AppointmentResource)
class AppointmentResourceAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "department", "slot_minutes", "capacity", "is_active")
    search_fields = ("code", "name")
    list_filter = ("is_active",)


@admin.register(Slot)
class SlotAdmin(ReadOnlyModelAdmin):
    list_display = ("resource", "starts_at", "capacity", "booked")
    list_filter = ("resource", "day")
    date_hierarchy = "day"


@admin.register(Booking)
class BookingAdmin(ReadOnlyModelAdmin):
    list_display = ("slot", "status", "case", "created_at", "reminded_at")
    list_filter = ("status",)
    raw_id_fields = ("slot", "case", "person", "created_by")
