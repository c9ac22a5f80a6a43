"""The public page's popular services: live services, most used first (cases submitted in
the last year), everyday services while too few have cases, every tile a link."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from onewindow.audit.services import Actor
from onewindow.cases.models import Case
from onewindow.catalog.models import Service, ServiceVersion
from onewindow.catalog.packages.process import engine
from onewindow.catalog.services import service_packages_import
from onewindow.demo.city import city_structure_seed
from onewindow.portal.selectors import EVERYDAY_SERVICES, popular_services
from onewindow.testing.factories import UserFactory
from onewindow.testing.packages import files_for, service, write_package

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(engine() is None, reason="case engine not available yet"),
]

# Ten live services: four of the everyday list and six others, named so that their code
# order, their Unicode order and their pinyin order all differ.
NAMES = {
    "residence-permit": "居住证申领",
    "social-security-card": "社会保障卡申领",
    "no-criminal-record": "无犯罪记录证明",
    "birth-one-stop": "出生一件事",
    "zz-adoption": "收养登记",
    "zz-annual": "阿姨培训补贴",
    "zz-bus": "公交卡办理",
    "zz-dog": "养犬登记",
    "zz-enterprise": "企业年报",
    "zz-fishing": "渔业捕捞许可",
}


@pytest.fixture(autouse=True)
def _no_cached_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def live(tmp_path: Path) -> dict[str, Service]:
    city_structure_seed(seed=1)
    packages = [
        write_package(
            tmp_path,
            files_for(
                service(
                    code=code,
                    name={"zh": name, "en": code},
                    kind="enterprise" if code == "zz-enterprise" else "personal",
                    roles={},
                    fees=[],
                )
            ),
        )
        for code, name in NAMES.items()
    ]
    service_packages_import(actor=Actor.system("test"), paths=packages)
    return {s.code: s for s in Service.objects.all()}


def _cases(service: Service, n: int, **fields: Any) -> None:
    user: Any = UserFactory(kind="resident")
    submitted = fields.get("submitted_at", timezone.now())
    for i in range(n):
        Case.objects.create(
            service_version=cast(ServiceVersion, service.current),
            created_by=user,
            number=f"{service.code}-{user.pk}-{i}" if submitted else None,
            status=fields.get("status", Case.Status.SUBMITTED),
            submitted_at=submitted,
        )


def test_without_cases_the_everyday_services_then_others_in_pinyin_order(live) -> None:
    codes = [p.code for p in popular_services()]
    everyday = [c for c in EVERYDAY_SERVICES if c in NAMES]
    assert codes[:4] == everyday
    # then the personal services by pinyin: 阿 a, 公 gong, 收 shou, 养 yang (企业年报 is for
    # companies, 渔 yu the ninth)
    assert codes[4:] == ["zz-annual", "zz-bus", "zz-adoption", "zz-dog"]


def test_most_used_services_come_first(live) -> None:
    _cases(live["zz-fishing"], 3)
    _cases(live["zz-enterprise"], 2)
    _cases(live["no-criminal-record"], 1)
    # drafts, and cases from over a year ago, do not count
    _cases(live["zz-dog"], 5, status=Case.Status.DRAFT, submitted_at=None)
    _cases(live["zz-bus"], 9, submitted_at=timezone.now() - datetime.timedelta(days=400))
    codes = [p.code for p in popular_services()]
    assert codes[:3] == ["zz-fishing", "zz-enterprise", "no-criminal-record"]
    # the rest filled as before, without repeats
    everyday = [c for c in EVERYDAY_SERVICES if c in NAMES and c != "no-criminal-record"]
    assert codes[3:] == [*everyday, "zz-annual", "zz-bus"]


def test_a_service_taken_offline_leaves_the_tiles(live) -> None:
    _cases(live["zz-fishing"], 3)
    Service.objects.filter(code="zz-fishing").update(is_active=False)
    assert "zz-fishing" not in [p.code for p in popular_services()]


def test_landing_tiles_are_links_to_the_guides(live, client: Client) -> None:
    _cases(live["zz-fishing"], 2)
    body = client.get("/").content.decode()
    section = body[body.index('data-testid="popular-services"') :]
    section = section[: section.index("</section>")]
    tiles = re.findall(r'<li><a href="/services/([a-z0-9-]+)/">([^<]+)</a></li>', section)
    assert len(tiles) == 8
    assert tiles[0] == ("zz-fishing", "渔业捕捞许可")
    assert section.count("<li>") == 8  # no tile without a link
    assert "即将上线" not in body
    assert '<a class="button secondary" href="/services/">查看全部 10 项服务</a>' in section


def test_landing_without_any_live_service_says_so(client: Client, db) -> None:
    body = client.get("/").content.decode()
    assert "暂无可在线办理的服务。" in body
    assert "<li>户籍办理</li>" not in body
