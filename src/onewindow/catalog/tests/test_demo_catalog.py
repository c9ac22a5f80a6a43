"""The demo city's catalogue (``catalog/``) validates, publishes in one batch, re-imports as
unchanged, and every guide page renders."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from onewindow.catalog.packages import sources_from_paths
from onewindow.catalog.packages.process import engine
from onewindow.catalog.packages.vocabulary import default_catalog_dir
from onewindow.catalog.services import service_packages_import

CATALOG = default_catalog_dir()
HAS_PACKAGES = CATALOG.is_dir() and any(CATALOG.glob("*/service.yaml"))

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not HAS_PACKAGES, reason="no packages in catalog/"),
    pytest.mark.skipif(engine() is None, reason="case engine not available yet"),
]


def test_demo_catalog_publishes_and_every_guide_renders(city, actor, client: Client):
    sources, problems = sources_from_paths([CATALOG])
    versions = service_packages_import(actor=actor, paths=[CATALOG])
    assert problems == [] and len(versions) == len(sources)
    assert service_packages_import(actor=actor, paths=[CATALOG]) == []
    for version in versions:
        response = client.get(f"/services/{version.service.code}/")
        assert response.status_code == 200, version.service.code
        page = response.content.decode()
        assert 'id="process-steps"' in page
        # every guide says what the applicant gets (the 企业开办 guide once left it empty)
        outcome = re.search(r"<dt>办理结果</dt><dd>([^<]*)</dd>", page)
        assert outcome is not None and outcome.group(1).strip(), version.service.code
        licence = (version.definition.get("outcome") or {}).get("licence_type")
        if licence:
            assert outcome.group(1).startswith("证照："), (version.service.code, outcome.group(1))
    listing = client.get("/services/").content.decode()
    assert "没有找到相符的服务" not in listing
