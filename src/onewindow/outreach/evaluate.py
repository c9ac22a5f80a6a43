"""Whether a rule concerns a person, and what it would tell them: pure, no writes."""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from onewindow.identity.selectors import PersonRow, person_row_get, person_rows_after
from onewindow.outreach import rules
from onewindow.outreach.facts import PersonFacts, bill_channels, bill_facts, bill_object, bills_due
from onewindow.workflow import expressions

log = logging.getLogger(__name__)

BATCH = 500
# The bills a daily sweep of a bill rule looks at: due from a month ago to as far ahead as a
# subscription may ask to be told (bills' remind_days_before is 0 to 15 days).
BILLS_BACK_DAYS = 30
BILLS_AHEAD_DAYS = 15


@dataclass(frozen=True)
class Rule:
    """A rule as evaluation needs it (from the row or from a file's spec)."""

    id: int
    code: str
    trigger: str
    condition: str
    variables: tuple[str, ...]
    template: str
    reason: str
    object_key: str
    source_key: str
    link: str
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    row: PersonRow
    facts: Mapping[str, Any] = field(default_factory=dict)  # the event's
    object_key: str = ""  # what the event is about (when the rule names no object)
    # Where what it is about asks to be told (a bill's subscription); None: the rule's channels.
    channels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Match:
    person_id: int
    user_id: int | None
    phone: str
    region_code: str
    object_key: str
    source_key: str
    text: str
    reason: str
    link: str
    channels: tuple[str, ...]


def person_names(rule: Rule) -> frozenset[str]:
    """The person facts the rule reads (its condition and its texts)."""
    return _person_names(rule.condition, rule.variables)


@functools.lru_cache(maxsize=256)
def _person_names(condition: str, variables: tuple[str, ...]) -> frozenset[str]:
    return frozenset((rules.names_read(condition) | set(variables)) & rules.PERSON_FACTS)


def evaluate(
    rule: Rule, candidate: Candidate, *, today: datetime.date | None = None
) -> Match | None:
    facts = PersonFacts(candidate.row, today=today)
    values: dict[str, Any] = dict.fromkeys(rules.available_facts(rule.trigger))
    values.update(facts.values(sorted(person_names(rule))))
    values.update(candidate.facts)
    try:
        hit = bool(expressions.evaluate(rule.condition, values))
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError) as exc:
        log.debug("rule %s on person %s: %s", rule.code, candidate.row.pk, exc)
        return None
    if not hit:
        return None
    shown = {name: values.get(name) for name in rule.variables}
    object_key = rules.render(rule.object_key, shown) if rule.object_key else candidate.object_key
    source_key = (
        rules.render(rule.source_key, shown)
        if rule.source_key
        else f"push:{rule.code}:{object_key}"
    )
    return Match(
        person_id=candidate.row.pk,
        user_id=candidate.row.user_id,
        phone=candidate.row.phone,
        region_code=candidate.row.region_code,
        object_key=object_key[:200],
        source_key=source_key[:200],
        text=rules.render(rule.template, shown),
        reason=rules.render(rule.reason, shown)[:200],
        link=rules.render(rule.link, shown)[:300],
        channels=_channels(rule.channels, candidate.channels),
    )


def _channels(rule: tuple[str, ...], wanted: tuple[str, ...] | None) -> tuple[str, ...]:
    """The rule's channels, narrowed to those the candidate's subject asks for."""
    if wanted is None:
        return rule
    return tuple(c for c in rule if c in wanted)


# --- who a rule looks at ---------------------------------------------------------------------


def population(after_pk: int = 0, *, batch: int = BATCH) -> Iterator[list[PersonRow]]:
    """The residents, one batch at a time (never all of them at once), without their phone
    numbers (a push reads the number when it is told)."""
    while True:
        rows = person_rows_after(after_pk=after_pk, limit=batch, phone=False)
        if not rows:
            return
        yield rows
        after_pk = rows[-1].pk


def bill_candidates(trigger: str, today: datetime.date) -> Iterator[Candidate]:
    """The residents with an unpaid bill a bill rule may be about, with the bill's facts and
    the channels its subscription chose."""
    if trigger == rules.BILL_OVERDUE:
        start = today - datetime.timedelta(days=BILLS_BACK_DAYS)
        end = today - datetime.timedelta(days=1)
    else:
        start, end = today, today + datetime.timedelta(days=BILLS_AHEAD_DAYS)
    rows: dict[int, PersonRow | None] = {}
    for bill in bills_due(start, end):
        if bill.person_id not in rows:
            rows[bill.person_id] = person_row_get(pk=bill.person_id)
        row = rows[bill.person_id]
        if row is None:
            continue
        yield Candidate(
            row=row,
            facts=bill_facts(bill, today),
            object_key=bill_object(bill),
            channels=bill_channels(bill),
        )
