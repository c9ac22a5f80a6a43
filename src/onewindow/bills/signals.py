"""What the bills app tells other apps.

``bill_arrived`` is sent after the commit that stored a new bill, once per bill, with
``sender=BillSummary`` and ``bill=`` a :class:`onewindow.bills.selectors.BillSummary`. The
history a new binding brings in on its first sync is announced only for the bills in it
that are still unpaid. Receivers run outside the sync's transaction: what they write is
their own, and one that raises does not undo the bill."""

from __future__ import annotations

from django.dispatch import Signal

bill_arrived = Signal()
