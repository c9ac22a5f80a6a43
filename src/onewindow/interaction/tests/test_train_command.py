"""``onewindow interaction_train``: trains on the training set and the routed requests,
reports accuracy beside the majority baseline, saves the model the dispatcher reads."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from onewindow.identity.models import Department
from onewindow.interaction.models import Category, Request
from onewindow.interaction.routing.categories import tree_load
from onewindow.interaction.routing.corpus import corpus_generate, corpus_write
from onewindow.interaction.routing.model import RoutingModel

pytestmark = pytest.mark.django_db
TREE = Path(__file__).resolve().parents[4] / "catalog" / "interaction" / "categories.yaml"


def test_it_reports_accuracy_and_saves_a_model_that_suggests(tmp_path, settings) -> None:
    settings.VAR_DIR = tmp_path
    corpus = tmp_path / "train.jsonl"
    corpus_write(corpus_generate(tree_load(TREE), seed=3, per_category=8), corpus)
    department = Department.objects.create(code="gz-cgj", name="城管", region_code="440100")
    category = Category.objects.create(
        code="city.appearance.vendor", name="占道经营", department_code="cgj"
    )
    Request.objects.create(
        number="R1",
        kind="complaint",
        channel="web",
        title="烧烤摊",
        content="体育西路夜里烧烤摊占道经营",
        region_code="440106",
        category=category,
        department=department,
        status=Request.Status.CONCLUDED,
        registered_at=timezone.now(),
    )
    out = io.StringIO()
    call_command("interaction_train", "--corpus", str(corpus), stdout=out)
    text = out.getvalue()
    assert ", 1 routed requests" in text and "left out" not in text
    found = re.search(
        r"category +top-1 [0-9.]+ +top-3 ([0-9.]+) +"
        r"majority baseline top-1 [0-9.]+ +top-3 ([0-9.]+)",
        text,
    )
    assert found is not None, text
    top3, baseline = found.groups()
    assert float(top3) > float(baseline) + 0.3
    model = RoutingModel.load(tmp_path)
    assert model.suggest("体育西路地铁口晚上有人摆摊卖烧烤，占了人行道", k=3)[
        0
    ].category.startswith("city.")


def test_rows_of_too_rare_a_label_are_left_out_and_said(tmp_path, settings) -> None:
    settings.VAR_DIR = tmp_path
    corpus = tmp_path / "train.jsonl"
    rows = corpus_generate(tree_load(TREE), seed=3, per_category=8)
    rare = rows[0].__class__(**{**rows[0].__dict__, "category": "made.up"})
    corpus_write([*rows, rare], corpus)
    out = io.StringIO()
    call_command("interaction_train", "--corpus", str(corpus), "--dry-run", stdout=out)
    assert "1 rows left out: their label has fewer than 3 rows" in out.getvalue()
    assert not (tmp_path / "interaction").exists()  # a dry run saves nothing


def test_a_missing_training_set_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(CommandError, match="no training set"):
        call_command("interaction_train", "--corpus", str(tmp_path / "none.jsonl"))
