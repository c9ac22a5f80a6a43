"""compile_process: what a service author sees when a BPMN file has problems."""

from __future__ import annotations

import json

from onewindow.workflow import compile_process, default_process

from .conftest import bpmn


def _line_of(name: str, needle: str) -> int:
    for number, line in enumerate(bpmn(name).decode().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_camunda_modeler_file_compiles_with_groups_and_stays_json() -> None:
    result = compile_process(bpmn("parallel_departments.bpmn"))
    assert result.problems == []
    assert result.process_id == "company_registration"
    assert result.user_tasks["tax"].candidate_groups == ("gz-swj:approver",)
    assert result.user_tasks["accept"].name == "窗口受理"
    assert result.service_tasks == {}
    assert json.loads(json.dumps(result.spec)) == result.spec


def test_default_process_compiles_and_has_a_diagram() -> None:
    xml = default_process(owner_group="gz-mzj")
    assert b"bpmndi:BPMNDiagram" in xml
    result = compile_process(xml)
    assert result.problems == []
    assert result.user_tasks["accept"].candidate_groups == ("gz-mzj:window_clerk",)
    assert result.user_tasks["approve"].candidate_groups == ("gz-mzj:approver",)
    assert result.user_tasks["supplement"].candidate_groups == ("applicant",)


def test_service_tasks_and_multi_instance_are_listed() -> None:
    assert compile_process(bpmn("services.bpmn")).service_tasks == {
        "lookup": "exchange.lookup",
        "pay": "payments.create_order",
    }
    assert compile_process(bpmn("countersign.bpmn")).user_tasks["sign"].multi_instance


def test_every_problem_has_its_line() -> None:
    result = compile_process(bpmn("broken.bpmn"), filename="catalog/x/process.bpmn")
    assert result.spec == {}
    found = {(p.line, p.file) for p in result.problems}
    text = "\n".join(p.message for p in result.problems)
    assert (_line_of("broken.bpmn", 'id="review"'), "catalog/x/process.bpmn") in found
    assert "候选组" in text
    assert (_line_of("broken.bpmn", 'id="script"'), "catalog/x/process.bpmn") in found
    assert "脚本任务" in text
    assert (_line_of("broken.bpmn", 'id="mint"'), "catalog/x/process.bpmn") in found
    assert "treasury.mint" in text and "exchange.lookup" in text
    assert (_line_of("broken.bpmn", "__import__"), "catalog/x/process.bpmn") in found
    assert (_line_of("broken.bpmn", 'id="call"'), "catalog/x/process.bpmn") in found
    assert "nowhere" in text
    assert len(result.problems) == 5


def test_xml_not_well_formed() -> None:
    problems = compile_process(
        b'<?xml version="1.0"?>\n<bpmn:definitions>\n<oops', filename="p.bpmn"
    ).problems
    assert len(problems) == 1
    assert problems[0].file == "p.bpmn" and problems[0].line in (2, 3)
    assert "XML" in problems[0].message


def _doc(body: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n<bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">\n'
        + body
        + "\n</bpmn:definitions>"
    ).encode()


def test_no_or_several_executable_processes() -> None:
    none = compile_process(
        _doc(
            '<bpmn:process id="a" isExecutable="false" />\n'
            '<bpmn:process id="b" isExecutable="false" />'
        )
    ).problems
    assert len(none) == 1 and "可执行" in none[0].message
    several = compile_process(
        _doc(
            '<bpmn:process id="a" isExecutable="true" />\n'
            '<bpmn:process id="b" isExecutable="true" />'
        )
    ).problems
    assert len(several) == 1 and several[0].line == 4 and "多个" in several[0].message


def test_service_task_without_topic_and_unsupported_timers() -> None:
    problems = compile_process(
        _doc(
            '<bpmn:process id="p" isExecutable="true">\n'
            '<bpmn:startEvent id="s" />\n'
            '<bpmn:serviceTask id="java" camunda:class="com.example.Delegate" />\n'
            '<bpmn:userTask id="u" camunda:candidateGroups="clerk" />\n'
            '<bpmn:boundaryEvent id="t1" attachedToRef="u"><bpmn:timerEventDefinition>'
            "<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>\n"
            '<bpmn:boundaryEvent id="t2" attachedToRef="u"><bpmn:timerEventDefinition>'
            "<bpmn:timeDuration>three days</bpmn:timeDuration></bpmn:timerEventDefinition>"
            "</bpmn:boundaryEvent>\n"
            "</bpmn:process>"
        )
    ).problems
    assert [p.line for p in problems] == [5, 7, 8]
    assert "camunda:topic" in problems[0].message
    assert "timeDuration" in problems[1].message
    assert "three days" in problems[2].message


def test_call_activity_with_the_called_file_compiles() -> None:
    result = compile_process(
        bpmn("call_main.bpmn"), called={"call_birth.bpmn": bpmn("call_birth.bpmn")}
    )
    assert result.problems == []
    assert "birth_registration" in result.spec["subprocesses"]
    assert result.user_tasks["birth_review"].candidate_groups == ("gz-wjw:approver",)
    missing = compile_process(bpmn("call_main.bpmn")).problems
    assert len(missing) == 1 and "birth_registration" in missing[0].message
