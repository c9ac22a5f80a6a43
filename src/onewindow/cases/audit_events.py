"""The audit trail's event types that cases writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

ANSWER_REVEAL = "cases.answer.reveal"
CASE_ADVANCE = "cases.case.advance"
CASE_CONCLUDE_STUCK = "cases.case.conclude_stuck"
# no longer written: a case is rated in ratings (ratings.rating.submit); older rows carry it
CASE_RATE = "cases.case.rate"
CASE_RETRY = "cases.case.retry"
CASE_RETRY_CURRENT = "cases.case.retry_current"
CASE_STUCK = "cases.case.stuck"
CASE_SUBMIT = "cases.case.submit"
CASE_SUPPLEMENT = "cases.case.supplement"
CASE_WITHDRAW = "cases.case.withdraw"
COMPANY_TASK_APPROVE = "cases.company_task.approve"
COMPANY_TASK_REJECT = "cases.company_task.reject"
DRAFT_CARRY = "cases.draft.carry"
DRAFT_DISCARD = "cases.draft.discard"
DRAFT_SAVE = "cases.draft.save"
DRAFT_START = "cases.draft.start"
LETTER_DOWNLOAD = "cases.letter.download"
MATERIAL_ATTACH = "cases.material.attach"
MATERIAL_DOWNLOAD = "cases.material.download"
MATERIAL_REMOVE = "cases.material.remove"
MATERIAL_USE_LICENCE = "cases.material.use_licence"
NOTIFY_CASE_NEWS = "notify.case_news"
PARTY_CONSENT = "cases.party.consent"
PARTY_CONSENT_CODE = "cases.party.consent_code"
PARTY_EXPIRE = "cases.party.expire"
TASK_APPROVE = "cases.task.approve"
TASK_CLAIM = "cases.task.claim"
TASK_COMMENT = "cases.task.comment"
TASK_REJECT = "cases.task.reject"
TASK_SUPPLEMENT = "cases.task.supplement"
TASK_TRANSFER = "cases.task.transfer"
TASK_UNCLAIM = "cases.task.unclaim"

# A staff decision on a task (``task_complete(decision=...)``).
TASK_DECIDED = {"approve": TASK_APPROVE, "reject": TASK_REJECT, "supplement": TASK_SUPPLEMENT}
