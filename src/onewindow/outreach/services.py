"""Push rules' writes: loading and editing rules, switching them on (with a second
operator's confirmation for a wide reach), evaluating them on events and on the daily sweep,
and telling people (quiet hours, opt-outs and the department's confirmation respected).

Each push is a :class:`PushLog` row before anything is told: unique per rule, person and
object, so an event delivered twice or a sweep run again tells nobody twice."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from onewindow.identity.selectors import PersonRow, person_row_get, person_rows_get
from onewindow.notify.services import Recipient, Tell, notify_tell_batch
from onewindow.outreach import _record as _record_
from onewindow.outreach import audit_events, rules
from onewindow.outreach._record import rule_of as rule_of
from onewindow.outreach._sweep import DELIVER_BATCH
from onewindow.outreach._sweep import BatchResult as BatchResult
from onewindow.outreach._sweep import SweepResult as SweepResult
from onewindow.outreach._sweep import push_sweep_batch as push_sweep_batch
from onewindow.outreach._sweep import push_sweep_rule as push_sweep_rule
from onewindow.outreach._sweep import push_sweep_run as push_sweep_run
from onewindow.outreach.evaluate import Candidate, Match, evaluate
from onewindow.outreach.models import PushLog, PushOptOut, PushRule

if TYPE_CHECKING:
    from onewindow.identity.models import User

log = logging.getLogger(__name__)

Status = PushLog.Status
MESSAGE_KIND = "push"
DEFAULT_CONFIRM_ABOVE = 1000


def confirm_above() -> int:
    return int(getattr(settings, "OUTREACH_CONFIRM_ABOVE", DEFAULT_CONFIRM_ABOVE))


# --- rules: files and the operators' page ----------------------------------------------------

DEFINITION = (
    "name",
    "trigger",
    "condition",
    "variables",
    "template",
    "reason",
    "object_key",
    "source_key",
    "link",
    "channels",
    "cooldown_days",
    "department_code",
    "audience_threshold",
)


def _definition(spec: rules.RuleSpec) -> dict[str, Any]:
    values = {name: getattr(spec, name) for name in DEFINITION}
    values["variables"] = list(spec.variables)
    values["channels"] = list(spec.channels)
    return values


@dataclass(frozen=True)
class SyncResult:
    created: list[str]
    updated: list[str]
    unchanged: list[str]


def push_rules_sync(*, actor: Actor, directory: Path | None = None) -> SyncResult:
    """Load every ``*.toml`` rule under ``catalog/push-rules/``. All files are checked
    first: one that does not parse refuses the whole load (naming the file and the line).
    A changed rule is switched off until an operator previews it and switches it on."""
    folder = directory or rules.rules_dir()
    specs: list[rules.RuleSpec] = []
    problems: list[FieldError] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            specs.append(rules.rule_parse_file(path))
        except ValidationFailed as exc:
            problems.extend(exc.errors)
    if problems:
        first = problems[0]
        raise ValidationFailed(first.message, field=first.field, errors=problems)
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    with transaction.atomic(durable=True):
        for spec in specs:
            values = _definition(spec)
            row = PushRule.objects.select_for_update().filter(code=spec.code).first()
            if row is None:
                PushRule.objects.create(code=spec.code, source_file=spec.source_file, **values)
                created.append(spec.code)
                continue
            if all(getattr(row, k) == v for k, v in values.items()):
                unchanged.append(spec.code)
                continue
            for key, value in values.items():
                setattr(row, key, value)
            row.source_file = spec.source_file
            _switch_off(row)
            row.save()
            updated.append(spec.code)
        audit_record(
            actor=actor,
            action=audit_events.RULES_SYNC,
            target_type="outreach.pushrule",
            changes={"created": created, "updated": updated},
        )
    return SyncResult(created=created, updated=updated, unchanged=unchanged)


def _switch_off(row: PushRule) -> None:
    row.enabled = False
    row.switch_on_requested_by = None
    row.switch_on_reach = None
    row.switched_on_by = None
    row.switched_on_at = None


def push_rule_save(*, actor: Actor, code: str | None, data: Mapping[str, Any]) -> PushRule:
    """Create or change a rule from the operators' page. Refused, with each problem at its
    field, when the condition does not parse (with its line) or a text uses a variable the
    rule does not declare. A changed rule is switched off until it is switched on again."""
    spec = rules.rule_check({**data, "code": code or data.get("code")})
    with transaction.atomic(durable=True):
        row = PushRule.objects.select_for_update().filter(code=spec.code).first()
        if code is None and row is not None:
            raise ValidationFailed(_("该规则编码已存在。"), field="code", code="duplicate")
        if code is not None and row is None:
            raise NotFound(_("没有这条推送规则。"))
        values = _definition(spec)
        if row is None:
            row = PushRule.objects.create(code=spec.code, **values)
        else:
            changed = [k for k, v in values.items() if getattr(row, k) != v]
            for key in changed:
                setattr(row, key, values[key])
            if changed:
                _switch_off(row)
            row.save()
        audit_record(
            actor=actor,
            action=audit_events.RULE_SAVE,
            target=row,
            changes={"trigger": spec.trigger, "condition": spec.condition},
        )
    return row


@dataclass(frozen=True)
class SwitchOn:
    enabled: bool  # False: waiting for a second operator
    reach: int


def push_rule_switch_on(*, user: User, code: str, reach: int | None = None) -> SwitchOn:
    """Switch a rule on. One that would reach more than its threshold (the rule's, or
    ``OUTREACH_CONFIRM_ABOVE``) needs two operators: the first asks, another confirms."""
    from onewindow.outreach.selectors import push_rule_preview

    row = PushRule.objects.filter(code=code).first()
    if row is None:
        raise NotFound(_("没有这条推送规则。"))
    if reach is None:
        reach = push_rule_preview(code=code, sample_size=0).reach
    threshold = row.audience_threshold if row.audience_threshold is not None else confirm_above()
    actor = Actor.from_user(user)
    with transaction.atomic(durable=True):
        row = PushRule.objects.select_for_update().get(pk=row.pk)
        if row.enabled:
            return SwitchOn(enabled=True, reach=reach)
        needs_two = reach > threshold
        if needs_two and row.switch_on_requested_by_id is None:
            row.switch_on_requested_by = user
            row.switch_on_reach = reach
            row.save(update_fields=["switch_on_requested_by", "switch_on_reach", "updated_at"])
            audit_record(
                actor=actor,
                action=audit_events.RULE_SWITCH_ON_REQUEST,
                target=row,
                changes={"reach": reach, "threshold": threshold},
            )
            return SwitchOn(enabled=False, reach=reach)
        if needs_two and row.switch_on_requested_by_id == user.pk:
            raise PermissionDenied(
                ngettext(
                    "该规则将推送给 %(reach)d 人，须由另一名操作员确认后才能启用。",
                    "该规则将推送给 %(reach)d 人，须由另一名操作员确认后才能启用。",
                    reach,
                )
                % {"reach": reach},
                code="second_operator",
            )
        row.enabled = True
        row.switched_on_by = user
        row.switched_on_at = timezone.now()
        row.save()
        if row.trigger in rules.SWEPT:  # today's sweep, not tomorrow's only
            transaction.on_commit(_sweep_soon)
        audit_record(
            actor=actor,
            action=audit_events.RULE_SWITCH_ON,
            target=row,
            changes={
                "reach": reach,
                "asked_by": row.switch_on_requested_by_id,
                "confirmed_by": user.pk,
            },
        )
    return SwitchOn(enabled=True, reach=reach)


def _sweep_soon() -> None:
    from onewindow.outreach.tasks import sweep

    sweep.delay()


def push_rule_switch_off(*, user: User, code: str) -> None:
    with transaction.atomic(durable=True):
        row = PushRule.objects.select_for_update().filter(code=code).first()
        if row is None:
            raise NotFound(_("没有这条推送规则。"))
        _switch_off(row)
        row.save()
        audit_record(actor=Actor.from_user(user), action=audit_events.RULE_SWITCH_OFF, target=row)


# --- when a push may go ----------------------------------------------------------------------


def _record(rule: PushRule, match: Match, now: datetime.datetime) -> PushLog | None:
    """The push's row, or None when it is one already made, the rule is cooling down for
    the person or they turned it off. Runs in the caller's transaction. Told at once: the
    in-app message arrives now, and notify holds the SMS, email and WeChat message to the
    end of the resident's own quiet hours (22:00–08:00 unless they chose others)."""
    made = _record_.record_many(rule, [match], now)
    return made[0] if made else None


_enqueue = _record_.enqueue


# --- on events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushEvent:
    trigger: str  # of rules.TRIGGERS
    person_id: int
    object_key: str  # what it is about ("case-news:812", "licence:GZ…")
    facts: Mapping[str, Any]  # the event's facts (strings, numbers, booleans)
    # Where what it is about asks to be told (a bill's subscription); None: the rule's channels.
    channels: tuple[str, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "trigger": self.trigger,
            "person_id": self.person_id,
            "object_key": self.object_key,
            "facts": dict(self.facts),
            "channels": None if self.channels is None else list(self.channels),
        }


def event_channels(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(c) for c in value)


def outreach_event_raise(
    *,
    trigger: str,
    person_id: int,
    object_key: str,
    facts: Mapping[str, Any] | None = None,
    channels: Collection[str] | None = None,
) -> None:
    """The front door for other apps' news (a disclosure app's ``policy.published``): the
    rules of ``trigger`` are evaluated for the person in a worker, after the caller's
    transaction commits. ``channels`` narrows the rules' channels (a bill's subscription)."""
    if trigger not in rules.TRIGGERS or trigger in rules.POPULATION:
        raise ValueError(f"unknown event trigger {trigger!r}")
    event = PushEvent(
        trigger=trigger,
        person_id=person_id,
        object_key=object_key,
        facts=dict(facts or {}),
        channels=event_channels(channels),
    )

    def handle() -> None:
        from onewindow.outreach.tasks import handle_event

        handle_event.delay(event.as_dict())

    transaction.on_commit(handle)


def push_event_handle(*, event: PushEvent, now: datetime.datetime | None = None) -> list[int]:
    """Evaluate the switched-on rules of the event's trigger for its person; record and
    queue what they tell. Returns the new pushes' ids."""
    now = now or timezone.now()
    row = person_row_get(pk=event.person_id)
    found = list(PushRule.objects.filter(enabled=True, trigger=event.trigger))
    if row is None or not found:
        return []
    candidate = Candidate(
        row=row,
        facts={**event.facts, "event_object": event.object_key},
        object_key=event.object_key,
        channels=event.channels,
    )
    matches = [(rule, evaluate(rule_of(rule), candidate)) for rule in found]
    made: list[int] = []
    due: list[int] = []
    with transaction.atomic(durable=True):
        for rule, match in matches:
            if match is None:
                continue
            pushes = _record_.record_many(rule, [match], now)
            made.extend(p.pk for p in pushes)
            due.extend(_record_.due(pushes))
        if made:
            audit_record(
                actor=Actor.system("outreach"),
                action=audit_events.PUSH_EVENT,
                target_type="outreach.pushlog",
                changes={"trigger": event.trigger, "object": event.object_key, "pushes": made},
            )
        _enqueue(due)
    return made


# --- on the schedule: the daily sweep (in _sweep) -------------------------------------------

# push_sweep_batch, push_sweep_rule, push_sweep_run: see onewindow.outreach._sweep.


# --- telling ---------------------------------------------------------------------------------


def push_deliver(*, push_id: int, now: datetime.datetime | None = None) -> str:
    """Tell one push (see :func:`push_deliver_batch`). Returns its new status, or "" when
    it is not due or someone else took it."""
    return push_deliver_batch(push_ids=[push_id], now=now).get(push_id, "")


def push_deliver_batch(
    *, push_ids: Collection[int], now: datetime.datetime | None = None
) -> dict[int, str]:
    """Tell these pushes, in one transaction with one audit row: each in-app with its
    reason, and by the rule's other channels the resident accepts (notify's batch front
    door: the rows written together, the sends handed over once). A push whose resident
    turned its rule off becomes ``opted_out``. Returns the new status of each push told;
    those not due, or taken by another worker, are left out."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        pushes = list(
            PushLog.objects.select_for_update(of=("self",))  # not the rule: sweeps insert under it
            .filter(
                pk__in=sorted(set(push_ids)),
                status__in=[Status.PENDING, Status.DEFERRED],
                send_at__lte=now,
            )
            .select_related("rule")
            .order_by("pk")
        )
        if not pushes:
            return {}
        refused = _record_.opted_out_pairs({(p.rule_id, p.user_id) for p in pushes})
        going = [p for p in pushes if (p.rule_id, p.user_id) not in refused]
        rows = person_rows_get(pks={p.person_id for p in going})
        told = notify_tell_batch(
            template="push_reminder",
            kind=MESSAGE_KIND,
            quiet_hours=True,
            tells=[
                Tell(
                    recipient=Recipient(
                        user_id=p.user_id,
                        phone=rows[p.person_id].phone if p.person_id in rows else "",
                    ),
                    params={"text": p.text},
                    source_key=p.source_key,
                    link=p.link,
                    channels=list(p.channels),
                    reason=p.reason,
                )
                for p in going
            ],
        )
        outcome: dict[int, str] = {
            p.pk: str(Status.OPTED_OUT) for p in pushes if (p.rule_id, p.user_id) in refused
        }
        for push, result in zip(going, told, strict=True):
            sent = result.message or result.sms or result.email or result.wechat
            outcome[push.pk] = str(Status.SENT if sent else Status.ALREADY_TOLD)
        for status in {Status.SENT, Status.ALREADY_TOLD}:
            PushLog.objects.filter(pk__in=[pk for pk, s in outcome.items() if s == status]).update(
                status=status, sent_at=now
            )
        PushLog.objects.filter(
            pk__in=[pk for pk, s in outcome.items() if s == Status.OPTED_OUT]
        ).update(status=Status.OPTED_OUT)
        audit_record(
            actor=Actor.system("outreach"),
            action=audit_events.PUSH_SEND,
            target=pushes[0] if len(pushes) == 1 else None,
            target_type="outreach.pushlog",
            changes={
                "rules": sorted({p.rule.code for p in pushes}),
                "pushes": {str(pk): status for pk, status in outcome.items()},
            },
        )
    return outcome


def push_deliver_due(*, now: datetime.datetime | None = None, limit: int = 1000) -> int:
    """Tell the pushes whose time has come (those held over the quiet hours, and any a
    worker lost), a batch at a time."""
    now = now or timezone.now()
    ids = list(
        PushLog.objects.filter(status__in=[Status.PENDING, Status.DEFERRED], send_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(
        len(push_deliver_batch(push_ids=ids[i : i + DELIVER_BATCH], now=now))
        for i in range(0, len(ids), DELIVER_BATCH)
    )


# --- 免申即享: the owning department confirms the matched list ----------------------------


def push_department_confirm(
    *,
    user: User,
    rule_code: str,
    withdraw: Collection[int] = (),
    now: datetime.datetime | None = None,
) -> int:
    """Staff of the rule's owning department confirm its matched list: the pushes they did
    not strike off go (their SMS held over the residents' quiet hours). Returns how many
    were confirmed."""
    from onewindow.identity.selectors import staff_departments_for

    now = now or timezone.now()
    rule = PushRule.objects.filter(code=rule_code).first()
    if rule is None or not rule.department_code:
        raise NotFound(_("没有这条推送规则。"))
    if rule.department_code not in {d.code for d in staff_departments_for(user)}:
        raise PermissionDenied(_("只有规则所属部门的工作人员才能确认名单。"))
    with transaction.atomic(durable=True):
        waiting = PushLog.objects.select_for_update().filter(
            rule=rule, status=Status.AWAITING_DEPARTMENT
        )
        struck = list(waiting.filter(pk__in=list(withdraw)).values_list("pk", flat=True))
        PushLog.objects.filter(pk__in=struck).update(status=Status.WITHDRAWN)
        confirmed = list(waiting.exclude(pk__in=struck).values_list("pk", flat=True))
        PushLog.objects.filter(pk__in=confirmed).update(status=Status.PENDING, send_at=now)
        audit_record(
            actor=Actor.from_user(user),
            action=audit_events.PUSH_CONFIRM,
            target=rule,
            changes={"confirmed": len(confirmed), "withdrawn": struck},
        )
        _enqueue(confirmed)
    return len(confirmed)


# --- the resident ----------------------------------------------------------------------------


def push_rule_opt_out(*, user: User, rule_code: str) -> None:
    """The resident turns a rule off (不再接收): it tells them nothing more, including what
    is waiting for the morning."""
    rule = PushRule.objects.filter(code=rule_code).first()
    if rule is None:
        raise NotFound(_("没有这条推送规则。"))
    with transaction.atomic(durable=True):
        _row, created = PushOptOut.objects.get_or_create(user_id=user.pk, rule=rule)
        if not created:
            return
        PushLog.objects.filter(
            rule=rule,
            user_id=user.pk,
            status__in=[Status.PENDING, Status.DEFERRED, Status.AWAITING_DEPARTMENT],
        ).update(status=Status.OPTED_OUT)
        audit_record(
            actor=Actor.from_user(user),
            action=audit_events.PUSH_OPT_OUT,
            target=rule,
            changes={"user": user.pk},
        )


# --- the demo --------------------------------------------------------------------------------


def outreach_demo_seed(
    *,
    person_id: int,
    valid_until: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[int]:
    """Make the demo resident receive the ID-card reminder: their card runs out in 60 days,
    the rules are loaded and the ID-card rule switched on (the demo city's operator), and
    the rule is evaluated for them at once. Returns the pushes made."""
    from onewindow.identity.services import person_id_card_validity_set

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    actor = Actor.system("demo")
    person_id_card_validity_set(
        actor=actor,
        person_id=person_id,
        valid_until=valid_until or today + datetime.timedelta(days=60),
    )
    if not PushRule.objects.filter(code=ID_CARD_RULE).exists():
        push_rules_sync(actor=actor)
    with transaction.atomic(durable=True):
        rule = PushRule.objects.select_for_update().get(code=ID_CARD_RULE)
        if not rule.enabled:
            rule.enabled = True
            rule.switched_on_at = now
            rule.save()
            audit_record(
                actor=actor,
                action=audit_events.RULE_SWITCH_ON,
                target=rule,
                changes={"demo": True},
            )
    return push_person_evaluate(rule_code=ID_CARD_RULE, person_id=person_id, now=now)


ID_CARD_RULE = "id-card-expiring"


def push_person_evaluate(
    *, rule_code: str, person_id: int, now: datetime.datetime | None = None
) -> list[int]:
    """Evaluate one scheduled rule for one person now (outside the daily sweep)."""
    now = now or timezone.now()
    rule = PushRule.objects.get(code=rule_code)
    row: PersonRow | None = person_row_get(pk=person_id)
    if row is None or not rule.enabled:
        return []
    match = evaluate(rule_of(rule), Candidate(row=row), today=timezone.localtime(now).date())
    if match is None:
        return []
    with transaction.atomic(durable=True):
        push = _record(rule, match, now)
        if push is None:
            return []
        audit_record(
            actor=Actor.system("outreach"),
            action=audit_events.PUSH_BATCH,
            target=rule,
            changes={"scanned": 1, "pushes": 1, "person": person_id},
        )
        _enqueue(_record_.due([push]))
    return [push.pk]
