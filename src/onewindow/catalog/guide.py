"""The service guide (办事指南) of a published version, as plain data for the page and the
API: conditions, materials and where each comes from, fees, time limits, online depth,
appointment, where to go, legal basis and the steps of the process."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree

from onewindow.catalog.browse import service_aliases
from onewindow.catalog.models import ServiceVersion, localized
from onewindow.catalog.packages.process import (
    APPLICANT_GROUP,
    BPMN_NS,
    CAMUNDA_NS,
    resolve_group,
    split_groups,
)
from onewindow.catalog.packages.vocabulary import vocabulary_load

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"

KIND_LABELS = {"personal": gettext_noop("个人服务"), "enterprise": gettext_noop("法人服务")}
SOURCE_LABELS = {
    "upload": gettext_noop("申请人上传"),
    "exchange": gettext_noop("无需提交，由部门共享获取"),
    "licence": gettext_noop("调用电子证照，无需提交纸质材料"),
}
DEPTH_LABELS = {
    1: gettext_noop("一级：网上发布办事指南"),
    2: gettext_noop("二级：网上下载表格"),
    3: gettext_noop("三级：网上预审，窗口办结"),
    4: gettext_noop("四级：全程网上办理"),
}
DELIVERY_LABELS = {
    "mail": gettext_noop("邮寄送达"),
    "pickup": gettext_noop("窗口领取"),
    "electronic": gettext_noop("电子证照/电子文书"),
}
OUTCOME_LABELS = {
    "licence": gettext_noop("证照"),
    "decision": gettext_noop("审批决定"),
    "payment": gettext_noop("支付结果"),
    "record": gettext_noop("备案回执"),
}
ACTION_LABELS = {
    "exchange.lookup": gettext_noop("共享数据核验"),
    "payments.create_order": gettext_noop("生成缴费单"),
    "licences.issue": gettext_noop("签发电子证照"),
    "notify.send": gettext_noop("发送通知"),
    "delivery.ship": gettext_noop("寄递送达"),
}
STEP_TAGS = {
    "userTask": "user",
    "serviceTask": "service",
    "sendTask": "service",
    "businessRuleTask": "service",
    "scriptTask": "service",
    "callActivity": "call",
    "subProcess": "call",
    "manualTask": "user",
    "task": "user",
}
DEFAULT_STEPS = (gettext_noop("受理"), gettext_noop("审批"), gettext_noop("办结"))


def _departments(codes: set[str]) -> dict[str, str]:
    from onewindow.identity.selectors import departments_by_codes

    english = _english()
    return {
        code: (d.name_en if english and d.name_en else d.name)
        for code, d in departments_by_codes(codes=codes).items()
    }


def _roles(codes: set[str]) -> dict[str, str]:
    from onewindow.identity.selectors import roles_by_codes

    english = _english()
    return {
        code: (r.name_en if english and r.name_en else r.name)
        for code, r in roles_by_codes(codes=codes).items()
    }


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


MAIN_FILE = "process.bpmn"
MAX_CALL_DEPTH = 4  # nested call activities listed under each other, at most this deep


def _parse(text: str) -> Any | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(text.encode(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root if root.tag == f"{{{BPMN_NS}}}definitions" else None


def process_documents(version: ServiceVersion) -> dict[str, Any]:
    """Every BPMN document of the version by file name: ``process.bpmn`` first, then the
    package's other ``.bpmn`` files (the processes its call activities call)."""
    texts = {MAIN_FILE: version.bpmn or ""}
    texts.update((version.definition or {}).get("process_files") or {})
    docs = {}
    for name, text in texts.items():
        root = _parse(str(text)) if text else None
        if root is not None:
            docs[name] = root
    return docs


def _process_index(docs: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Process id → (file name, process element), over every document (a collaboration's
    pools are processes of one file)."""
    index: dict[str, tuple[str, Any]] = {}
    for name, root in docs.items():
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            if process.get("id"):
                index.setdefault(process.get("id"), (name, process))
    return index


def _main_process(root: Any) -> Any | None:
    """The process that runs: the executable one; of several (a collaboration), the one no
    call activity of the file calls."""
    processes = root.findall(f"{{{BPMN_NS}}}process")
    called = {node.get("calledElement") for node in root.iter(f"{{{BPMN_NS}}}callActivity")}
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    for candidates in ([p for p in executable if p.get("id") not in called], executable):
        if candidates:
            return candidates[0]
    uncalled = [p for p in processes if p.get("id") not in called]
    return (uncalled or processes or [None])[0]


def _flow_order(container: Any) -> tuple[list[Any], set[str]]:
    """The elements of a process (or sub-process) in flow order, breadth-first from the
    start, and the ids reached straight from a parallel fork."""
    nodes: dict[str, Any] = {}
    outgoing: dict[str, list[str]] = {}
    for element in container:
        if not isinstance(element.tag, str):
            continue
        element_id = element.get("id")
        if element_id:
            nodes[element_id] = element
        if etree.QName(element).localname == "sequenceFlow":
            outgoing.setdefault(element.get("sourceRef", ""), []).append(
                element.get("targetRef", "")
            )
    starts = [i for i, e in nodes.items() if etree.QName(e).localname == "startEvent"]
    order: list[str] = []
    parallel: set[str] = set()
    queue, seen = list(starts), set(starts)
    while queue:
        current = queue.pop(0)
        order.append(current)
        targets = outgoing.get(current, [])
        is_fork = etree.QName(nodes[current]).localname == "parallelGateway" and len(targets) > 1
        for target in targets:
            if is_fork:
                parallel.add(target)
            if target not in seen and target in nodes:
                seen.add(target)
                queue.append(target)
    order += [i for i in nodes if i not in seen]
    return [nodes[i] for i in order], parallel


def _steps_of(
    container: Any,
    *,
    index: dict[str, tuple[str, Any]],
    roles: dict[str, Any],
    calling: frozenset[str],
) -> list[dict[str, Any]]:
    """The activities of one process or sub-process; a call activity carries the steps of
    the process it calls (found by id in any document of the version) as ``steps``."""
    elements, parallel = _flow_order(container)
    steps: list[dict[str, Any]] = []
    for element in elements:
        tag = etree.QName(element).localname
        kind = STEP_TAGS.get(tag)
        if kind is None:
            continue
        groups = split_groups(element.get(f"{{{CAMUNDA_NS}}}candidateGroups"))
        if groups == (APPLICANT_GROUP,):
            continue  # the applicant's own step (补正) happens only when asked for
        element_id = element.get("id") or ""
        topic = element.get(f"{{{CAMUNDA_NS}}}topic") or ""
        name = element.get("name") or (
            _(ACTION_LABELS[topic]) if topic in ACTION_LABELS else element_id
        )
        called = element.get("calledElement") or "" if tag == "callActivity" else ""
        inner: list[dict[str, Any]] = []
        if len(calling) < MAX_CALL_DEPTH:
            if called and called in index and called not in calling:
                inner = _steps_of(
                    index[called][1], index=index, roles=roles, calling=calling | {called}
                )
            elif tag == "subProcess":
                inner = _steps_of(element, index=index, roles=roles, calling=calling)
        steps.append(
            {
                "id": element_id,
                "name": name,
                "kind": kind,
                "pairs": [t for g in groups if "${" not in g and (t := resolve_group(g, roles))],
                "chosen": any("${" in g for g in groups),
                "parallel": element_id in parallel,
                "action": topic,
                "called": called,
                "steps": inner,
            }
        )
    return steps


def _walk(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for step in steps for item in (step, *_walk(step["steps"]))]


def process_steps(version: ServiceVersion) -> list[dict[str, Any]]:
    """The activities of the process in flow order (breadth-first from the start), with who
    does each user task. Parallel branches appear one after the other, marked ``parallel``.
    A call activity (or an embedded sub-process) lists the steps of what it runs under it
    (``steps``)."""
    if not version.bpmn:
        return [
            {
                "id": f"step-{i}",
                "name": _(n),
                "kind": "user",
                "who": [],
                "parallel": False,
                "action": "",
                "called": "",
                "steps": [],
            }
            for i, n in enumerate(DEFAULT_STEPS)
        ]
    docs = process_documents(version)
    main = _main_process(docs[MAIN_FILE]) if MAIN_FILE in docs else None
    if main is None:
        return []
    steps = _steps_of(
        main,
        index=_process_index(docs),
        roles=version.definition.get("roles") or {},
        calling=frozenset({main.get("id") or ""}),
    )
    every = _walk(steps)
    dept_names = _departments({d for step in every for d, _r in step["pairs"]})
    role_names = _roles({r for step in every for _d, r in step["pairs"]})
    for step in every:
        step["who"] = [
            f"{dept_names.get(d, d)} · {role_names.get(r, r)}" for d, r in step.pop("pairs")
        ]
        if step.pop("chosen", False):
            step["who"].append(_("会签部门按申请表中所选确定"))
    return steps


def _diagram_for(root: Any, process_id: str) -> tuple[str, bool]:
    """The id of the document's diagram that draws ``process_id`` (its own plane, or the
    plane of a collaboration with its pool), and whether that is the document's first."""
    pools = {
        collaboration.get("id")
        for collaboration in root.iter(f"{{{BPMN_NS}}}collaboration")
        for pool in collaboration.iter(f"{{{BPMN_NS}}}participant")
        if pool.get("processRef") == process_id
    }
    diagrams = list(root.iter(f"{{{BPMNDI_NS}}}BPMNDiagram"))
    for position, diagram in enumerate(diagrams):
        plane = diagram.find(f"{{{BPMNDI_NS}}}BPMNPlane")
        if plane is not None and plane.get("bpmnElement") in {process_id, *pools}:
            return diagram.get("id") or "", position == 0
    return "", False


def called_diagrams(
    version: ServiceVersion, *, steps: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The diagrams of the processes call activities call, in the order the steps list them,
    for the guide to draw after the main one: the other file's XML with the diagram to
    open. A called pool drawn in the main diagram (one collaboration) needs none.
    ``steps``: the version's :func:`process_steps`, when the caller has them."""
    docs = process_documents(version)
    if MAIN_FILE not in docs:
        return []
    index = _process_index(docs)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for step in _walk(process_steps(version) if steps is None else steps):
        called = step["called"]
        if not called or called in seen or called not in index:
            continue
        seen.add(called)
        file, process = index[called]
        diagram, first = _diagram_for(docs[file], called)
        if not diagram or (file == MAIN_FILE and first):
            continue
        out.append(
            {
                "process": called,
                "name": process.get("name") or step["name"],
                "file": file,
                "xml": (
                    version.bpmn if file == MAIN_FILE else version.definition["process_files"][file]
                ),
                "diagram": diagram,
                "element_id": f"bpmn-diagram-{len(out) + 1}",
                "source_id": f"bpmn-xml-{len(out) + 1}",
            }
        )
    return out


def part_of(code: str) -> list[dict[str, str]]:
    """The published one-stop services (一件事) whose package ``bundles`` this service, by
    code and name: its guide offers them, so the same child, company … is handled once."""
    from onewindow.catalog.models import Service

    found = []
    for other in Service.objects.filter(current__isnull=False).select_related("current"):
        definition = other.current.definition if other.current else {}
        if code in (definition.get("bundles") or []) and other.code != code:
            found.append({"code": other.code, "name": localized(definition.get("name"))})
    return found


def _repeat(version: ServiceVersion) -> str:
    from onewindow.catalog.packages.repeat import repeat_label

    vocab = vocabulary_load()
    properties = (version.form_schema or {}).get("properties") or {}
    return repeat_label(
        version.definition,
        question_titles={q: str(p.get("title") or q) for q, p in properties.items()},
        licence_names={c: vocab.label("licence_types", c) for c in vocab.licence_types},
    )


def guide_data(version: ServiceVersion) -> dict[str, Any]:
    definition = version.definition
    vocab = vocabulary_load()
    service = version.service
    co_codes = [str(c) for c in definition.get("co_departments") or []]
    names = _departments({service.department.code, *co_codes})
    materials = []
    for item in definition.get("materials") or []:
        source = item.get("source", "upload")
        detail = ""
        if source == "exchange":
            detail = vocab.label("exchange_resources", str(item.get("resource", "")))
        elif source == "licence":
            detail = vocab.label("licence_types", str(item.get("licence_type", "")))
        materials.append(
            {
                "code": item.get("code"),
                "name": localized(item.get("name")),
                "description": localized(item.get("description")),
                "source": source,
                "source_label": _(SOURCE_LABELS.get(source, source)),
                "source_detail": detail,
                "required": bool(item.get("required", True)),
                "copies": item.get("copies"),
                "original": bool(item.get("original", False)),
                "accept": list(item.get("accept") or []) if source == "upload" else [],
                "max_mb": item.get("max_mb", 10) if source == "upload" else None,
            }
        )
    fees = [
        {"code": f.get("code"), "name": localized(f.get("name")), "amount": str(f.get("amount"))}
        for f in definition.get("fees") or []
    ]
    total = sum((Decimal(str(f["amount"])) for f in fees), Decimal("0"))
    limit = definition.get("time_limit") or {}
    depth = int(definition.get("online_depth") or 1)
    appointment = definition.get("appointment") or False
    outcome = definition.get("outcome") or {}
    return {
        "code": service.code,
        "version": version.number,
        "name": localized(definition.get("name")),
        "summary": localized(definition.get("summary")),
        # other names it is known by, and what became of them ("廉租住房已与公共租赁住房并轨")
        "aliases": [{"name": a.name, "note": a.note} for a in service_aliases(dict(definition))],
        "kind": service.kind,
        "kind_label": _(KIND_LABELS.get(service.kind, service.kind)),
        "department": {
            "code": service.department.code,
            "name": names.get(service.department.code, ""),
        },
        "co_departments": [{"code": c, "name": names.get(c, c)} for c in co_codes],
        "life_events": [
            {"code": c, "name": vocab.label("life_events", c)} for c in service.life_events
        ],
        "topics": [{"code": c, "name": vocab.label("topics", c)} for c in service.topics],
        "conditions": localized(definition.get("conditions")),
        "repeat": _repeat(version),  # repeat: of the package (catalog.packages.repeat)
        "materials": materials,
        "fees": fees,
        "fee_total": f"{total:.2f}",
        "statutory_days": limit.get("statutory_days"),
        "promised_days": limit.get("promised_days"),
        "online_depth": depth,
        "online_depth_label": _(DEPTH_LABELS.get(depth, "")),
        "appointment": bool(appointment),
        "appointment_slot_minutes": appointment.get("slot_minutes")
        if isinstance(appointment, dict)
        else None,
        "outcome": {
            "type": outcome.get("type", "decision"),
            "label": _(OUTCOME_LABELS.get(outcome.get("type", "decision"), "")),
            "licence": vocab.label("licence_types", outcome["licence_type"])
            if outcome.get("licence_type")
            else "",
            # a 一件事: every other licence it issues
            "bundle": [
                vocab.label("licence_types", str(entry.get("licence_type")))
                for entry in outcome.get("bundle") or []
                if isinstance(entry, dict) and entry.get("licence_type")
            ],
        },
        # the one-stop services (一件事) that include this one: offered instead
        "part_of": part_of(service.code),
        "delivery": [
            {"code": d, "name": _(DELIVERY_LABELS.get(d, d))}
            for d in definition.get("delivery") or []
        ],
        "where": localized(definition.get("where")),
        "hotline": definition.get("hotline") or "",
        "legal_basis": list(definition.get("legal_basis") or []),
        "steps": process_steps(version),
        "published_at": version.published_at.isoformat() if version.published_at else None,
    }
