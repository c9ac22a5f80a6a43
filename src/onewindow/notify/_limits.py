"""Rate limits on pushes: how many notifications a person (by phone and by account) and a
template were sent in each window of ``NOTIFY_LIMITS_PER_RECIPIENT`` and
``NOTIFY_LIMITS_PER_TEMPLATE``. Read for many people at once with one query per table
(by the indexed phone and account columns, within the longest window), a template's count
bounded by its limit, and kept up to date as a batch sends more."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q

from onewindow.notify.models import Delivery, SmsMessage

# Rows held for the digest (or gone out in one) are not sends of their own.
NOT_SENT = (Delivery.Status.HELD, Delivery.Status.DIGESTED)


class SendCounts:
    """The sends in each window to these people (their phone index and account) and with
    ``template``, as of ``now``."""

    def __init__(
        self,
        *,
        template: str,
        people: Iterable[tuple[int | None, str]],
        now: datetime,
    ) -> None:
        self.per_recipient = [(int(s), int(m)) for s, m in settings.NOTIFY_LIMITS_PER_RECIPIENT]
        self.per_template = [(int(s), int(m)) for s, m in settings.NOTIFY_LIMITS_PER_TEMPLATE]
        self.sms: dict[str, list[int]] = {}
        self.others: dict[int, list[int]] = {}
        self.template: list[int] = []
        wanted = list(people)
        bidxs = sorted({b for _, b in wanted if b})
        users = sorted({u for u, _ in wanted if u})
        if self.per_recipient and (bidxs or users):
            self._load_people(bidxs, users, now)
        for seconds, most in self.per_template:
            since = now - timedelta(seconds=seconds)
            sms = SmsMessage.objects.filter(template=template, created_at__gte=since)
            others = Delivery.objects.filter(template=template, created_at__gte=since).exclude(
                status__in=NOT_SENT
            )
            # at most ``most`` rows of each are counted: enough to tell whether it is reached
            self.template.append(sms.order_by()[:most].count() + others.order_by()[:most].count())

    def _load_people(self, bidxs: list[str], users: list[int], now: datetime) -> None:
        longest = now - timedelta(seconds=max(s for s, _ in self.per_recipient))
        windows = {
            f"w{i}": Count("pk", filter=Q(created_at__gte=now - timedelta(seconds=s)))
            for i, (s, _) in enumerate(self.per_recipient)
        }
        names = list(windows)
        if bidxs:
            for row in (
                SmsMessage.objects.filter(phone_bidx__in=bidxs, created_at__gte=longest)
                .values("phone_bidx")
                .order_by()
                .annotate(**windows)
            ):
                self.sms[row["phone_bidx"]] = [int(row[n]) for n in names]
        if users:
            for row in (
                Delivery.objects.filter(recipient_id__in=users, created_at__gte=longest)
                .exclude(status__in=NOT_SENT)
                .values("recipient_id")
                .order_by()
                .annotate(**windows)
            ):
                self.others[row["recipient_id"]] = [int(row[n]) for n in names]

    def allowed(self, *, user_id: int | None, bidx: str) -> bool:
        """Whether a push to this person may go out by SMS, email or WeChat now."""
        for (_seconds, most), count in zip(self.per_template, self.template, strict=True):
            if count >= most:
                return False
        zero = [0] * len(self.per_recipient)
        sms = self.sms.get(bidx, zero) if bidx else zero
        others = self.others.get(user_id, zero) if user_id else zero
        for i, (_seconds, most) in enumerate(self.per_recipient):
            if sms[i] + others[i] >= most:
                return False
        return True

    def sent(self, *, user_id: int | None, bidx: str, sms: int = 0, others: int = 0) -> None:
        """Count what was just written for this person (it falls in every window)."""
        n = len(self.per_recipient)
        if sms and bidx:
            counts = self.sms.setdefault(bidx, [0] * n)
            self.sms[bidx] = [c + sms for c in counts]
        if others and user_id:
            counts = self.others.setdefault(user_id, [0] * n)
            self.others[user_id] = [c + others for c in counts]
        self.template = [c + sms + others for c in self.template]
