"""Push rules' reads: the preview an operator sees before switching a rule on, the pushes a
resident received and why, and the matched list a department confirms."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from onewindow.core.masking import mask_name, mask_phone
from onewindow.identity.selectors import person_row_get
from onewindow.outreach import rules
from onewindow.outreach.evaluate import Candidate, bill_candidates, evaluate, population
from onewindow.outreach.facts import district_name
from onewindow.outreach.models import PushLog, PushOptOut, PushRule
from onewindow.outreach.services import rule_of


@dataclass(frozen=True)
class SampleEntry:
    name: str  # masked
    phone: str  # masked
    district: str
    reason: str


@dataclass(frozen=True)
class Preview:
    code: str
    reach: int
    scanned: int
    sample: list[SampleEntry]
    by_district: list[tuple[str, int]]  # (district name, count), most first


def push_rule_preview(
    *, code: str, sample_size: int = 5, today: datetime.date | None = None
) -> Preview:
    """Whom the rule would reach today: over the whole population (batch by batch), or for a
    bill rule over the bills due; a rule on events is judged on the person facts it reads
    (the event's own facts unknown)."""
    rule = PushRule.objects.get(code=code)
    spec = rule_of(rule)
    today = today or timezone.localdate()
    reach = scanned = 0
    sample: list[SampleEntry] = []
    districts: Counter[str] = Counter()
    seen: set[int] = set()

    def candidates() -> Iterable[Candidate]:
        if rule.trigger in (rules.BILL_DUE, rules.BILL_OVERDUE):
            yield from bill_candidates(rule.trigger, today)
            return
        for batch in population():
            for row in batch:
                yield Candidate(row=row)

    for candidate in candidates():
        scanned += 1
        match = evaluate(spec, candidate, today=today)
        if match is None or match.person_id in seen:
            continue
        seen.add(match.person_id)
        reach += 1
        districts[district_name(match.region_code) or "—"] += 1
        if len(sample) < sample_size:
            full = person_row_get(pk=match.person_id)  # the sweep's rows carry no phone
            sample.append(
                SampleEntry(
                    name=mask_name(candidate.row.name),
                    phone=mask_phone(full.phone if full else ""),
                    district=district_name(match.region_code),
                    reason=match.reason,
                )
            )
    return Preview(
        code=code,
        reach=reach,
        scanned=scanned,
        sample=sample,
        by_district=sorted(districts.items(), key=lambda kv: (-kv[1], kv[0])),
    )


def push_rules_all() -> QuerySet[PushRule]:
    return PushRule.objects.select_related("switch_on_requested_by", "switched_on_by").order_by(
        "code"
    )


def push_rule_get(*, code: str) -> PushRule | None:
    return PushRule.objects.filter(code=code).first()


@dataclass(frozen=True)
class PushReason:
    """Why a pushed message came ("因为……"), and where the resident turns its rule off
    ('' once they have)."""

    text: str
    turn_off_url: str = ""


def push_reasons(*, user_id: int, source_keys: Iterable[str]) -> dict[str, PushReason]:
    """Why the resident got each of these messages (by ``source_key``), for the pushed ones
    among them, with the link to the push on 我收到的推送 where its rule is turned off."""
    from django.urls import reverse

    keys = list(dict.fromkeys(source_keys))
    rows = PushLog.objects.filter(user_id=user_id, source_key__in=keys).exclude(reason="")
    off = set(PushOptOut.objects.filter(user_id=user_id).values_list("rule_id", flat=True))
    mine = reverse("outreach:my_pushes")
    return {
        key: PushReason(text=reason, turn_off_url="" if rule_id in off else f"{mine}#push-{pk}")
        for pk, key, reason, rule_id in rows.values_list("pk", "source_key", "reason", "rule_id")
    }


@dataclass(frozen=True)
class ReceivedPush:
    id: int
    rule_code: str
    rule_name: str
    text: str
    reason: str
    link: str
    status: str
    at: datetime.datetime
    opted_out: bool


SHOWN = (PushLog.Status.SENT, PushLog.Status.ALREADY_TOLD, PushLog.Status.DEFERRED)


def pushes_for_user(*, user_id: int, limit: int = 50) -> list[ReceivedPush]:
    """What rules told the resident (and what waits for the morning), newest first."""
    off = set(PushOptOut.objects.filter(user_id=user_id).values_list("rule_id", flat=True))
    rows = (
        PushLog.objects.filter(user_id=user_id, status__in=SHOWN)
        .select_related("rule")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        ReceivedPush(
            id=row.pk,
            rule_code=row.rule.code,
            rule_name=row.rule.name,
            text=row.text,
            reason=row.reason,
            link=row.link,
            status=row.status,
            at=row.sent_at or row.send_at,
            opted_out=row.rule_id in off,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class AwaitingEntry:
    id: int
    name: str  # masked
    district: str
    reason: str


def push_awaiting_department(
    *, department_codes: Iterable[str]
) -> list[tuple[PushRule, list[AwaitingEntry]]]:
    """The 免申即享 rules of these departments with the matched list waiting for them."""
    out: list[tuple[PushRule, list[AwaitingEntry]]] = []
    for rule in PushRule.objects.filter(department_code__in=list(department_codes)).order_by(
        "code"
    ):
        rows = PushLog.objects.filter(rule=rule, status=PushLog.Status.AWAITING_DEPARTMENT)[:200]
        entries = []
        for row in rows:
            person = person_row_get(pk=row.person_id)
            entries.append(
                AwaitingEntry(
                    id=row.pk,
                    name=mask_name(person.name if person else ""),
                    district=district_name(row.region_code),
                    reason=row.reason,
                )
            )
        out.append((rule, entries))
    return out
