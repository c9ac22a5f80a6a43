"""法定代表人授权经办人: a company's legal representative authorises a person to act for it.

The legal representative names the agent by citizen ID and name and sets the last day of the
authorisation; the agent accepts (or declines) from their own account, and only then may they
start or act on the company's cases. The legal representative may revoke the authorisation
at any time, which ends it at once; on the day after ``valid_until`` it ends by itself."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.identity import audit_events
from onewindow.identity.models import Company, CompanyAgent, Person
from onewindow.identity.selectors import person_find_by_id_number
from onewindow.identity.services._common import Collector, normalize_person_name

# 授权期限: at least until tomorrow, at most three years ahead.
MAX_GRANT_DAYS = 3 * 365


class GrantNotFound(NotFound):
    code = "grant_not_found"


def _today(now: datetime.datetime | None) -> datetime.date:
    return timezone.localdate(now or timezone.now())


def _representative_row(company: Company, person: Person) -> CompanyAgent:
    row = CompanyAgent.objects.filter(
        company=company,
        person=person,
        role=CompanyAgent.Role.LEGAL_REPRESENTATIVE,
        status=CompanyAgent.Status.ACTIVE,
    ).first()
    if row is None:
        raise PermissionDenied(
            gettext_lazy("只有企业的法定代表人可以授权或撤销经办人。"), code="not_representative"
        )
    return row


def _tell(person: Person, *, text: str, key: str) -> None:
    from onewindow.notify.services import Recipient, notify_tell

    notify_tell(
        recipient=Recipient(user_id=person.user_id, phone=person.phone or ""),
        template="notice",
        params={"text": text},
        kind="company_agent",
        source_key=key,
        link=reverse("identity:my_companies"),
    )


@transaction.atomic(durable=True)
def company_agent_grant(
    *,
    actor: Actor,
    representative: Person,
    company: Company,
    agent_name: str,
    agent_id_number: str,
    valid_until: datetime.date | None,
    now: datetime.datetime | None = None,
) -> CompanyAgent:
    """The legal representative authorises a person as the company's agent until
    ``valid_until`` (inclusive). The grant waits for the agent's acceptance."""
    now = now or timezone.now()
    today = _today(now)
    _representative_row(company, representative)
    errors = Collector()
    name = errors.check(normalize_person_name, agent_name, field="agent_name") or ""
    if not (agent_id_number or "").strip():
        errors.add(_("请填写经办人的公民身份号码。"), code="required", field="agent_id_number")
    if valid_until is None:
        errors.add(_("请填写授权截止日期。"), code="required", field="valid_until")
    elif valid_until <= today:
        errors.add(_("授权截止日期须晚于今天。"), code="too_early", field="valid_until")
    elif valid_until > today + datetime.timedelta(days=MAX_GRANT_DAYS):
        errors.add(_("授权期限最长三年。"), code="too_late", field="valid_until")
    errors.raise_if_any()
    agent = person_find_by_id_number(id_number=agent_id_number)
    if agent is None or agent.name != name:
        raise ValidationFailed(
            _("没有找到姓名和公民身份号码相符的实名用户。请经办人先在本平台完成实名登记。"),
            code="agent_not_found",
            field="agent_id_number",
        )
    if agent.pk == representative.pk:
        raise ValidationFailed(_("法定代表人无需授权本人。"), code="self", field="agent_id_number")
    row = CompanyAgent.objects.select_for_update().filter(company=company, person=agent).first()
    if row is not None and row.role == CompanyAgent.Role.LEGAL_REPRESENTATIVE:
        raise ValidationFailed(
            _("该人员是本企业的法定代表人。"), code="representative", field="agent_id_number"
        )
    if row is not None and row.status == CompanyAgent.Status.PENDING and not row.expired(today):
        raise ValidationFailed(
            _("已向该人员发出授权，正在等待其确认。"), code="pending", field="agent_id_number"
        )
    if row is not None and row.in_force(today):
        raise ValidationFailed(
            _("该人员已是本企业的经办人。如需更改期限，请先撤销授权。"),
            code="already_agent",
            field="agent_id_number",
        )
    row = row or CompanyAgent(company=company, person=agent, role=CompanyAgent.Role.AGENT)
    row.status = CompanyAgent.Status.PENDING
    row.valid_until = valid_until
    row.granted_by = representative
    row.granted_at = now
    row.accepted_at = None
    row.ended_at = None
    row.save()
    _tell(
        agent,
        text=_(
            "%(representative)s（%(company)s法定代表人）授权您为该企业的经办人，期限至"
            "%(date)s。请登录一网通办，在“我的企业”中确认或拒绝。"
        )
        % {
            "representative": representative.name,
            "company": company.name,
            "date": valid_until.isoformat() if valid_until else "",
        },
        key=f"company-agent:{row.pk}:grant:{now.isoformat()}",
    )
    audit_record(
        actor=actor,
        action=audit_events.COMPANY_AGENT_GRANT,
        target=row,
        changes={
            "company": company.pk,
            "person": agent.pk,
            "granted_by": representative.pk,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    return row


def _pending_for(agent: Person, grant_id: int, today: datetime.date) -> CompanyAgent:
    row = (
        CompanyAgent.objects.select_for_update()
        .select_related("company")
        .filter(pk=grant_id, person=agent, role=CompanyAgent.Role.AGENT)
        .first()
    )
    if row is None:
        raise GrantNotFound(gettext_lazy("没有找到该授权。"))
    if row.status != CompanyAgent.Status.PENDING:
        raise Conflict(gettext_lazy("该授权已处理，无需再次确认。"), code="grant_not_pending")
    if row.expired(today):
        raise Conflict(gettext_lazy("该授权已过期。"), code="grant_expired")
    return row


@transaction.atomic(durable=True)
def company_agent_accept(
    *, actor: Actor, agent: Person, grant_id: int, now: datetime.datetime | None = None
) -> CompanyAgent:
    """The agent accepts the authorisation: from now until ``valid_until`` they may act."""
    now = now or timezone.now()
    row = _pending_for(agent, grant_id, _today(now))
    row.status, row.accepted_at = CompanyAgent.Status.ACTIVE, now
    row.save(update_fields=["status", "accepted_at"])
    audit_record(
        actor=actor,
        action=audit_events.COMPANY_AGENT_ACCEPT,
        target=row,
        changes={"company": row.company_id, "person": agent.pk},
    )
    return row


@transaction.atomic(durable=True)
def company_agent_decline(
    *, actor: Actor, agent: Person, grant_id: int, now: datetime.datetime | None = None
) -> CompanyAgent:
    now = now or timezone.now()
    row = _pending_for(agent, grant_id, _today(now))
    row.status, row.ended_at = CompanyAgent.Status.DECLINED, now
    row.save(update_fields=["status", "ended_at"])
    audit_record(
        actor=actor,
        action=audit_events.COMPANY_AGENT_DECLINE,
        target=row,
        changes={"company": row.company_id, "person": agent.pk},
    )
    return row


@transaction.atomic(durable=True)
def company_agent_revoke(
    *,
    actor: Actor,
    representative: Person,
    grant_id: int,
    now: datetime.datetime | None = None,
) -> CompanyAgent:
    """The legal representative ends an agent's authorisation (pending or in force) at once:
    the agent can no longer start or act on the company's cases."""
    now = now or timezone.now()
    row = (
        CompanyAgent.objects.select_for_update()
        .select_related("company", "person")
        .filter(pk=grant_id, role=CompanyAgent.Role.AGENT)
        .first()
    )
    if row is None:
        raise GrantNotFound(gettext_lazy("没有找到该授权。"))
    _representative_row(row.company, representative)
    if row.status not in {CompanyAgent.Status.PENDING, CompanyAgent.Status.ACTIVE}:
        raise Conflict(gettext_lazy("该授权已结束。"), code="grant_ended")
    before = row.status
    row.status, row.ended_at = CompanyAgent.Status.REVOKED, now
    row.save(update_fields=["status", "ended_at"])
    _tell(
        row.person,
        text=_("%(company)s的法定代表人已撤销对您的经办人授权，您不能再代表该企业办理业务。")
        % {"company": row.company.name},
        key=f"company-agent:{row.pk}:revoke:{now.isoformat()}",
    )
    audit_record(
        actor=actor,
        action=audit_events.COMPANY_AGENT_REVOKE,
        target=row,
        changes={"company": row.company_id, "person": row.person_id, "was": before},
    )
    return row
