import joblib
import pytest

from onewindow.interaction.routing.corpus import corpus_generate
from onewindow.interaction.routing.model import (
    MODEL_FILE,
    ModelFileError,
    RoutingModel,
    train,
)
from onewindow.interaction.routing.tokens import tokenize

from .test_corpus import TREE


@pytest.fixture(scope="module")
def report():
    # A smaller set than the committed one, so that the test trains in a few seconds.
    return train(corpus_generate(TREE, seed=11, per_category=24), holdout=0.25, seed=5)


def test_top_three_is_far_better_than_always_suggesting_the_busiest(report):
    assert report.test_rows > 300
    category, department = report.category, report.department
    assert category is not None and department is not None
    assert category.top3 > 0.8
    assert category.top3 > category.baseline_top3 + 0.6
    assert category.top1 > category.baseline_top1 + 0.5
    assert department.top3 > department.baseline_top3 + 0.4
    assert category.top1 <= category.top3


def test_suggestions_are_sorted_and_their_probabilities_add_to_at_most_one(report):
    for text in ("小区楼下的大排档每晚吵到凌晨两点", "公积金怎么提取", "欠薪三个月了"):
        suggestions = report.model.suggest(text, k=5)
        assert len(suggestions) == 5
        probabilities = [s.probability for s in suggestions]
        assert probabilities == sorted(probabilities, reverse=True)
        assert 0 < sum(probabilities) <= 1 + 1e-9
        departments = report.model.suggest_departments(text)
        assert [d.probability for d in departments] == sorted(
            (d.probability for d in departments), reverse=True
        )


def test_a_request_is_routed_to_the_department_that_handles_it(report):
    model = report.model
    wages = "老板拖欠了我们三个月工资，一万多块，电话都不接了"
    assert model.suggest(wages)[0].category == "labour.wage"
    assert model.suggest_departments(wages)[0].department == "rsj"
    site = "工地半夜还在打桩，吵得整栋楼都睡不着"
    assert "env.noise.construction" in [s.category for s in model.suggest(site)]


def test_a_text_like_nothing_seen_still_gets_a_suggestion(report):
    for text in ("今天天气真好", "", "？？？"):
        suggestions = report.model.suggest(text)
        assert len(suggestions) == 3
        assert suggestions[0].probability > 0
        assert (
            suggestions[0].department == report.model.category_departments[suggestions[0].category]
        )


def test_the_model_is_saved_under_the_var_dir_and_loads_the_same(report, tmp_path):
    path = report.model.save(tmp_path)
    assert path == tmp_path / MODEL_FILE
    loaded = RoutingModel.load(tmp_path)
    text = "出租车司机绕路多收钱"
    assert loaded.suggest(text) == report.model.suggest(text)


def test_a_missing_or_foreign_model_file_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match="no routing model"):
        RoutingModel.load(tmp_path)
    (tmp_path / MODEL_FILE).parent.mkdir(parents=True)
    joblib.dump({"format": 1, "sklearn": "0.1", "model": None}, tmp_path / MODEL_FILE)
    with pytest.raises(ModelFileError, match="train it again"):
        RoutingModel.load(tmp_path)


def test_training_refuses_a_category_with_too_few_requests():
    rows = corpus_generate(TREE, seed=1, per_category=2)
    with pytest.raises(ValueError, match="fewer than 3"):
        train(rows, holdout=0)


def test_government_words_stay_whole():
    words = tokenize("想问下公积金提取，居住证和港澳通行证签注，打12345没人接，罚了200元")
    assert {"公积金", "居住证", "港澳通行证", "12345"} <= set(words)
    assert "200" not in words and "#" in words
    assert "，" not in words
