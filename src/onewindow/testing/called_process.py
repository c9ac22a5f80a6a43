"""A service whose process has a call activity (``joint-check-test``: 受理, 联合核查 calling the
process ``joint_check``, 审批), the called process in another .bpmn file of the package or as
a second pool of the same file, every element drawn."""

from __future__ import annotations

import itertools

from onewindow.testing.packages import files_for, plain_service

CODE = "joint-check-test"
DEFS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'targetNamespace="http://bpmn.io/schema/bpmn"'
)


def _chain(prefix: str, steps: list[tuple[str, str, str]], *, y: int = 80) -> tuple[str, str]:
    """A straight process start → steps → end: (flow elements, their diagram shapes and
    edges). ``steps``: (tag, id, attributes)."""
    ids = [f"{prefix}_start", *[s[1] for s in steps], f"{prefix}_end"]
    elements = [f'<bpmn:startEvent id="{ids[0]}"/>']
    elements += [f'<bpmn:{tag} id="{sid}" {attrs}/>' for tag, sid, attrs in steps]
    elements.append(f'<bpmn:endEvent id="{ids[-1]}"/>')
    shapes = []
    x = 100
    boxes: dict[str, tuple[int, int, int, int]] = {}
    for element_id in ids:
        width, height = (36, 36) if element_id in (ids[0], ids[-1]) else (100, 80)
        top = y + 40 - height // 2
        boxes[element_id] = (x, top, width, height)
        shapes.append(
            f'<bpmndi:BPMNShape id="{element_id}_di" bpmnElement="{element_id}">'
            f'<dc:Bounds x="{x}" y="{top}" width="{width}" height="{height}"/>'
            "</bpmndi:BPMNShape>"
        )
        x += width + 50
    for index, (source, target) in enumerate(itertools.pairwise(ids)):
        flow = f"{prefix}_f{index}"
        elements.append(
            f'<bpmn:sequenceFlow id="{flow}" sourceRef="{source}" targetRef="{target}"/>'
        )
        sx, sy, sw, sh = boxes[source]
        tx = boxes[target][0]
        shapes.append(
            f'<bpmndi:BPMNEdge id="{flow}_di" bpmnElement="{flow}">'
            f'<di:waypoint x="{sx + sw}" y="{sy + sh // 2}"/>'
            f'<di:waypoint x="{tx}" y="{sy + sh // 2}"/>'
            "</bpmndi:BPMNEdge>"
        )
    return "\n".join(elements), "\n".join(shapes)


MAIN_STEPS = [
    ("userTask", "accept", 'name="受理" camunda:candidateGroups="clerk"'),
    ("callActivity", "joint", 'name="联合核查" calledElement="joint_check"'),
    ("userTask", "approve", 'name="审批" camunda:candidateGroups="approver"'),
]
CALLED_STEPS = [
    ("userTask", "household_check", 'name="户籍核查" camunda:candidateGroups="gz-gaj:approver"'),
    ("userTask", "record_check", 'name="出入境记录核验" camunda:candidateGroups="clerk"'),
]


def _separate_files() -> tuple[str, str]:
    main, main_di = _chain("m", MAIN_STEPS)
    called, called_di = _chain("c", CALLED_STEPS)
    process = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {DEFS} id="main_defs">
  <bpmn:process id="reendorsement" name="再次签注" isExecutable="true">{main}</bpmn:process>
  <bpmndi:BPMNDiagram id="main_diagram">
    <bpmndi:BPMNPlane id="main_plane" bpmnElement="reendorsement">{main_di}</bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
    joint = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {DEFS} id="joint_defs">
  <bpmn:process id="joint_check" name="联合核查流程" isExecutable="true">{called}</bpmn:process>
  <bpmndi:BPMNDiagram id="joint_diagram">
    <bpmndi:BPMNPlane id="joint_plane" bpmnElement="joint_check">{called_di}</bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
    return process, joint


PROCESS_BPMN, JOINT_BPMN = _separate_files()


def collaboration_bpmn(*, own_diagram: bool) -> str:
    """One file, two pools: the called process is the second pool, drawn in the
    collaboration's diagram, or (``own_diagram``) in a second diagram of its own."""
    main, main_di = _chain("m", MAIN_STEPS)
    called, called_di = _chain("c", CALLED_STEPS, y=280)
    pools = (
        '<bpmndi:BPMNShape id="pool_main_di" bpmnElement="pool_main" isHorizontal="true">'
        '<dc:Bounds x="40" y="40" width="900" height="160"/></bpmndi:BPMNShape>'
    )
    if own_diagram:
        second = f"""<bpmndi:BPMNDiagram id="joint_diagram">
    <bpmndi:BPMNPlane id="joint_plane" bpmnElement="joint_check">{called_di}</bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>"""
        participants = '<bpmn:participant id="pool_main" name="公安局" processRef="reendorsement"/>'
        drawn = pools + main_di
    else:
        second = ""
        participants = (
            '<bpmn:participant id="pool_main" name="公安局" processRef="reendorsement"/>'
            '<bpmn:participant id="pool_joint" name="联合核查" processRef="joint_check"/>'
        )
        drawn = (
            pools
            + main_di
            + '<bpmndi:BPMNShape id="pool_joint_di" bpmnElement="pool_joint" isHorizontal="true">'
            '<dc:Bounds x="40" y="240" width="900" height="160"/></bpmndi:BPMNShape>' + called_di
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {DEFS} id="collab_defs">
  <bpmn:collaboration id="collaboration">{participants}</bpmn:collaboration>
  <bpmn:process id="reendorsement" name="再次签注" isExecutable="true">{main}</bpmn:process>
  <bpmn:process id="joint_check" name="联合核查流程" isExecutable="false">{called}</bpmn:process>
  <bpmndi:BPMNDiagram id="main_diagram">
    <bpmndi:BPMNPlane id="main_plane" bpmnElement="collaboration">{drawn}</bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
  {second}
</bpmn:definitions>
"""


def package_files(*, process: str, others: dict[str, str] | None = None) -> dict[str, bytes]:
    files = files_for(
        plain_service(code=CODE, name={"zh": "联合核查签注（测试）", "en": "Joint check (test)"}),
        process=process,
    )
    files.update({name: text.encode() for name, text in (others or {}).items()})
    return files
