"""A fee-charging service walked through approval, payment, the licence's issue and its
revocation, as its applicant sees the home page and the message centre at each step: every
event is a message, the fee is due until it is paid and not after."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from onewindow.testing.portal import (
    fee_case_approve,
    fee_case_pay,
    fee_case_revoke,
    fee_case_submitted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage(memory_storage: None) -> None:
    """Materials and licences are stored in memory."""


def _card(page: str, anchor: str) -> str:
    section = page.split(f'id="{anchor}"', 1)[1]
    return section.split("</section>", 1)[0]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _home(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _centre(client: Client) -> str:
    return _text(client.get("/messages/").content.decode())


def test_every_event_of_a_fee_case_reaches_the_page_and_the_message_centre(
    city: Any, resident: Any
) -> None:
    client = Client()
    client.force_login(resident.user)

    case = fee_case_submitted(resident)
    home = _home(client)
    assert "暂无账单" in _card(home, "my-bills")
    cases = _text(_card(home, "my-cases"))
    assert "往来港澳通行证再次签注" in cases and str(case.number) in cases
    assert "已提交" in _text(_card(home, "my-messages"))

    order = fee_case_approve(case)
    home = _home(client)
    bills = _text(_card(home, "my-bills"))
    assert "暂无账单" not in bills
    assert "待缴费" in bills and "¥15.00" in bills and "去缴费" in bills
    assert f'href="/payments/cases/{case.number}/"' in _card(home, "my-bills")
    messages = _text(_card(home, "my-messages"))
    assert "待缴费15.00元" in messages
    centre = _centre(client)
    assert "待缴费15.00元" in centre

    licence = fee_case_pay(order)
    home = _home(client)
    bills = _text(_card(home, "my-bills"))
    assert "暂无账单" in bills and "¥15.00" not in bills  # paid: no longer due
    messages = _text(_card(home, "my-messages"))
    assert "您已缴纳" in messages and "15.00 元" in messages
    assert "往来港澳通行证签注已签发" in messages
    assert "往来港澳通行证签注" in _text(_card(home, "my-licences"))
    centre = _centre(client)
    assert "您已缴纳" in centre and "已签发" in centre and "准予" in centre
    assert "缴费成功 已读" in centre or "缴费成功 未读" in centre
    assert "证照签发 未读 您的往来港澳通行证签注已签发，证照编号尾号" in centre
    assert f"尾号{licence.number[-4:]}，可在“我的证照”中查看。" in centre
    assert "办件通知" not in centre

    fee_case_revoke(licence)
    home = _home(client)
    messages = _text(_card(home, "my-messages"))
    assert f"尾号{licence.number[-4:]}）已被撤销，原因：申请人以欺骗手段取得" in messages
    assert "往来港澳通行证签注" not in _text(_card(home, "my-licences"))
    centre = _centre(client)
    assert "已被撤销" in centre
    assert (
        f"证照撤销 未读 您的往来港澳通行证签注（证照编号尾号{licence.number[-4:]}）已被撤销，"
        "原因：申请人以欺骗手段取得" in centre
    )
    assert "暂无账单" in _text(_card(home, "my-bills"))
