"""The invitation to rate (邀评): a case or request concluded three days ago and more, not yet
rated and not yet invited, is invited once — by SMS with a one-time link (no sign-in needed)
to the phone on the rater's real-name record, and in the message centre with a link to the
rating page. Run daily by beat (``ratings.invite_unrated``)."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from onewindow.audit.services import Actor, audit_record
from onewindow.notify.services import CHANNEL_INAPP, CHANNEL_SMS, Recipient, Tell, notify_tell_batch
from onewindow.ratings import audit_events
from onewindow.ratings.models import Subject
from onewindow.ratings.services.links import link_issue

# 办结超3天未评价: invited once the fourth day begins
INVITE_AFTER_DAYS = 3
# what concluded longer ago than this is not invited any more (a sweep that did not run for a
# while, or subjects registered from before the ratings app, send no late bursts)
INVITE_WITHIN_DAYS = 30
BATCH = 200
KIND = "ratings"
SMS_TEMPLATE = "rating_invite"
INAPP_TEMPLATE = "rating_invite_inapp"


def _due(now: datetime.datetime) -> Q:
    return Q(
        invited_at__isnull=True,
        rating__isnull=True,
        concluded_at__lte=now - datetime.timedelta(days=INVITE_AFTER_DAYS),
        concluded_at__gte=now - datetime.timedelta(days=INVITE_WITHIN_DAYS),
    ) & (Q(rater__isnull=False) | Q(person__isnull=False))


def _phone(subject: Subject) -> str:
    person = subject.person
    return str(person.phone or "") if person is not None else ""


def _invite_batch(*, now: datetime.datetime, size: int) -> int:
    """One batch, one transaction, one audit row: the subjects are locked (others' sweeps
    skip them), each rater is told, and the subjects are marked invited."""
    with transaction.atomic(durable=True):
        rows = Subject.objects.filter(_due(now)).select_related("person").order_by("concluded_at")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        subjects = list(rows[:size])
        if not subjects:
            return 0
        inapp: list[Tell] = []
        sms: list[Tell] = []
        for subject in subjects:
            params = {"title": subject.title, "number": subject.number}
            page = reverse("ratings:rate", kwargs={"subject_id": subject.pk})
            if subject.rater_id is not None:
                inapp.append(
                    Tell(
                        recipient=Recipient(user_id=subject.rater_id),
                        params=params,
                        source_key=f"ratings:{subject.pk}:invite",
                        link=page,
                        channels={CHANNEL_INAPP},
                    )
                )
            phone = _phone(subject)
            if phone:
                token = link_issue(subject_id=subject.pk, now=now)
                sms.append(
                    Tell(
                        # the SMS alone: the link in it is the resident's, not a message's
                        recipient=Recipient(user_id=subject.rater_id, phone=phone),
                        params={**params, "token": token},
                        source_key=f"ratings:{subject.pk}:invite:sms",
                        channels={CHANNEL_SMS},
                    )
                )
        notify_tell_batch(tells=inapp, template=INAPP_TEMPLATE, kind=KIND)
        told = notify_tell_batch(tells=sms, template=SMS_TEMPLATE, kind=KIND)
        Subject.objects.filter(pk__in=[s.pk for s in subjects]).update(invited_at=now)
        audit_record(
            actor=Actor.system("ratings"),
            action=audit_events.SUBJECT_INVITE,
            target_type="ratings.subject",
            changes={
                "subjects": len(subjects),
                "messages": len(inapp),
                "sms": sum(1 for t in told if t.sms),
            },
        )
        return len(subjects)


def subjects_invite_unrated(
    *, now: datetime.datetime | None = None, batch: int = BATCH, limit: int = 5000
) -> int:
    """Invite every subject due (concluded ``INVITE_AFTER_DAYS`` days ago or more, within
    ``INVITE_WITHIN_DAYS``, unrated, never invited), ``batch`` at a time; answers how many
    were invited. Running it again invites nobody twice: a subject is marked in the batch
    that tells its rater, and notify keeps one message per key."""
    now = now or timezone.now()
    done = 0
    while done < limit:
        count = _invite_batch(now=now, size=min(batch, limit - done))
        done += count
        if count < batch:
            break
    return done
