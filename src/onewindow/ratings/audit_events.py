"""The audit trail's event types that ratings writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

SUBJECT_EXPECT = "ratings.subject.expect"
SUBJECT_INVITE = "ratings.subject.invite"
RATING_SUBMIT = "ratings.rating.submit"
RECTIFICATION_OPEN = "ratings.rectification.open"
RECTIFICATION_VIEW_CONTACT = "ratings.rectification.view_contact"
RECTIFICATION_VISIT = "ratings.rectification.visit"
RECTIFICATION_ANSWER = "ratings.rectification.answer"
RECTIFICATION_APPEAL_DECIDE = "ratings.rectification.appeal_decide"
RECTIFICATION_FIX_RATE = "ratings.rectification.fix_rate"
RECTIFICATION_SUPERVISE = "ratings.rectification.supervise"
TIME_LIMIT_SAVE = "ratings.time_limit.save"
