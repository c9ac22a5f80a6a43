"""What :meth:`ProcessRun.advance` reports: one typed event per thing that happened, in
order, so a caller asks ``event.kind is EventKind.TIMER_FIRED`` instead of searching
strings. ``str(event)`` is the stable text form the audit trail records
(``timer_fired:remind``, ``action_failed:lookup``, ``finished:approved``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    TIMER_FIRED = "timer_fired"  # a timer event was due and fired (element: the timer)
    ACTION_DONE = "action_done"  # a service task's action returned (element: the task)
    ACTION_FAILED = "action_failed"  # it raised; the task stays and is retried next advance
    FINISHED = "finished"  # the run ended (outcome: approved, rejected, withdrawn …)


@dataclass(frozen=True)
class RunEvent:
    kind: EventKind
    element: str = ""  # the BPMN element id (empty for FINISHED)
    outcome: str = ""  # FINISHED only: the run's outcome

    def __str__(self) -> str:
        return f"{self.kind}:{self.outcome if self.kind is EventKind.FINISHED else self.element}"
