"""What ``service_try`` prints: the paths of a trial as text (Chinese) or as JSON."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from onewindow.catalog.trialtypes import SUBMIT, TABLE_ACTION, Step, TrialPath, TrialReport


def decision_label(decision: str) -> str:
    return {
        "approve": pgettext("task decision", "同意"),
        "reject": _("不同意"),
        "supplement": pgettext("task decision", "退回补正"),
        SUBMIT: _("提交补正"),
    }.get(decision, decision)


def status_label(status: str) -> str:
    return {
        "approved": _("已办结（准予）"),
        "rejected": _("已办结（不予）"),
        "stuck": _("卡住"),
        "merged": _("与其他路径汇合"),
        "open": _("未办结"),
        "limit": _("未办结（步数上限）"),
    }.get(status, status)


def _when(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _value(value: Any) -> str:
    if isinstance(value, Mapping) and isinstance(value.get("zh"), str):
        return str(value["zh"])  # a decision table's bilingual reason
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _pairs(values: Mapping[str, Any]) -> str:
    return "，".join(f"{name} = {_value(value)}" for name, value in values.items())


def _step_lines(step: Step, number: int) -> list[str]:
    if step.kind == "task":
        group = step.group + (f" → {step.assignee}" if step.assignee else "")
        decision = decision_label(step.decision)
        line = f"  {number}. {step.name}（{step.element}）［{group or '—'}］{decision}"
        if step.findings:
            line += _("；记录：%(findings)s") % {"findings": _pairs(step.findings)}
        lines = [line]
        if step.note:
            lines.append(f"     {step.note}")
        return lines
    if step.kind == "service":
        how = step.action if not step.simulated else _("%(action)s，模拟") % {"action": step.action}
        line = f"     · {step.name}（{how}）"
        if step.error:
            line += _("：失败（%(error)s）") % {"error": step.error}
        elif step.action == TABLE_ACTION and step.result:
            line += _("：%(outputs)s") % {"outputs": _pairs(step.result)}
        return [line]
    if step.kind == "timer":
        return [
            "     · "
            + _("定时器“%(name)s”（%(element)s）于 %(at)s 触发")
            % {"name": step.name, "element": step.element, "at": _when(step.at)}
        ]
    return ["     · " + _("%(note)s：%(at)s") % {"note": step.note, "at": _when(step.at)}]


def _outcome_line(path: TrialPath, names: Mapping[str, str]) -> str:
    line = _("  结果：%(status)s") % {"status": status_label(path.status)}
    if path.end_events:
        ends = "、".join(f"{names.get(e) or e}（{e}）" for e in path.end_events)
        line += _("，终点 %(ends)s") % {"ends": ends}
    if path.message:
        line += f"——{path.message}"
    return line


def _header(report: TrialReport) -> list[str]:
    package = report.package
    answers = _("按 --answers 文件") if report.answers_given else _("按表单生成的示例值")
    wait = _("，每个待办任务等待 %(wait)s 后办理") % {"wait": report.wait} if report.wait else ""
    lines = [
        _("试运行 %(code)s（%(name)s）") % {"code": package.code, "name": package.name or "—"},
        _("  申请表答案：%(source)s") % {"source": answers},
        _("  模拟时钟：从 %(start)s 开始%(wait)s") % {"start": _when(report.start), "wait": wait},
        _(
            "  决策表按服务包中的表真实计算；其他服务任务（数据共享、缴费、证照、通知、寄递）"
            "返回模拟结果，不访问数据库。"
        ),
    ]
    if package.problems:
        lines.append(_("  发布前须修正的问题："))
        lines.extend(f"    {problem}" for problem in package.problems)
    return lines


def _summary(report: TrialReport) -> list[str]:
    names = report.package.graph.names
    counts = Counter(path.status for path in report.paths)
    others = len(report.paths) - counts["approved"] - counts["rejected"] - counts["stuck"]
    total = _(
        "汇总：共 %(n)d 条路径——已办结（准予）%(a)d 条，已办结（不予）%(r)d 条，卡住 %(s)d 条"
    ) % {
        "n": len(report.paths),
        "a": counts["approved"],
        "r": counts["rejected"],
        "s": counts["stuck"],
    }
    if others:
        total += _("，其他 %(o)d 条") % {"o": others}
    lines = ["", total]
    if report.truncated:
        lines.append(
            _(
                "  已达路径上限（--max-paths），还有路径未探索；"
                "下面的“从未到达”只就已探索的路径而言。"
            )
        )
    ends = "、".join(f"{names.get(e) or e}（{e}）" for e in report.unreached_end_events)
    lines.append(_("从未到达的结束事件：%(items)s") % {"items": ends or _("无")})
    user_tasks = report.package.spec.get("user_tasks") or {}
    tasks = "、".join(
        f"{(user_tasks.get(t) or {}).get('name') or t}（{t}）" for t in report.unreached_user_tasks
    )
    lines.append(_("从未到达的用户任务：%(items)s") % {"items": tasks or _("无")})
    return lines


def trial_as_text(report: TrialReport) -> str:
    lines = _header(report)
    for path in report.paths:
        choices = ",".join(path.choices) or _("（无需办理）")
        lines += ["", _("路径 %(n)d：%(choices)s") % {"n": path.number, "choices": choices}]
        number = 0
        for step in path.steps:
            number += step.kind == "task"
            lines.extend(_step_lines(step, number))
        lines.append(_outcome_line(path, report.package.graph.names))
    lines.extend(_summary(report))
    return "\n".join(lines) + "\n"


def _step_json(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": step.kind, "at": step.at.isoformat()}
    if step.element:
        data.update(element=step.element, name=step.name)
    if step.kind == "task":
        data.update(
            group=step.group,
            assignee=step.assignee,
            decision=step.decision,
            findings=step.findings,
        )
    if step.kind == "service":
        data.update(action=step.action, simulated=step.simulated, result=step.result)
        if step.error:
            data["error"] = step.error
    if step.note:
        data["note"] = step.note
    return data


def trial_as_json(report: TrialReport) -> dict[str, Any]:
    package = report.package
    return {
        "package": package.code,
        "name": package.name,
        "problems": package.problems,
        "answers": report.answers,
        "answers_given": report.answers_given,
        "start": report.start.isoformat(),
        "wait": report.wait or None,
        "paths": [
            {
                "number": path.number,
                "path": ",".join(path.choices),
                "status": path.status,
                "outcome": path.status if path.status in ("approved", "rejected") else None,
                "message": path.message,
                "end_events": path.end_events,
                "merged_with": path.merged_with,
                "steps": [_step_json(step) for step in path.steps],
            }
            for path in report.paths
        ],
        "unreached": {
            "end_events": report.unreached_end_events,
            "user_tasks": report.unreached_user_tasks,
        },
        "truncated": report.truncated,
        "stuck": report.stuck,
    }
