"""Finding a service: names in pinyin order, the list grouped by topic and by life event,
and old names (aliases) that find the service that replaced them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.catalog.browse import name_sort_key
from onewindow.catalog.packages.process import engine
from onewindow.catalog.packages.vocabulary import default_catalog_dir
from onewindow.catalog.selectors import package_problems, service_search
from onewindow.catalog.services import service_packages_import
from onewindow.testing.packages import files_for, service, write_package

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(engine() is None, reason="case engine not available yet"),
]

HOUSING = [
    default_catalog_dir() / "public-rental-housing",
    default_catalog_dir() / "shared-ownership-housing",
]


def test_chinese_names_sort_by_pinyin_and_tone_not_by_code_point():
    names = ["重大活动备案", "长者长寿保健金申领", "阿姨", "安全许可", "出生一件事", "澳门签注"]
    assert sorted(names, key=name_sort_key) == [
        "阿姨",  # a1
        "安全许可",  # an1
        "澳门签注",  # ao4
        "出生一件事",  # chu1
        "长者长寿保健金申领",  # zhang3 (长者 read as a phrase)
        "重大活动备案",  # zhong4
    ]
    assert sorted(names)[0] == "出生一件事"  # what Unicode order gave


@pytest.fixture
def three(city, actor, tmp_path: Path):
    """Three services whose Unicode order (出 < 往 < 阿) is not their pinyin order."""
    packages = [
        write_package(tmp_path, files_for()),  # 往来港澳通行证再次签注: travel / exit-entry
        write_package(
            tmp_path,
            files_for(
                service(
                    code="birth-one-stop",
                    name={"zh": "出生一件事", "en": "Birth one-stop"},
                    department="gz-wjw",
                    life_events=["birth"],
                    topics=["maternal-child-health", "household-registration"],
                    roles={},
                    fees=[],
                )
            ),
        ),
        write_package(
            tmp_path,
            files_for(
                service(
                    code="nanny-training",
                    name={"zh": "阿姨培训补贴", "en": "Nanny training subsidy"},
                    department="gz-rsj",
                    life_events=["employment"],
                    topics=["employment"],
                    roles={},
                    fees=[],
                )
            ),
        ),
    ]
    return service_packages_import(actor=actor, paths=packages)


def _links(html: str) -> list[str]:
    return re.findall(r'<a href="/services/([a-z0-9-]+)/">', html)


def test_search_results_come_in_pinyin_order(three, client: Client):
    body = client.get(reverse("catalog:service_list"), {"kind": "personal"}).content.decode()
    assert "找到 3 项服务" in body
    assert _links(body) == ["nanny-training", "birth-one-stop", "hk-macau-reendorsement"]
    body = client.get(reverse("catalog:service_list"), {"view": "all"}).content.decode()
    assert _links(body) == ["nanny-training", "birth-one-stop", "hk-macau-reendorsement"]


def test_service_list_groups_every_service_by_topic(three, client: Client):
    body = client.get(reverse("catalog:service_list")).content.decode()
    assert "共 3 项服务" in body
    groups = re.findall(r'<span class="group-name">([^<]+)</span>', body)
    # 出入境 chu, 户政 hu, 就业 jiu, 妇幼健康 fu: in pinyin order
    assert groups == ["出入境", "妇幼健康", "户政", "就业"]
    assert 'aria-current="page">按主题<' in body
    # a service with two topics is under both; every entry links to its guide
    assert _links(body) == [
        "hk-macau-reendorsement",
        "birth-one-stop",
        "birth-one-stop",
        "nanny-training",
    ]


def test_service_list_groups_by_life_event(three, client: Client):
    body = client.get(reverse("catalog:service_list"), {"view": "life_events"}).content.decode()
    groups = re.findall(r'<span class="group-name">([^<]+)</span>', body)
    assert groups == ["出境入境", "就业创业", "生育收养"]  # chu, jiu, sheng
    assert 'aria-current="page">按人生事件<' in body
    assert _links(body) == ["hk-macau-reendorsement", "nanny-training", "birth-one-stop"]


def test_topic_filter(three, client: Client):
    assert [s.code for s in service_search(topic="employment")] == ["nanny-training"]
    body = client.get(reverse("catalog:service_list"), {"topic": "employment"}).content.decode()
    assert _links(body) == ["nanny-training"]
    assert '<option value="employment" selected>就业</option>' in body


@pytest.fixture
def housing(city, actor):
    return service_packages_import(actor=actor, paths=HOUSING)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("廉租", "public-rental-housing"),
        ("廉租房", "public-rental-housing"),
        ("廉租住房", "public-rental-housing"),
        ("经济适用", "shared-ownership-housing"),
        ("经适房", "shared-ownership-housing"),
        ("low-rent", "public-rental-housing"),
    ],
)
def test_old_housing_names_find_their_successors(housing, query, code):
    assert [s.code for s in service_search(q=query)] == [code]


def test_a_result_found_by_an_old_name_says_what_became_of_it(housing, client: Client):
    body = client.get(reverse("catalog:service_list"), {"q": "廉租"}).content.decode()
    assert "找到 1 项服务" in body
    assert "公共租赁住房申请（户籍住房困难家庭）" in body
    assert "廉租住房已与公共租赁住房并轨" in body
    body = client.get(reverse("catalog:service_list"), {"q": "经济适用"}).content.decode()
    assert "共有产权住房申购" in body
    assert "经济适用住房已由共有产权住房取代" in body
    # found by its own name, no note
    body = client.get(reverse("catalog:service_list"), {"q": "公共租赁"}).content.decode()
    assert "并轨" not in body


def test_the_guide_says_what_became_of_the_old_scheme(housing, client: Client):
    body = client.get("/services/public-rental-housing/").content.decode()
    assert (
        '<p class="banner info" data-testid="alias-note">'
        "廉租住房已与公共租赁住房并轨，原廉租住房保障对象请申请公共租赁住房。</p>"
    ) in body
    body = client.get("/services/shared-ownership-housing/").content.decode()
    assert "经济适用住房已由共有产权住房取代，购买保障性住房请申请共有产权住房。" in body
    api = client.get("/api/v1/services/public-rental-housing").json()
    assert api["guide"]["aliases"][1] == {"name": "廉租房", "note": ""}


def test_an_alias_needs_a_chinese_name(tmp_path: Path, city):
    bad = write_package(
        tmp_path, files_for(service(aliases=[{"name": {"en": "Old name"}, "note": {"zh": "说明"}}]))
    )
    problems = package_problems(bad)
    assert any("aliases" in str(p) for p in problems), problems
    assert [package_problems(path) for path in HOUSING] == [[], []]
