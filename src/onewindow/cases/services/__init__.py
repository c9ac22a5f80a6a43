"""Case writes. Other apps import from here:
``from onewindow.cases.services import case_submit``."""

from onewindow.cases.services._common import (
    CaseFinished,
    CaseNotFound,
    NotAgentAnyMore,
    NotYourTask,
    StaleCase,
    TaskFinished,
    TaskNotFound,
)
from onewindow.cases.services.applicant import case_withdraw
from onewindow.cases.services.bookings import case_appointment_book
from onewindow.cases.services.materials import (
    MaterialsLocked,
    case_material_attach,
    case_material_remove,
    case_material_use_licence,
    licence_material_errors,
    material_specs,
    missing_materials,
    sniff_content_type,
)
from onewindow.cases.services.process import case_advance, case_advance_enqueue
from onewindow.cases.services.sla import cases_sla_sweep
from onewindow.cases.services.steps import cases_steps_sweep
from onewindow.cases.services.stuck import (
    CaseNotStuck,
    case_stuck_conclude,
    case_stuck_retry,
    stuck_cases_for,
)
from onewindow.cases.services.submission import (
    AlreadySubmitted,
    allocate_number,
    case_create_and_submit,
    case_draft_discard,
    case_draft_save_form,
    case_draft_set_step,
    case_draft_start,
    case_submit,
)
from onewindow.cases.services.supplements import case_supplement_submit
from onewindow.cases.services.tasks import (
    BulkResult,
    TaskClaimedByOther,
    TaskWaitingForApplicant,
    staff_may_act,
    task_claim,
    task_comment,
    task_complete,
    task_transfer,
    task_unclaim,
    tasks_bulk,
)
from onewindow.cases.services.timeline import case_timeline_note

__all__ = [
    "AlreadySubmitted",
    "BulkResult",
    "CaseFinished",
    "CaseNotFound",
    "CaseNotStuck",
    "MaterialsLocked",
    "NotAgentAnyMore",
    "NotYourTask",
    "StaleCase",
    "TaskClaimedByOther",
    "TaskFinished",
    "TaskNotFound",
    "TaskWaitingForApplicant",
    "allocate_number",
    "case_advance",
    "case_advance_enqueue",
    "case_appointment_book",
    "case_create_and_submit",
    "case_draft_discard",
    "case_draft_save_form",
    "case_draft_set_step",
    "case_draft_start",
    "case_material_attach",
    "case_material_remove",
    "case_material_use_licence",
    "case_stuck_conclude",
    "case_stuck_retry",
    "case_submit",
    "case_supplement_submit",
    "case_timeline_note",
    "case_withdraw",
    "cases_sla_sweep",
    "cases_steps_sweep",
    "licence_material_errors",
    "material_specs",
    "missing_materials",
    "sniff_content_type",
    "staff_may_act",
    "stuck_cases_for",
    "task_claim",
    "task_comment",
    "task_complete",
    "task_transfer",
    "task_unclaim",
    "tasks_bulk",
]
