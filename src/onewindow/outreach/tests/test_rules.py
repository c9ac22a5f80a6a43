"""Rules are data: the files under catalog/push-rules/ load, and a rule that does not
parse, or a text naming a variable the rule does not declare, is refused when saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.core.errors import ValidationFailed
from onewindow.outreach.models import PushRule
from onewindow.outreach.rules import rules_dir
from onewindow.outreach.services import push_rule_save, push_rules_sync

pytestmark = pytest.mark.django_db

SHIPPED = {
    "id-card-expiring",
    "primary-school-enrolment",
    "social-insurance-gap",
    "bill-due-3-days",
    "bill-overdue",
    "case-status-changed",
    "licence-expiring",
    "supplement-requested",
    "appointment-tomorrow",
}

GOOD: dict[str, Any] = {
    "name": "身份证即将到期提醒（试）",
    "trigger": "schedule",
    "condition": "id_card_days_left is not None and id_card_days_left <= 90",
    "variables": ["id_card_expiry"],
    "template": "您的居民身份证将于{id_card_expiry}到期。",
    "reason": "因为您的身份证将于 {id_card_expiry} 到期",
    "object": "{id_card_expiry}",
    "channels": ["inapp"],
}


def test_the_shipped_rule_files_load_switched_off() -> None:
    result = push_rules_sync(actor=Actor.system("test"))
    assert set(result.created) == SHIPPED
    assert set(PushRule.objects.values_list("code", flat=True)) == SHIPPED
    assert not PushRule.objects.filter(enabled=True).exists()
    again = push_rules_sync(actor=Actor.system("test"))
    assert set(again.unchanged) == SHIPPED and not again.created and not again.updated
    case_rule = PushRule.objects.get(code="case-status-changed")
    assert case_rule.source_key == "{case_message_key}"  # the case's own message key
    assert AuditEvent.objects.filter(action="outreach.rules.sync").count() == 2


def test_a_rule_file_that_does_not_parse_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(
        (rules_dir() / "id-card-expiring.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "broken.toml").write_text(
        'code = "broken"\nname = "坏规则"\ntrigger = "schedule"\n'
        'variables = []\ncondition = "age > and district"\n'
        'template = "提醒"\nreason = "因为"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as refused:
        push_rules_sync(actor=Actor.system("test"), directory=tmp_path)
    assert str(refused.value.message) == "broken.toml: 条件第 5 行无法解析：invalid syntax"
    assert not PushRule.objects.exists()  # nothing of the folder was loaded


def test_a_file_that_is_not_toml_is_refused_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text('code = "x"\nname = \n', encoding="utf-8")
    with pytest.raises(ValidationFailed) as refused:
        push_rules_sync(actor=Actor.system("test"), directory=tmp_path)
    assert str(refused.value.message).startswith("x.toml 无法解析：")
    assert "line 2" in str(refused.value.message)


def test_the_page_refuses_a_condition_that_does_not_parse_with_the_line() -> None:
    data = {**GOOD, "condition": "(age > 3 and\n district == == 1)"}
    with pytest.raises(ValidationFailed) as refused:
        push_rule_save(actor=Actor.system("test"), code=None, data={**data, "code": "try"})
    assert refused.value.field == "condition"
    assert str(refused.value.message) == "条件第 2 行无法解析：invalid syntax"
    assert not PushRule.objects.exists()


def test_a_condition_outside_the_safe_language_is_refused() -> None:
    data = {**GOOD, "code": "try", "condition": '__import__("os").system("id")'}
    with pytest.raises(ValidationFailed) as refused:
        push_rule_save(actor=Actor.system("test"), code=None, data=data)
    assert str(refused.value.message) == "条件第 1 行无法解析：不允许访问属性 system"


def test_a_condition_reading_an_unknown_fact_is_refused() -> None:
    data = {**GOOD, "code": "try", "condition": "salary > 10000"}
    with pytest.raises(ValidationFailed) as refused:
        push_rule_save(actor=Actor.system("test"), code=None, data=data)
    assert str(refused.value.message) == "条件使用了未知的事实：salary"


def test_a_template_with_a_variable_not_declared_is_refused_at_save() -> None:
    data = {**GOOD, "code": "try", "variables": [], "object": ""}
    with pytest.raises(ValidationFailed) as refused:
        push_rule_save(actor=Actor.system("test"), code=None, data=data)
    by_field = {e.field: str(e.message) for e in refused.value.errors}
    assert by_field["template"] == "模板使用了未声明的变量：id_card_expiry"
    assert by_field["reason"] == "模板使用了未声明的变量：id_card_expiry"
    assert not PushRule.objects.exists()


def test_a_variable_that_is_no_fact_of_the_trigger_is_refused() -> None:
    data = {**GOOD, "code": "try", "variables": ["id_card_expiry", "bill_amount"]}
    with pytest.raises(ValidationFailed) as refused:
        push_rule_save(actor=Actor.system("test"), code=None, data=data)
    assert str(refused.value.message) == "声明了未知的变量：bill_amount"


def test_changing_a_rule_switches_it_off_until_switched_on_again() -> None:
    push_rules_sync(actor=Actor.system("test"))
    PushRule.objects.filter(code="id-card-expiring").update(enabled=True)
    rule = PushRule.objects.get(code="id-card-expiring")
    data = {
        "name": rule.name,
        "trigger": rule.trigger,
        "condition": "id_card_days_left is not None and id_card_days_left <= 60",
        "variables": rule.variables,
        "template": rule.template,
        "reason": rule.reason,
        "object": rule.object_key,
        "link": rule.link,
        "channels": rule.channels,
        "cooldown_days": rule.cooldown_days,
    }
    push_rule_save(actor=Actor.system("test"), code="id-card-expiring", data=data)
    rule.refresh_from_db()
    assert rule.condition.endswith("<= 60") and rule.enabled is False
