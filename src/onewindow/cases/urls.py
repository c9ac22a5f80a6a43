from django.urls import path

from onewindow.cases import (
    chain_views,
    company_task_views,
    letter_views,
    party_views,
    resident_views,
    slot_views,
    stuck_views,
    supervision_views,
    views,
)

app_name = "cases"
urlpatterns = [
    # staff
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/supervision/", supervision_views.supervision, name="supervision"),
    path("workbench/stuck/", stuck_views.stuck_cases, name="stuck_cases"),
    path("workbench/tasks/<int:task_id>/", views.staff_task, name="staff_task"),
    path("workbench/cases/<str:number>/", views.staff_case, name="staff_case"),
    path(
        "workbench/cases/<str:number>/materials/<int:material_id>/",
        views.staff_material_download,
        name="staff_material",
    ),
    path(
        "workbench/cases/<str:number>/letter.pdf",
        letter_views.staff_letter_pdf,
        name="staff_letter_pdf",
    ),
    # residents
    path("cases/", resident_views.my_cases, name="my_cases"),
    path("cases/apply/<slug:code>/", resident_views.apply_start, name="apply_start"),
    path("cases/drafts/<int:case_id>/form/", resident_views.draft_form, name="draft_form"),
    path(
        "cases/drafts/<int:case_id>/materials/",
        resident_views.draft_materials,
        name="draft_materials",
    ),
    path("cases/drafts/<int:case_id>/slot/", slot_views.draft_slot, name="draft_slot"),
    path("cases/drafts/<int:case_id>/review/", resident_views.draft_review, name="draft_review"),
    path("cases/drafts/<int:case_id>/discard/", resident_views.draft_discard, name="draft_discard"),
    path("cases/company-tasks/", company_task_views.company_tasks, name="company_tasks"),
    path(
        "cases/company-tasks/<int:task_id>/",
        company_task_views.company_task,
        name="company_task",
    ),
    path("cases/consents/", party_views.consent_list, name="consent_list"),
    path("cases/consents/<int:party_id>/", party_views.consent_detail, name="consent_detail"),
    path("cases/joint/<str:number>/", party_views.joint_case, name="joint_case"),
    path("cases/<str:number>/", resident_views.case_detail, name="case_detail"),
    path(
        "cases/<str:number>/parties/<int:party_id>/code/",
        party_views.party_code_send,
        name="party_code_send",
    ),
    path(
        "cases/<str:number>/parties/<int:party_id>/confirm/",
        party_views.party_code_confirm,
        name="party_code_confirm",
    ),
    path("cases/<str:number>/letter.pdf", letter_views.case_letter_pdf, name="case_letter_pdf"),
    path("cases/<str:number>/next/<slug:code>/", chain_views.case_next, name="case_next"),
    path("cases/<str:number>/withdraw/", resident_views.case_withdraw, name="case_withdraw"),
    path("cases/<str:number>/supplement/", resident_views.case_supplement, name="case_supplement"),
    path(
        "cases/<str:number>/materials/<int:material_id>/",
        resident_views.case_material_download,
        name="case_material",
    ),
]
