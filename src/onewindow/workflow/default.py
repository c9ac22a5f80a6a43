"""The process used when a service package has no ``process.bpmn``.

look up what the package declares (one ``exchange.lookup`` service task per shared-data
material, in order) → accept (window clerk) → approve (approver) → issue what the package
declares (one ``licences.issue`` service task per outcome licence) → conclude (window clerk).
At accept and approve a ``decision`` of ``"supplement"`` sends the case back to the applicant
(补正, candidate group ``applicant``) and then to the clerk again; ``"reject"`` ends at the
``rejected`` end event. The document carries a diagram so the service guide can draw it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from xml.sax.saxutils import escape, quoteattr

_TASK_W, _TASK_H, _GAP = 100, 80, 50
_ROW_Y = 80  # top of the main row's tasks
_MID = _ROW_Y + _TASK_H // 2


@dataclass(frozen=True)
class DefaultLookup:
    """One look-up of the default process: ``resource`` for ``subject`` (``applicant`` and
    party codes, comma-separated); ``key``: an expression over the form's answers naming
    the record (``${birth_cert_number}``), "" to look up the subject's record."""

    resource: str
    name: str
    subject: str = "applicant"
    key: str = ""


@dataclass(frozen=True)
class DefaultIssue:
    """One licence the default process issues after approval."""

    licence_type: str
    name: str


def _groups(owner_group: str) -> tuple[str, str]:
    if ":" in owner_group:
        return owner_group, owner_group
    return f"{owner_group}:window_clerk", f"{owner_group}:approver"


def _check(text: str, what: str) -> None:
    if not text or any(c in text for c in "<>&\"'\n\r"):
        raise ValueError(f"{what} must be plain text")


def default_process(
    *,
    owner_group: str,
    lookups: Sequence[DefaultLookup] = (),
    issues: Sequence[DefaultIssue] = (),
) -> bytes:
    """BPMN for look-ups → accept → approve → issue → conclude by ``owner_group``.

    ``owner_group`` is a department code (the clerk tasks go to ``<code>:window_clerk``, the
    approval to ``<code>:approver``) or a literal candidate group used for every staff task.
    ``lookups`` and ``issues`` are what the package declares (its shared-data materials, its
    outcome licences): the default process does them, like a drawn process would."""
    if not owner_group or any(c in owner_group for c in "<>&\"',"):
        raise ValueError("owner_group must be a department code or group")
    for item in lookups:
        _check(item.resource, "resource")
        _check(item.subject, "subject")
        if item.key:
            _check(item.key, "key")
    for issue in issues:
        _check(issue.licence_type, "licence_type")
    clerk, approver = _groups(owner_group)
    lookup_ids = [f"lookup_{n}" for n in range(1, len(lookups) + 1)]
    issue_ids = [f"issue_{n}" for n in range(1, len(issues) + 1)]
    row = ["start", *lookup_ids, "accept", "gw_accept", "approve", "gw_approve"]
    row += [*issue_ids, "conclude", "approved"]

    shapes: dict[str, tuple[int, int, int, int]] = {}
    x = 152
    for node in row:
        if node in ("start", "approved"):
            shapes[node] = (x, _MID - 18, 36, 36)
            x += 36 + _GAP
        elif node.startswith("gw_"):
            shapes[node] = (x, _MID - 25, 50, 50)
            x += 50 + _GAP
        else:
            shapes[node] = (x, _ROW_Y, _TASK_W, _TASK_H)
            x += _TASK_W + _GAP
    approve_x = shapes["approve"][0]
    shapes["supplement"] = (approve_x, _ROW_Y + 160, _TASK_W, _TASK_H)
    end_x = shapes["approved"][0]
    shapes["rejected"] = (end_x, _ROW_Y + 182, 36, 36)

    def right(node: str) -> tuple[int, int]:
        sx, sy, w, h = shapes[node]
        return sx + w, sy + h // 2

    def left(node: str) -> tuple[int, int]:
        sx, sy, _w, h = shapes[node]
        return sx, sy + h // 2

    def bottom(node: str) -> tuple[int, int]:
        sx, sy, w, h = shapes[node]
        return sx + w // 2, sy + h

    named = {"start": "f_start", "accept": "f_accept", "gw_accept": "f_accept_ok"}
    named |= {"approve": "f_approve", "gw_approve": "f_approve_ok", "conclude": "f_conclude"}
    flows: list[tuple[str, str, str, str | None, list[tuple[int, int]]]] = []
    for source, target in pairwise(row):
        fid = named.get(source) or f"f_{source}"
        flows.append((fid, source, target, None, [right(source), left(target)]))
    acc_x, acc_bottom = bottom("gw_accept")
    app_x, app_bottom = bottom("gw_approve")
    sup_x, sup_y, sup_w, sup_h = shapes["supplement"]
    rej_x, rej_y, rej_w, rej_h = shapes["rejected"]
    rej_mid = rej_y + rej_h // 2
    flows += [
        (
            "f_accept_supp",
            "gw_accept",
            "supplement",
            'decision == "supplement"',
            [(acc_x, acc_bottom), (acc_x, sup_y + 20), (sup_x, sup_y + 20)],
        ),
        (
            "f_accept_rej",
            "gw_accept",
            "rejected",
            'decision == "reject"',
            [
                (acc_x, acc_bottom),
                (acc_x, sup_y + sup_h + 40),
                (rej_x + rej_w // 2, sup_y + sup_h + 40),
                (rej_x + rej_w // 2, rej_y + rej_h),
            ],
        ),
        (
            "f_supp_back",
            "supplement",
            "accept",
            None,
            [
                (sup_x, sup_y + sup_h - 20),
                (bottom("accept")[0], sup_y + sup_h - 20),
                bottom("accept"),
            ],
        ),
        (
            "f_approve_supp",
            "gw_approve",
            "supplement",
            'decision == "supplement"',
            [(app_x, app_bottom), (app_x, sup_y + 20), (sup_x + sup_w, sup_y + 20)],
        ),
        (
            "f_approve_rej",
            "gw_approve",
            "rejected",
            'decision == "reject"',
            [(app_x, app_bottom), (app_x, rej_mid), (rej_x, rej_mid)],
        ),
    ]
    defaults = {"gw_accept": "f_accept_ok", "gw_approve": "f_approve_ok"}
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for fid, source, target, _c, _w in flows:
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

    def service(node: str, name: str, topic: str, params: dict[str, str]) -> str:
        inputs = "".join(
            f'<camunda:inputParameter name="{key}">{escape(value)}</camunda:inputParameter>'
            for key, value in params.items()
            if value
        )
        return (
            f'<bpmn:serviceTask id="{node}" name={quoteattr(name)} camunda:type="external" '
            f'camunda:topic="{topic}"><bpmn:extensionElements><camunda:inputOutput>{inputs}'
            f"</camunda:inputOutput></bpmn:extensionElements>{links(node)}</bpmn:serviceTask>"
        )

    nodes = [f'<bpmn:startEvent id="start" name="提交申请">{links("start")}</bpmn:startEvent>']
    for node, item in zip(lookup_ids, lookups, strict=True):
        params = {"resource": item.resource, "subject": item.subject, "key": item.key}
        nodes.append(service(node, f"调取{item.name}", "exchange.lookup", params))
    nodes += [
        user("accept", "受理", clerk),
        f'<bpmn:exclusiveGateway id="gw_accept" name="是否受理" default="{defaults["gw_accept"]}">'
        f"{links('gw_accept')}</bpmn:exclusiveGateway>",
        user("approve", "审批", approver),
        f'<bpmn:exclusiveGateway id="gw_approve" name="是否批准" '
        f'default="{defaults["gw_approve"]}">{links("gw_approve")}</bpmn:exclusiveGateway>',
    ]
    for node, issue in zip(issue_ids, issues, strict=True):
        params = {"licence_type": issue.licence_type}
        nodes.append(service(node, f"核发{issue.name}", "licences.issue", params))
    nodes += [
        user("conclude", "办结", clerk),
        user("supplement", "补正材料", "applicant"),
        f'<bpmn:endEvent id="approved" name="准予">{links("approved")}</bpmn:endEvent>',
        f'<bpmn:endEvent id="rejected" name="不予">{links("rejected")}</bpmn:endEvent>',
    ]
    flow_xml = []
    for fid, source, target, condition, _w in flows:
        body = ""
        if condition:
            body = (
                '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                f"{escape(condition)}</bpmn:conditionExpression>"
            )
        flow_xml.append(
            f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">'
            f"{body}</bpmn:sequenceFlow>"
        )
    shape_xml = [
        f'<bpmndi:BPMNShape id="{n}_di" bpmnElement="{n}"><dc:Bounds x="{sx}" y="{sy}" '
        f'width="{w}" height="{h}" /></bpmndi:BPMNShape>'
        for n, (sx, sy, w, h) in shapes.items()
    ]
    edges = [
        f'<bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">'
        + "".join(f'<di:waypoint x="{px}" y="{py}" />' for px, py in points)
        + "</bpmndi:BPMNEdge>"
        for fid, _s, _t, _c, points in flows
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
        + "\n".join(nodes + flow_xml)
        + "\n</bpmn:process>\n"
        '<bpmndi:BPMNDiagram id="default_diagram">'
        '<bpmndi:BPMNPlane id="default_plane" bpmnElement="default_process">\n'
        + "\n".join(shape_xml + edges)
        + "\n</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n"
    )
    return xml.encode("utf-8")
