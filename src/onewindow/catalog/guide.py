"""The service guide (办事指南) of a published version, as plain data for the page and the
API: conditions, materials and where each comes from, fees, time limits, online depth,
appointment, where to go, legal basis and the steps of the process."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree

from onewindow.catalog.models import ServiceVersion, localized
from onewindow.catalog.packages.process import (
    APPLICANT_GROUP,
    BPMN_NS,
    CAMUNDA_NS,
    resolve_group,
    split_groups,
)
from onewindow.catalog.packages.vocabulary import vocabulary_load

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
    from onewindow.identity.models import Department

    english = _english()
    return {
        d.code: (d.name_en if english and d.name_en else d.name)
        for d in Department.objects.filter(code__in=codes)
    }


def _roles(codes: set[str]) -> dict[str, str]:
    from onewindow.identity.models import Role

    english = _english()
    return {
        r.code: (r.name_en if english and r.name_en else r.name)
        for r in Role.objects.filter(code__in=codes)
    }


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


def process_steps(version: ServiceVersion) -> list[dict[str, Any]]:
    """The activities of the process in flow order (breadth-first from the start), with who
    does each user task. Parallel branches appear one after the other, marked ``parallel``."""
    if not version.bpmn:
        return [
            {"id": f"step-{i}", "name": _(n), "kind": "user", "who": [], "parallel": False}
            for i, n in enumerate(DEFAULT_STEPS)
        ]
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(version.bpmn.encode(), parser=parser)
    except etree.XMLSyntaxError:
        return []
    process = root.find(f"{{{BPMN_NS}}}process")
    if process is None:
        return []
    nodes: dict[str, Any] = {}
    outgoing: dict[str, list[str]] = {}
    for element in process:
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
    roles = version.definition.get("roles") or {}
    groups: dict[str, list[tuple[str, str]]] = {}
    for element_id in order:
        element = nodes[element_id]
        raw = element.get(f"{{{CAMUNDA_NS}}}candidateGroups")
        groups[element_id] = [t for g in split_groups(raw) if (t := resolve_group(g, roles))]
    dept_names = _departments({d for pairs in groups.values() for d, _r in pairs})
    role_names = _roles({r for pairs in groups.values() for _d, r in pairs})
    steps: list[dict[str, Any]] = []
    for element_id in order:
        element = nodes[element_id]
        kind = STEP_TAGS.get(etree.QName(element).localname)
        if kind is None:
            continue
        if split_groups(element.get(f"{{{CAMUNDA_NS}}}candidateGroups")) == (APPLICANT_GROUP,):
            continue  # the applicant's own step (补正) happens only when asked for
        topic = element.get(f"{{{CAMUNDA_NS}}}topic") or ""
        name = element.get("name") or (
            _(ACTION_LABELS[topic]) if topic in ACTION_LABELS else element_id
        )
        who = [
            f"{dept_names.get(d, d)} · {role_names.get(r, r)}"
            for d, r in groups.get(element_id, [])
        ]
        steps.append(
            {
                "id": element_id,
                "name": name,
                "kind": kind,
                "who": who,
                "parallel": element_id in parallel,
                "action": topic,
            }
        )
    return steps


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
        },
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
