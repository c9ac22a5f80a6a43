"""What the hotline office's dispatch desk (派单台) reads besides its queue: an order by its
number, with its attachments' names, the departments' parts, and what waits for the office's
decision (派单异议, 延期)."""

from __future__ import annotations

from dataclasses import dataclass

from onewindow.interaction.models import Assignment, Extension, Request


@dataclass(frozen=True)
class PendingExtension:
    id: int
    department_name: str
    working_days: int
    reason: str


def request_id_for_number(*, number: str) -> int | None:
    return Request.objects.filter(number=number).values_list("pk", flat=True).first()


def request_for_desk(*, number: str) -> Request | None:
    """The order with its category, for the dispatcher (the view masks the contact)."""
    return Request.objects.select_related("category").filter(number=number).first()


def request_attachment_names(*, request_id: int) -> list[str]:
    return list(
        Request.objects.get(pk=request_id).attachments.order_by("pk").values_list("name", flat=True)
    )


def request_parts(*, request_id: int) -> list[Assignment]:
    return list(
        Assignment.objects.filter(request_id=request_id).select_related("department").order_by("pk")
    )


def request_extension_pending(*, request_id: int) -> PendingExtension | None:
    found = (
        Extension.objects.filter(assignment__request_id=request_id, status=Extension.Status.PENDING)
        .select_related("assignment__department")
        .first()
    )
    if found is None:
        return None
    return PendingExtension(
        id=found.pk,
        department_name=found.assignment.department.name,
        working_days=found.working_days,
        reason=found.reason,
    )


def requests_awaiting_office(*, limit: int = 50) -> list[tuple[str, str]]:
    """Orders with an objection or an extension to decide, oldest first: (number, title).
    Their ids come from the partial indexes of what waits (``interaction_assign_objected``,
    ``interaction_extension_pending``), never from a walk over every order."""
    objected = Assignment.objects.filter(status=Assignment.Status.OBJECTED).order_by()
    extended = Extension.objects.filter(status=Extension.Status.PENDING).order_by()
    waiting = objected.values("request_id").union(extended.values("assignment__request_id"))
    rows = Request.objects.filter(pk__in=waiting).order_by("registered_at", "pk")
    return list(rows.values_list("number", "title")[:limit])
