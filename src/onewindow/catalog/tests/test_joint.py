"""A joint application's declarations are checked: who attends and the in-person tasks,
joint parties and their licence copies, and table inputs reading a party's record."""

from __future__ import annotations

from pathlib import Path

import pytest

from onewindow.catalog.packages import (
    PackageSource,
    ValidationContext,
    package_load,
    sources_from_paths,
)
from onewindow.catalog.packages.process import engine

pytestmark = pytest.mark.skipif(engine() is None, reason="case engine not available")

MARRIAGE = Path(__file__).resolve().parents[4] / "catalog" / "marriage-registration"


def marriage(**replace: tuple[str, str]) -> PackageSource:
    sources, problems = sources_from_paths([MARRIAGE])
    assert problems == []
    files = dict(sources[0].files)
    for name, (old, new) in replace.items():
        text = files[name].decode()
        assert old in text, old
        files[name] = text.replace(old, new).encode()
    return PackageSource(label="pkg", folder_name=sources[0].folder_name, files=files)


def messages(source: PackageSource) -> list[str]:
    return [p.message for p in package_load(source, ValidationContext.from_demo_city()).problems]


def test_the_marriage_package_declares_a_joint_application_that_holds_together() -> None:
    assert messages(marriage()) == []


def test_unknown_attendees_tasks_copies_and_subjects_are_reported() -> None:
    source = marriage(
        **{
            "service.yaml": ("attend: [applicant, partner]", "attend: [applicant, spouse]"),
        }
    )
    assert messages(source) == ["spouse 不是 applicant，也不是 parties 中声明的相关人。"]
    source = marriage(**{"service.yaml": ("in_person: [Task_Review]", "in_person: [Task_Nope]")})
    assert messages(source) == ["Task_Nope 不是流程中的用户任务。"]
    source = marriage(**{"service.yaml": ("  joint: true", "  joint: false")})
    assert messages(source) == ["partner 不是 parties 中 joint: true 的共同申请人。"]
    source = marriage(
        **{
            "eligibility.decision.yaml": (
                "from: exchange:gz-gaj.identity",
                "from: exchange:gz-rsj.social-insurance",
            )
        }
    )
    assert (
        "相关人 partner 未在 parties 的 lookups 中声明查询 gz-rsj.social-insurance。"
        in messages(source)
    )


def test_a_trial_run_reaches_the_review_and_refuses_a_married_partner_on_the_records() -> None:
    import datetime

    from onewindow.catalog.trial import trial_explore, trial_package_load

    package = trial_package_load(path=MARRIAGE)
    start = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)
    report = trial_explore(package=package, start=start)
    assert sorted(path.status for path in report.paths) == ["approved", "rejected"]
    married = {
        "gz-mzj.marital-status": {
            "applicant": {"marital_status": "未婚", "registered_on": ""},
            "partner": {"marital_status": "已婚", "registered_on": "2015-05-20"},
        }
    }
    report = trial_explore(package=package, start=start, records=married)
    assert [(path.choices, path.status) for path in report.paths] == [([], "rejected")]
