"""Compile-time problems and run-time errors of the process engine."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError, Conflict, NotFound


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str  # Chinese (the active language when compiled)
    warning: bool = False  # worth a look, but the process compiles and can be published

    def __str__(self) -> str:
        return f"{self.file}:{self.line or 0}: {self.message}"


class EngineError(ApplicationError):
    """The process cannot do what was asked (a broken spec or state)."""

    code = "engine_error"


class TaskNotFound(NotFound):
    code = "task_not_found"

    def __init__(self) -> None:
        super().__init__(_("办理任务不存在"), field="task")


class TaskNotOpen(Conflict):
    code = "task_not_open"

    def __init__(self) -> None:
        super().__init__(_("该任务已办结或尚未到达，不能再办理"), field="task")


class RunFinished(Conflict):
    code = "process_finished"

    def __init__(self) -> None:
        super().__init__(_("流程已结束"))
