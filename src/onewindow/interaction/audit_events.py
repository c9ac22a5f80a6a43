"""The audit trail's event types that interaction writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

REQUEST_FILE = "interaction.request.file"
REQUEST_JOIN = "interaction.request.join"
REQUEST_ANSWER_DIRECT = "interaction.request.answer_direct"
REQUEST_WITHDRAW = "interaction.request.withdraw"
REQUEST_DISPATCH = "interaction.request.dispatch"
REQUEST_SIGN = "interaction.request.sign"
REQUEST_RETURN = "interaction.request.return"
REQUEST_OBJECT = "interaction.request.object"
REQUEST_OBJECTION_DECIDE = "interaction.request.objection_decide"
REQUEST_TRANSFER = "interaction.request.transfer"
REQUEST_EXTEND_ASK = "interaction.request.extend_ask"
REQUEST_EXTEND_DECIDE = "interaction.request.extend_decide"
REQUEST_ANSWER = "interaction.request.answer"
REQUEST_VISIT = "interaction.request.visit"
REQUEST_CONCLUDE = "interaction.request.conclude"
REQUEST_REOPEN = "interaction.request.reopen"
REQUEST_MERGE = "interaction.request.merge"
REQUEST_CHASE = "interaction.request.chase"
REQUEST_SUPERVISE = "interaction.request.supervise"
REQUEST_ESCALATE = "interaction.request.escalate"
REQUEST_PUBLISH = "interaction.request.publish"
REQUEST_VIEW_CONTACT = "interaction.request.view_contact"
ARTICLE_SAVE = "interaction.article.save"
DISPATCH_RULE_SAVE = "interaction.dispatch_rule.save"
TIME_LIMIT_SAVE = "interaction.time_limit.save"
CATEGORY_SAVE = "interaction.category.save"
