"""The service guide of a process with a call activity: the called process's steps are listed
under the call activity (from another .bpmn file of the package, or from a second pool of
the same file), and the called process is drawn in a viewer of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from onewindow.catalog.guide import called_diagrams, process_steps
from onewindow.catalog.models import ServiceVersion
from onewindow.catalog.packages.process import engine
from onewindow.catalog.services import service_packages_import
from onewindow.testing.called_process import (
    CODE,
    JOINT_BPMN,
    PROCESS_BPMN,
    collaboration_bpmn,
    package_files,
)
from onewindow.testing.packages import write_package

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(engine() is None, reason="case engine not available yet"),
]


def publish_version(root: Path, files: dict[str, bytes]) -> ServiceVersion:
    result = service_packages_import(actor=_actor(), paths=[write_package(root, files)])
    assert result, "the package did not publish"
    return ServiceVersion.objects.get(service__code=CODE)


def _actor() -> Any:
    from onewindow.audit.services import Actor

    return Actor.system("test")


def _names(steps: list[dict[str, Any]]) -> list[Any]:
    return [(s["name"], _names(s["steps"])) if s["steps"] else s["name"] for s in steps]


EXPECTED = ["受理", ("联合核查", ["户籍核查", "出入境记录核验"]), "审批"]


def test_the_guide_lists_the_called_process_steps_from_another_file(
    city: None, tmp_path: Path, client: Client
) -> None:
    version = publish_version(
        tmp_path, package_files(process=PROCESS_BPMN, others={"joint_check.bpmn": JOINT_BPMN})
    )
    assert version.definition["process_files"] == {"joint_check.bpmn": JOINT_BPMN}
    steps = process_steps(version)
    assert _names(steps) == EXPECTED
    assert steps[1]["steps"][0]["who"] == ["广州市公安局 · 审批人员"]
    body = client.get(f"/services/{CODE}/").content.decode()
    listed = body[body.index('id="process-steps"') :]
    listed = listed[: listed.index("</section>")]
    call = listed[listed.index("联合核查") : listed.index("审批</span>")]
    # The called steps are a list inside the call activity's item, in flow order.
    assert '<ol class="process-steps">' in call
    assert call.index("户籍核查") < call.index("出入境记录核验")
    assert "广州市公安局 · 审批人员" in call and "广州市公安局 · 窗口受理人员" in call
    diagrams = called_diagrams(version)
    assert [(d["process"], d["file"], d["diagram"], d["xml"]) for d in diagrams] == [
        ("joint_check", "joint_check.bpmn", "joint_diagram", JOINT_BPMN)
    ]


def test_the_guide_lists_a_second_pool_called_in_the_same_file(
    city: None, tmp_path: Path, client: Client
) -> None:
    version = publish_version(
        tmp_path, package_files(process=collaboration_bpmn(own_diagram=False))
    )
    assert _names(process_steps(version)) == EXPECTED
    assert called_diagrams(version) == []  # the pool is drawn in the main diagram
    body = client.get(f"/services/{CODE}/").content.decode()
    listed = body[body.index('id="process-steps"') :]
    assert listed.index("联合核查") < listed.index("户籍核查") < listed.index("审批</span>")


def test_a_called_process_with_its_own_diagram_in_the_same_file_is_drawn_apart(
    city: None, tmp_path: Path
) -> None:
    text = collaboration_bpmn(own_diagram=True)
    version = publish_version(tmp_path, package_files(process=text))
    assert _names(process_steps(version)) == EXPECTED
    assert [(d["process"], d["file"], d["diagram"]) for d in called_diagrams(version)] == [
        ("joint_check", "process.bpmn", "joint_diagram")
    ]
