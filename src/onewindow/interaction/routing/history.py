"""The requests the hotline has routed, as training rows: what the requester wrote, the
category the dispatcher settled on, and the category's department line (the code the
category tree names, as the training set does: which office of that line answers in a
district is the dispatch catalogue's business, not the classifier's)."""

from __future__ import annotations

from collections.abc import Iterator

from onewindow.interaction.models import Request
from onewindow.interaction.routing.corpus import LabelledRequest

ROUTED = (Request.Status.ANSWERED, Request.Status.CONCLUDED)


def routed_requests(*, batch: int = 2000) -> Iterator[LabelledRequest]:
    rows = (
        Request.objects.filter(status__in=ROUTED, category__isnull=False, department__isnull=False)
        .values_list(
            "title",
            "content",
            "kind",
            "category__code",
            "category__department_code",
            "department__code",
            "region_code",
        )
        .order_by("pk")
    )
    for title, content, kind, category, line, department, region in rows.iterator(chunk_size=batch):
        yield LabelledRequest(
            text=f"{title} {content}".strip(),
            kind=kind,
            category=category,
            department=line or department,
            district=region,
        )
