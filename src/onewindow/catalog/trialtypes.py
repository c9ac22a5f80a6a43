"""What ``service_try`` works with and reports: a package ready to try, the choices made
at a task, the steps and paths of a trial, and the command-line values it reads
(durations, ``--path``). See :mod:`onewindow.catalog.trial`."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from onewindow.catalog.trialgraph import ProcessGraph

DECISIONS = ("approve", "reject")  # tried at every staff task
KNOWN_DECISIONS = ("approve", "reject", "supplement")
SUBMIT = "submit"  # the applicant answers a supplement task of the process
APPLICANT = "applicant"
TABLE_ACTION = "decisions.evaluate"
COMMENT = "试运行"
STATUSES = ("approved", "rejected", "stuck", "merged", "open", "limit")
_DURATION = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


class TrialError(Exception):
    """The package cannot be tried (unreadable, or its process does not compile), or an
    option is wrong. ``problems``: the package's problems as ``file:line: message``."""

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Choice:
    """What the holder of a task does: a decision and the task form values varied."""

    decision: str
    findings: tuple[tuple[str, Any], ...] = ()

    @property
    def token(self) -> str:
        return self.decision + "".join(f":{name}={_token_value(v)}" for name, v in self.findings)


@dataclass
class Step:
    kind: str  # task | service | timer | clock
    element: str
    name: str
    at: datetime.datetime
    group: str = ""
    assignee: str = ""  # department:role the group maps to in service.yaml
    decision: str = ""
    findings: dict[str, Any] = field(default_factory=dict)
    action: str = ""
    simulated: bool = False
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    note: str = ""


@dataclass
class TrialPath:
    choices: list[str]
    steps: list[Step]
    status: str  # one of STATUSES
    message: str = ""
    end_events: list[str] = field(default_factory=list)
    number: int = 0
    merged_with: int | None = None
    order: tuple[int, ...] = ()
    visited: tuple[int, ...] = ()
    merged_node: int | None = None


@dataclass
class TrialPackage:
    label: str
    code: str
    name: str
    definition: dict[str, Any]
    form_schema: dict[str, Any]
    spec: dict[str, Any]
    graph: ProcessGraph
    problems: list[str] = field(default_factory=list)  # publishing would be refused


@dataclass
class TrialReport:
    package: TrialPackage
    answers: dict[str, Any]
    answers_given: bool
    start: datetime.datetime
    wait: str
    paths: list[TrialPath]
    unreached_end_events: list[str]
    unreached_user_tasks: list[str]
    truncated: bool

    @property
    def stuck(self) -> bool:
        return any(path.status == "stuck" for path in self.paths)


# -- options
def trial_duration(text: str) -> datetime.timedelta:
    """An ISO 8601 duration (``P10D``, ``PT2H``, ``P1DT12H``, ``P2W``)."""
    match = _DURATION.match(text.strip().upper())
    if not match or not any(match.groupdict().values()):
        raise TrialError(
            _("时长 %(text)s 无效，应写成 P10D、PT2H 这样的 ISO 8601 时长。") % {"text": text}
        )
    parts = {k: int(v or 0) for k, v in match.groupdict().items()}
    return datetime.timedelta(
        weeks=parts["w"], days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"]
    )


def trial_path_parse(text: str) -> list[Choice]:
    """``approve,reject:income_ok=false,submit`` → one choice per user task completed."""
    choices = []
    for token in (part.strip() for part in text.split(",")):
        decision, *fields = token.split(":")
        if decision not in (*KNOWN_DECISIONS, SUBMIT):
            raise TrialError(
                _("路径中的“%(token)s”无效：每一步写 approve、reject、supplement 或 submit。")
                % {"token": token}
            )
        findings = []
        for item in fields:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise TrialError(
                    _("路径中的“%(token)s”无效：任务表单字段写成 :字段=值。") % {"token": token}
                )
            findings.append((name.strip(), _parse_value(value.strip())))
        choices.append(Choice(decision, tuple(findings)))
    return choices


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _token_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
