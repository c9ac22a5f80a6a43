"""What a check task shows before its holder decides: the records the exchange fetched for
the case — when and under which call-log reference, the ones fetched for this step first —
and each decision table's result on them ("规则结果：不符合（家庭人均住房建筑面积 62 平方米 ≥
15 平方米）"), so no department approves blind what the table will then refuse.

Masking follows what the viewer needs: fields marked sensitive are shown in full to the staff
member who may act on the task now (open, or claimed by them) in the records fetched for this
step, and to staff of the department that provides the resource; everyone else sees ***.
The table's figures are the basis of the decision, so whoever may act on the task sees them;
others see *** where a figure was computed from sensitive fields they may not see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from onewindow.cases.models import CaseTask
from onewindow.cases.rule_results import RuleResult, case_sources, looked_up_for, rule_results
from onewindow.exchange.selectors import FetchedRecord, case_fetched_records, resource_facts
from onewindow.identity.selectors import department_codes_with_ancestors, staff_department_ids
from onewindow.workflow import ProcessRun
from onewindow.workflow.actions import exchange_variable

if TYPE_CHECKING:
    from onewindow.identity.models import User


@dataclass(frozen=True)
class CheckRecord:
    record: FetchedRecord
    at: datetime.datetime | None
    reference: str
    for_this_step: bool


@dataclass(frozen=True)
class CheckData:
    records: list[CheckRecord]
    rules: list[RuleResult]
    acting: bool  # the viewer may act on the task now (records of this step in full)


def viewer_department_codes(user: User) -> set[str]:
    """The viewer's departments (their own and those of their roles) and every department
    above them: staff of a branch belong to the department the branch is part of."""
    ids = staff_department_ids(user_id=user.pk)
    return department_codes_with_ancestors(department_ids=ids) if ids else set()


def may_act(user: User, task: CaseTask) -> bool:
    return (
        task.is_active
        and task.status != CaseTask.Status.WAITING
        and task.case.is_open
        and task.claimed_by_id in (None, user.pk)
    )


def task_check_data(*, user: User, task: CaseTask, run: ProcessRun | None) -> CheckData:
    case = task.case
    variables = run.data() if run is not None else {}
    acting = may_act(user, task)
    mine = looked_up_for(case, task.uid, run) if acting and run is not None else set()
    sources = case_sources(case)
    facts = resource_facts(sources)
    departments = viewer_department_codes(user)

    def provides(resource: str) -> bool:
        fact = facts.get(resource)
        return fact is not None and fact.department_code in departments

    def reveal(resource: str) -> bool:
        return resource in mine or provides(resource)

    def hidden(resource: str, fields: frozenset[str]) -> bool:
        fact = facts.get(resource)
        sensitive = fact.sensitive if fact is not None else frozenset()
        return not acting and not provides(resource) and bool(fields & sensitive)

    fetched = case_fetched_records(
        case.number or "", variables, variable_of=exchange_variable, reveal=reveal
    )
    records = [
        CheckRecord(
            record=record,
            at=sources[record.code].at if record.code in sources else None,
            reference=sources[record.code].reference if record.code in sources else "",
            for_this_step=record.code in mine,
        )
        for record in fetched
    ]
    records.sort(key=lambda r: not r.for_this_step)
    return CheckData(
        records=records,
        rules=rule_results(case, variables, hidden=hidden),
        acting=acting,
    )
