"""The built-in templates pass the checks a template must pass when it is saved, and the
ones other apps send say in their title what they are about."""

from __future__ import annotations

import pytest

from onewindow.notify import _templates
from onewindow.notify.messages import (
    IN_APP_ONLY,
    SMS_TEMPLATES,
    message_title,
    render_body,
    render_sms_text,
    sms_params_clipped,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", sorted(SMS_TEMPLATES))
def test_every_built_in_template_could_be_saved_as_it_is(code: str) -> None:
    text = _templates._builtin()[code]
    assert (
        _templates.problems(
            code=code,
            params=text.params,
            title=text.title,
            body=text.body,
            title_en=text.title_en,
            body_en=text.body_en,
            sign_name="一网通办",
        )
        == {}
    )


@pytest.mark.parametrize(
    ("code", "params", "title", "body"),
    [
        (
            "push_reminder",
            {"text": "您的居民身份证将于2027-01-05到期，请在到期前到公安户政窗口或网上预约换领。"},
            "温馨提醒",
            "您的居民身份证将于2027-01-05到期，请在到期前到公安户政窗口或网上预约换领。",
        ),
        (
            "library_due",
            {"title": "活着", "due": "2026-12-09", "days": 2},
            "图书到期提醒",
            "您借阅的《活着》将于2026-12-09到期，还有2天，可在一网通办续借。",
        ),
        (
            "library_due_today",
            {"title": "活着", "due": "2026-12-09"},
            "图书到期提醒",
            "您借阅的《活着》今天（2026-12-09）到期，请及时归还或续借。",
        ),
        (
            "library_overdue",
            {"title": "活着", "due": "2026-12-09"},
            "图书逾期提醒",
            "您借阅的《活着》已于2026-12-09到期，请尽快归还或续借。",
        ),
        (
            "payment_received",
            {"subject": "签注费", "amount": "15.00", "number": "N1"},
            "缴费成功",
            "您已缴纳签注费 15.00 元（办件编号N1），电子票据已开具。",
        ),
        (
            "licence_issued",
            {"licence": "往来港澳通行证签注", "tail": "0042"},
            "证照签发",
            "您的往来港澳通行证签注已签发，证照编号尾号0042，可在“我的证照”中查看。",
        ),
        (
            "licence_revoked",
            {"licence": "往来港澳通行证签注", "tail": "0042", "reason": "以欺骗手段取得"},
            "证照撤销",
            "您的往来港澳通行证签注（证照编号尾号0042）已被撤销，原因：以欺骗手段取得。",
        ),
    ],
)
def test_the_templates_other_apps_send_have_their_own_title(
    code: str, params: dict[str, object], title: str, body: str
) -> None:
    assert (message_title(code), render_body(code, params)) == (title, body)
    if code != "push_reminder":  # a rule's own text is in the rule's language
        assert render_body(code, params, language="en") != body
    assert message_title(code, language="en") != title


def test_a_pushed_reminder_keeps_its_whole_text_in_the_sms() -> None:
    text = "您的居民身份证将于2027-01-05到期，请在到期前到公安户政窗口或网上预约换领。"
    assert len(text) > _templates.SMS_PARAM_MAX
    clipped = sms_params_clipped("push_reminder", {"text": text})
    assert render_sms_text("push_reminder", clipped, sign_name="一网通办") == f"【一网通办】{text}"


def test_a_fee_received_is_told_in_app_only() -> None:
    assert "payment_received" in IN_APP_ONLY
    assert {"push_reminder", "library_due", "licence_issued", "licence_revoked"}.isdisjoint(
        IN_APP_ONLY
    )
