"""The process used when a service package has no ``process.bpmn``.

accept (window clerk) → approve (approver) → conclude (window clerk). At accept and approve a
``decision`` of ``"supplement"`` sends the case back to the applicant (补正, candidate group
``applicant``) and then to the clerk again; ``"reject"`` ends at the ``rejected`` end event.
The document carries a diagram so the service guide can draw it.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

_SHAPES = {  # id: (x, y, w, h)
    "start": (152, 102, 36, 36),
    "accept": (240, 80, 100, 80),
    "gw_accept": (395, 95, 50, 50),
    "approve": (500, 80, 100, 80),
    "gw_approve": (655, 95, 50, 50),
    "conclude": (760, 80, 100, 80),
    "approved": (912, 102, 36, 36),
    "supplement": (500, 240, 100, 80),
    "rejected": (912, 262, 36, 36),
}
_FLOWS = [  # id, source, target, condition, waypoints
    ("f_start", "start", "accept", None, [(188, 120), (240, 120)]),
    ("f_accept", "accept", "gw_accept", None, [(340, 120), (395, 120)]),
    ("f_accept_ok", "gw_accept", "approve", None, [(445, 120), (500, 120)]),
    (
        "f_accept_supp",
        "gw_accept",
        "supplement",
        'decision == "supplement"',
        [(420, 145), (420, 280), (500, 280)],
    ),
    (
        "f_accept_rej",
        "gw_accept",
        "rejected",
        'decision == "reject"',
        [(420, 145), (420, 360), (930, 360), (930, 298)],
    ),
    ("f_supp_back", "supplement", "accept", None, [(500, 300), (290, 300), (290, 160)]),
    ("f_approve", "approve", "gw_approve", None, [(600, 120), (655, 120)]),
    ("f_approve_ok", "gw_approve", "conclude", None, [(705, 120), (760, 120)]),
    (
        "f_approve_supp",
        "gw_approve",
        "supplement",
        'decision == "supplement"',
        [(680, 145), (680, 260), (600, 260)],
    ),
    (
        "f_approve_rej",
        "gw_approve",
        "rejected",
        'decision == "reject"',
        [(680, 145), (680, 280), (912, 280)],
    ),
    ("f_conclude", "conclude", "approved", None, [(860, 120), (912, 120)]),
]


def _groups(owner_group: str) -> tuple[str, str]:
    if ":" in owner_group:
        return owner_group, owner_group
    return f"{owner_group}:window_clerk", f"{owner_group}:approver"


def default_process(*, owner_group: str) -> bytes:
    """BPMN for accept → approve → conclude by ``owner_group``.

    ``owner_group`` is a department code (the clerk tasks go to ``<code>:window_clerk``, the
    approval to ``<code>:approver``) or a literal candidate group used for every staff task.
    """
    if not owner_group or any(c in owner_group for c in "<>&\"',"):
        raise ValueError("owner_group must be a department code or group")
    clerk, approver = _groups(owner_group)
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for fid, source, target, _c, _w in _FLOWS:
        outgoing.setdefault(source, []).append(fid)
        incoming.setdefault(target, []).append(fid)

    def links(node: str) -> str:
        return "".join(
            f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming.get(node, [])
        ) + "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(node, []))

    def user(node: str, name: str, group: str) -> str:
        return (
            f'<bpmn:userTask id="{node}" name="{name}" camunda:candidateGroups={quoteattr(group)}>'
            f"{links(node)}</bpmn:userTask>"
        )

    nodes = [
        f'<bpmn:startEvent id="start" name="提交申请">{links("start")}</bpmn:startEvent>',
        user("accept", "受理", clerk),
        f'<bpmn:exclusiveGateway id="gw_accept" name="是否受理" default="f_accept_ok">'
        f"{links('gw_accept')}</bpmn:exclusiveGateway>",
        user("approve", "审批", approver),
        f'<bpmn:exclusiveGateway id="gw_approve" name="是否批准" default="f_approve_ok">'
        f"{links('gw_approve')}</bpmn:exclusiveGateway>",
        user("conclude", "办结", clerk),
        user("supplement", "补正材料", "applicant"),
        f'<bpmn:endEvent id="approved" name="准予">{links("approved")}</bpmn:endEvent>',
        f'<bpmn:endEvent id="rejected" name="不予">{links("rejected")}</bpmn:endEvent>',
    ]
    flows = []
    for fid, source, target, condition, _w in _FLOWS:
        body = ""
        if condition:
            body = (
                '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                f"{condition.replace('&', '&amp;').replace('<', '&lt;')}"
                "</bpmn:conditionExpression>"
            )
        flows.append(
            f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">'
            f"{body}</bpmn:sequenceFlow>"
        )
    shapes = [
        f'<bpmndi:BPMNShape id="{n}_di" bpmnElement="{n}"><dc:Bounds x="{x}" y="{y}" '
        f'width="{w}" height="{h}" /></bpmndi:BPMNShape>'
        for n, (x, y, w, h) in _SHAPES.items()
    ]
    edges = [
        f'<bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">'
        + "".join(f'<di:waypoint x="{x}" y="{y}" />' for x, y in points)
        + "</bpmndi:BPMNEdge>"
        for fid, _s, _t, _c, points in _FLOWS
    ]
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'id="default_definitions" targetNamespace="http://bpmn.io/schema/bpmn">\n'
        '<bpmn:process id="default_process" name="受理-审批-办结" isExecutable="true">\n'
        + "\n".join(nodes + flows)
        + "\n</bpmn:process>\n"
        '<bpmndi:BPMNDiagram id="default_diagram">'
        '<bpmndi:BPMNPlane id="default_plane" bpmnElement="default_process">\n'
        + "\n".join(shapes + edges)
        + "\n</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n"
    )
    return xml.encode("utf-8")
