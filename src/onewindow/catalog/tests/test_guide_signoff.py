"""The guide of a sign-off over departments chosen on the form says so, instead of naming
no department at all."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.catalog.packages.vocabulary import default_catalog_dir
from onewindow.catalog.services import service_packages_import

FOLDER = default_catalog_dir() / "completion-joint-acceptance"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not FOLDER.is_dir(), reason="demo package not present"),
]


def test_the_signoff_step_says_the_form_chooses_its_departments(city, actor, client: Client):
    service_packages_import(actor=actor, paths=[FOLDER])
    page = client.get("/services/completion-joint-acceptance/").content.decode()
    start = page.index("相关部门会签")
    assert "会签部门按申请表中所选确定" in page[start : start + 400]
