"""The hotline's pages are reached from the site: residents from the main navigation
(我的诉求, which leads on to 我要留言 and the answers), everyone from 常见问题, staff from the
navigation (the desks they work at) and the workbench (every hotline page they may use),
each link only for those the page lets in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from onewindow.testing.clients import staff_client
from onewindow.testing.factories import StaffFactory
from onewindow.testing.outreach import operator_make

pytestmark = pytest.mark.django_db

STAFF_NAV = {
    "热线受理台": "/hotline/console/",
    "派单台": "/hotline/dispatch/",
    "工单办理": "/hotline/inbox/",
}
DESKS = {
    **STAFF_NAV,
    "知识库维护": "/hotline/answers/edit/",
    "Open311 接口密钥": "/hotline/operators/open311-keys/",
}


def _nav(body: str) -> str:
    return body[body.index('<nav class="site-nav"') : body.index("</nav>")]


def _links(html: str, links: dict[str, str]) -> set[str]:
    """The labels of ``links`` that ``html`` links, each to its own address."""
    return {
        label
        for label, url in links.items()
        if re.search(f'href="{re.escape(url)}"[^>]*>{re.escape(label)}</a>', html)
    }


def _workbench(client: Client) -> str:
    body = client.get("/workbench/").content.decode()
    if 'data-testid="hotline-links"' not in body:
        return ""
    start = body.index('data-testid="hotline-links"')
    return body[start : body.index("</nav>", start)]


def test_a_resident_reaches_their_requests_and_from_there_filing_and_answers(
    resident_client: Client,
) -> None:
    nav = _nav(resident_client.get("/").content.decode())
    assert '<a href="/hotline/mine/">我的诉求</a>' in nav
    mine = resident_client.get("/hotline/mine/").content.decode()
    assert 'href="/hotline/mine/" aria-current="page">我的诉求</a>' in _nav(mine)
    assert 'href="/hotline/new/"' in mine and 'href="/hotline/answers/"' in mine


def test_anyone_reaches_the_answers() -> None:
    nav = _nav(Client().get("/").content.decode())
    assert '<a href="/hotline/answers/">常见问题</a>' in nav
    assert "/hotline/mine/" not in nav


@pytest.mark.parametrize(
    ("username", "nav", "desks"),
    [
        ("zsj_dispatcher", {"热线受理台", "派单台"}, {"热线受理台", "派单台", "知识库维护"}),
        ("cgj_hotline", {"工单办理"}, {"工单办理", "知识库维护"}),
    ],
)
def test_staff_see_the_hotline_pages_their_roles_open(staff: Any, username, nav, desks) -> None:
    client = staff_client(staff(username))
    body = client.get("/workbench/").content.decode()
    assert _links(_nav(body), STAFF_NAV) == nav
    assert _links(_workbench(client), DESKS) == desks
    for label in desks:
        assert client.get(DESKS[label]).status_code == 200, label


def test_staff_without_a_hotline_role_see_none(city: None) -> None:
    someone: Any = StaffFactory()
    client = staff_client(someone.user)
    body = client.get("/workbench/").content.decode()
    assert _links(_nav(body), STAFF_NAV) == set()
    assert _workbench(client) == ""
    assert client.get("/hotline/inbox/").status_code == 403


def test_an_operator_reaches_the_open311_keys(city: None) -> None:
    client = staff_client(operator_make())
    assert "Open311 接口密钥" in _links(_workbench(client), DESKS)
    assert client.get("/hotline/operators/open311-keys/").status_code == 200
