"""The process engine: BPMN (Camunda Modeler / bpmn.io) on SpiffWorkflow 3.2.

Public API (Contract 2): :func:`compile_process`, :func:`default_process`,
:class:`ProcessRun`, the action registry. See ``README.md`` in this package.
"""

from .actions import Action, ActionContext, register_action, registered_actions
from .default import DefaultIssue, DefaultLookup, default_process
from .events import EventKind, RunEvent
from .parser import CompiledProcess, UserTaskInfo, compile_process
from .problems import EngineError, Problem, RunFinished, TaskNotFound, TaskNotOpen
from .runtime import OpenTask, ProcessRun

__all__ = [
    "Action",
    "ActionContext",
    "CompiledProcess",
    "DefaultIssue",
    "DefaultLookup",
    "EngineError",
    "EventKind",
    "OpenTask",
    "Problem",
    "ProcessRun",
    "RunEvent",
    "RunFinished",
    "TaskNotFound",
    "TaskNotOpen",
    "UserTaskInfo",
    "compile_process",
    "default_process",
    "register_action",
    "registered_actions",
]
