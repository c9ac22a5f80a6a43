"""``repeat:`` and ``next:`` in service.yaml: a second application is allowed one at a time,
once or always; the answers or the licence that make two applications the same, and the
licence types that are the service's result, are the package's own; every package of the
catalogue says which it is."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from onewindow.catalog.packages import PackageSource, ValidationContext, package_load
from onewindow.catalog.packages.repeat import RepeatRule, carried_answers, repeat_rule
from onewindow.testing.packages import files_for, service

CATALOG = Path(__file__).resolve().parents[4] / "catalog"


@pytest.fixture
def city() -> ValidationContext:
    return ValidationContext.from_demo_city()


def problems(definition: dict, city: ValidationContext) -> list[str]:
    source = PackageSource(label="pkg", folder_name="", files=files_for(definition))
    return [str(p).split(": ", 1)[1] for p in package_load(source, city).problems]


def test_each_allowed_value_is_accepted(city):
    for allowed in ("one_at_a_time", "once", "any"):
        assert problems(service(repeat=allowed), city) == []
    assert problems(service(repeat={"allowed": "once", "same": ["endorsement"]}), city) == []


def test_an_unknown_value_is_refused(city):
    found = problems(service(repeat="twice"), city)
    assert found and all("repeat" in p for p in found)


def test_same_names_a_question_of_the_form(city):
    assert problems(service(repeat={"allowed": "one_at_a_time", "same": ["plate"]}), city) == [
        "plate 不是申请表（form.schema.json）中的字段。"
    ]


def test_same_licence_names_a_licence_material(city):
    assert (
        problems(service(repeat={"allowed": "once", "same_licence": "marriage-cert"}), city) == []
    )
    assert problems(service(repeat={"allowed": "once", "same_licence": "photo"}), city) == [
        "photo 应为本事项以电子证照提交的材料（source: licence）的编码。"
    ]


def test_held_names_known_licence_types(city):
    assert problems(service(repeat={"allowed": "once", "held": ["household-register"]}), city) == []
    assert problems(service(repeat={"allowed": "once", "held": ["hukou"]}), city) == [
        "未知的证照类型：hukou。"
    ]


def test_any_takes_no_keys(city):
    assert problems(service(repeat={"allowed": "any", "held": ["household-register"]}), city) == [
        "repeat.allowed 为 any（不限次数）时不写 same、same_licence 或 held。"
    ]


def test_next_carries_answers_of_the_form(city):
    good = [{"service": "id-card-renewal", "carry": {"address": "applicant_name"}}]
    assert problems(service(next=good), city) == []
    bad = [{"service": "id-card-renewal", "carry": {"address": "target_address"}}]
    assert problems(service(next=bad), city) == [
        "target_address 不是申请表（form.schema.json）中的字段。"
    ]
    assert problems(service(next=[{"service": "hk-macau-reendorsement"}]), city) == [
        "下一步不能是本事项自身。"
    ]


def test_a_package_that_says_nothing_allows_any():
    assert repeat_rule({}) == RepeatRule(allowed="any")
    assert repeat_rule({"repeat": {"allowed": "once", "held": ["x"]}}).held == ("x",)
    step = {"carry": {"address": "target_address"}, "preset": {"reason": "change"}}
    assert carried_answers(step, {"target_address": "天河路1号"}) == {
        "reason": "change",
        "address": "天河路1号",
    }


def test_every_package_of_the_catalogue_says_how_often():
    unsaid = []
    for path in sorted(CATALOG.glob("*/service.yaml")):
        if "repeat" not in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}):
            unsaid.append(path.parent.name)
    assert unsaid == []


def test_chains_and_household_registrations_are_once_per_person():
    def rule(code: str) -> RepeatRule:
        return repeat_rule(yaml.safe_load((CATALOG / code / "service.yaml").read_text()))

    assert rule("graduate-employment-express") == RepeatRule(
        allowed="once", held=("household-register",)
    )
    assert rule("hukou-graduate-settlement") == RepeatRule(
        allowed="once", same_licence="settlement-permit", held=("household-register",)
    )
    assert rule("hk-macau-reendorsement").same_licence == "permit"
    assert rule("id-card-renewal").allowed == "one_at_a_time"


def test_the_guide_says_how_often_one_may_apply(db, client):
    from onewindow.audit.services import Actor
    from onewindow.catalog.services import service_packages_import
    from onewindow.demo.city import city_structure_seed

    city_structure_seed(seed=1)
    service_packages_import(
        actor=Actor.system("test"),
        paths=[CATALOG / "graduate-employment-express", CATALOG / "vehicle-inspection-mark"],
    )
    one_stop = client.get("/services/graduate-employment-express/").content.decode()
    assert (
        '<dt>办理次数</dt><dd data-testid="guide-repeat">'
        "每人只能办理一次；已持有居民户口簿的不能再申请</dd>"
    ) in one_stop
    mark = client.get("/services/vehicle-inspection-mark/").content.decode()
    assert "同一号牌号码同一时间只能有一件申请在办理" in mark


def test_one_working_day_services_keep_the_case_with_the_clerk_who_accepts_it():
    """A one-working-day service on the default process (accept → approve → conclude) is
    concluded by the clerk who accepted it, without a third claim."""
    loose = []
    for path in sorted(CATALOG.glob("*/service.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        one_day = (data.get("time_limit") or {}).get("promised_days") == 1
        default_process = not (path.parent / "process.bpmn").exists()
        if one_day and default_process and data.get("keep_holder") != "department":
            loose.append(path.parent.name)
    assert loose == []
