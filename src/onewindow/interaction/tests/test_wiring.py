"""Filing and the loop together: an urgent request is dispatched at once where the catalogue
names the department; the dispatcher's routing suggestions come from the trained model and
the catalogue."""

from __future__ import annotations

import pytest

from onewindow.interaction.models import Assignment, DispatchRule, Request
from onewindow.interaction.routing.categories import tree_load
from onewindow.interaction.routing.corpus import corpus_generate
from onewindow.interaction.routing.model import train
from onewindow.interaction.selectors.routing import routing_suggestions
from onewindow.interaction.services import Filing, Location, category_tree_import, request_file
from onewindow.interaction.services.catalogue import catalog_dir

pytestmark = pytest.mark.django_db
TH = "440106"


def test_an_urgent_request_is_dispatched_on_filing(streetlights, dept, person, commit):
    DispatchRule.objects.create(category=streetlights, region_code=TH, department=dept("gz-cgj-th"))
    with commit():
        urgent = request_file(
            user=person.user,
            channel="web",
            filing=Filing(
                kind="help",
                content="天河路口路灯杆倒了压着电线，很危险",
                location=Location(TH),
                category_code=streetlights.code,
                urgency="urgent",
            ),
        )
    urgent.refresh_from_db()
    assert urgent.status == Request.Status.DISPATCHED
    lead = Assignment.objects.get(request=urgent)
    assert lead.department == dept("gz-cgj-th")
    with commit():
        normal = request_file(
            user=person.user,
            channel="web",
            filing=Filing(
                kind="complaint",
                content="天河路口路灯坏了一周",
                location=Location(TH),
                category_code=streetlights.code,
            ),
        )
    normal.refresh_from_db()
    assert normal.status == Request.Status.REGISTERED  # waits for the dispatcher


def test_routing_suggestions_name_the_catalogues_department(city, dept, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    category_tree_import()
    tree = tree_load(catalog_dir() / "categories.yaml")
    train(corpus_generate(tree, seed=2, per_category=8), holdout=0).model.save(tmp_path)
    from onewindow.interaction.models import Category

    vendor = Category.objects.get(code="city.appearance.vendor")
    DispatchRule.objects.create(category=vendor, region_code=TH, department=dept("gz-cgj-th"))
    found = routing_suggestions(text="体育西路地铁口晚上有人摆摊卖烧烤占了人行道", region_code=TH)
    assert found and found[0].category_code == "city.appearance.vendor"
    assert (found[0].department_name, found[0].category_name) == (
        dept("gz-cgj-th").name,
        "占道经营",
    )
    assert sum(s.probability for s in found) <= 1.0


def test_no_model_no_suggestion(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    assert routing_suggestions(text="路灯坏了", region_code=TH) == []
