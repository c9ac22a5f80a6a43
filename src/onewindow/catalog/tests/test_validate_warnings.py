"""Warnings of the process check: shown by service_validate (prefixed 警告), kept out of the
problems, so the package can still be published."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from onewindow.catalog.packages import PackageSource, ValidationContext, package_load
from onewindow.catalog.packages.process import engine
from onewindow.testing.packages import files_for, plain_service, write_package

pytestmark = pytest.mark.skipif(engine() is None, reason="case engine not available yet")

# 驳回 (decision == "reject") leads to the approved end: drawn by mistake.
PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs">
  <bpmn:process id="reendorsement" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="approve" name="审批" camunda:candidateGroups="approver" />
    <bpmn:exclusiveGateway id="gw" name="是否批准" default="f_ok" />
    <bpmn:endEvent id="approved" name="准予" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="gw" />
    <bpmn:sequenceFlow id="f_ok" sourceRef="gw" targetRef="approved" />
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="approved">
      <bpmn:conditionExpression>decision == "reject"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""
END_LINE = next(n for n, text in enumerate(PROCESS.splitlines(), 1) if 'id="approved"' in text)
WARNING = (
    "结束事件 approved（准予） 可在驳回之后到达（网关 gw（是否批准） 的出口 f_no 检验的是驳回）"
)


def test_a_warning_does_not_stop_the_package() -> None:
    source = PackageSource(
        label="pkg", folder_name="", files=files_for(plain_service(), process=PROCESS)
    )
    package = package_load(source, ValidationContext.from_demo_city())
    assert package.problems == [] and package.ok and package.process_spec
    assert [(str(w), w.warning) for w in package.warnings] == [
        (f"pkg/process.bpmn:{END_LINE}: {WARNING}", True)
    ]


def test_service_validate_prints_warnings_and_exits_0(tmp_path: Path, capsys) -> None:
    folder = write_package(tmp_path, files_for(plain_service(), process=PROCESS))
    call_command("service_validate", str(folder), demo_city=True)
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"警告 {folder}/process.bpmn:{END_LINE}: {WARNING}"]
    assert "发现 0 个问题" in captured.err and "另有 1 个警告" in captured.err


# A reminder step drawn on a timer's path, as the demo catalogue once did: the platform already
# tells the holders and supervisors when the timer escalates the task.
REMINDER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs">
  <bpmn:process id="reendorsement" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="approve" name="审批" camunda:candidateGroups="approver" />
    <bpmn:endEvent id="approved" name="准予" />
    <bpmn:boundaryEvent id="late" name="5个工作日未审批" cancelActivity="false"
        attachedToRef="approve">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P5D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:serviceTask id="remind" name="督办提醒" camunda:type="external"
        camunda:topic="notify.send">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="template">sla_escalation</camunda:inputParameter>
        <camunda:inputParameter name="to">approver</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="reminded" name="已督办" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="approved" />
    <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="remind" />
    <bpmn:sequenceFlow id="f4" sourceRef="remind" targetRef="reminded" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_reminder_step_after_a_timer_is_warned_as_a_duplicate_of_the_platform_s() -> None:
    source = PackageSource(
        label="pkg", folder_name="", files=files_for(plain_service(), process=REMINDER)
    )
    package = package_load(source, ValidationContext.from_demo_city())
    assert package.ok
    lines = enumerate(REMINDER.splitlines(), 1)
    line = next(n for n, text in lines if 'topic="notify.send"' in text)
    assert [str(w) for w in package.warnings] == [
        f"pkg/process.bpmn:{line}: "
        "定时器 late（5个工作日未审批） 之后的消息环节 remind（督办提醒） "
        "与平台的督办通知重复：定时器督办环节时，平台已通知承办人、本部门人员和督办人员，请删除该环节"
    ]


def test_no_package_of_the_demo_catalogue_has_a_warning() -> None:
    from onewindow.catalog.packages.source import source_from_folder

    catalogue = Path(__file__).resolve().parents[4] / "catalog"
    context = ValidationContext.from_demo_city()
    warned = {
        folder.name: [str(w) for w in package_load(source_from_folder(folder)[0], context).warnings]
        for folder in sorted(catalogue.iterdir())
        if (folder / "service.yaml").exists()
    }
    assert {name: w for name, w in warned.items() if w} == {}
