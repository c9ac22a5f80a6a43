"""A licence from the applicant's wallet as a material (电子证照免提交): only the applicant's own,
valid licence of the material's type is taken; someone else's id looks exactly like an unknown
one; a licence revoked after it was chosen stops the submission at that material."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.cases import services
from onewindow.cases.models import Case, CaseMaterial
from onewindow.catalog.models import ServiceVersion
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.licences.models import Licence
from onewindow.licences.services import licence_issue, licence_revoke
from onewindow.testing.cases import ANSWERS, PDF, definition, publish
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

CODE = "licence-material-test"
PERMIT = {
    "code": "permit",
    "name": {"zh": "往来港澳通行证", "en": "Exit-Entry Permit"},
    "source": "licence",
    "licence_type": "hk-macau-permit",
    "required": True,
}
SYSTEM = Actor.system("test")


def _permit(person: Any = None, *, company: Any = None, kind: str = "hk-macau-permit") -> Licence:
    return licence_issue(
        actor=SYSTEM,
        licence_type_code=kind,
        holder_person=person,
        holder_company=company,
        claims={"permitNumber": "C12345678"},
    )


@pytest.fixture
def service(city: None, tmp_path: Path) -> ServiceVersion:
    """The default process (one accept task at the window) with a required licence material
    and an optional upload."""
    diploma = {**definition()["materials"][0], "required": False}
    return publish(tmp_path, service=definition(code=CODE, materials=[PERMIT, diploma]), bpmn=None)


def _draft(user: Any) -> Case:
    case = services.case_draft_start(user=user, service_code=CODE)
    assert not services.case_draft_save_form(user=user, case_id=case.pk, data=dict(ANSWERS))
    return Case.objects.get(pk=case.pk)


def _submit(user: Any, case: Case) -> Case:
    case.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.case_submit(user=user, case_id=case.pk, token=case.submit_token)


def _use(user: Any, case: Case, licence_id: int, code: str = "permit") -> CaseMaterial:
    return services.case_material_use_licence(
        user=user, case_id=case.pk, code=code, licence_id=licence_id
    )


def _refused(user: Any, case: Case, licence_id: int, code: str = "permit") -> ValidationFailed:
    """Refused, and nothing about the case changed."""
    case.refresh_from_db()
    token, materials = case.submit_token, list(case.materials.values_list("pk", flat=True))
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        _use(user, case, licence_id, code)
    case.refresh_from_db()
    assert case.submit_token == token
    assert list(case.materials.values_list("pk", flat=True)) == materials
    assert AuditEvent.objects.count() == audits
    assert caught.value.field == f"material.{code}"
    return caught.value


def test_the_applicants_permit_serves_as_the_material(service, resident):
    licence = _permit(resident)
    case = _draft(resident.user)
    assert [s.code for s in services.missing_materials(case)] == ["permit"]
    material = _use(resident.user, case, licence.pk)
    assert material.source == CaseMaterial.Source.LICENCE
    assert material.licence == licence and material.file == ""
    assert material.original_name == licence.number
    assert len(material.sha256) == 64
    assert services.missing_materials(case) == []
    audit = AuditEvent.objects.get(action="cases.material.use_licence")
    assert audit.changes["licence"] == licence.number
    assert audit.changes["licence_type"] == "hk-macau-permit"
    case = _submit(resident.user, case)
    assert case.status == Case.Status.IN_PROGRESS and case.number


def test_choosing_again_replaces_the_first_choice_and_a_scan(service, resident):
    first, second = _permit(resident), _permit(resident)
    case = _draft(resident.user)
    services.case_material_attach(
        user=resident.user, case_id=case.pk, code="permit", upload=io.BytesIO(PDF)
    )
    _use(resident.user, case, first.pk)
    _use(resident.user, case, second.pk)
    assert list(case.materials.values_list("licence", flat=True)) == [second.pk]


def test_a_scan_still_satisfies_a_licence_material(service, resident):
    case = _draft(resident.user)
    with pytest.raises(ValidationFailed) as caught:
        _submit(resident.user, case)
    assert [e.field for e in caught.value.errors] == ["material.permit"]
    services.case_material_attach(
        user=resident.user, case_id=case.pk, code="permit", upload=io.BytesIO(PDF)
    )
    assert _submit(resident.user, case).status == Case.Status.IN_PROGRESS


def test_another_persons_licence_looks_like_no_licence_at_all(service, resident):
    someone = PersonFactory()
    theirs = _permit(someone)
    case = _draft(resident.user)
    forged = _refused(resident.user, case, theirs.pk)
    unknown = _refused(resident.user, case, theirs.pk + 1000)
    assert forged.code == unknown.code == "licence_not_found"
    assert forged.as_payload() == unknown.as_payload()
    assert "没有找到该电子证照" in str(forged.message)


def test_a_licence_of_another_type_is_refused(service, resident):
    endorsement = _permit(resident, kind="hk-macau-endorsement")
    case = _draft(resident.user)
    error = _refused(resident.user, case, endorsement.pk)
    assert error.code == "licence_wrong_type"
    assert "证照类型不符" in str(error.message)


def test_a_revoked_licence_is_refused(service, resident):
    licence = _permit(resident)
    licence_revoke(actor=SYSTEM, licence_id=licence.pk, reason="挂失")
    error = _refused(resident.user, _draft(resident.user), licence.pk)
    assert error.code == "licence_revoked"
    assert "已被撤销" in str(error.message)


def test_an_expired_licence_is_refused(service, resident):
    licence = licence_issue(
        actor=SYSTEM, licence_type_code="hk-macau-permit", holder_person=resident, valid_days=1
    )
    case = _draft(resident.user)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        error = _refused(resident.user, case, licence.pk)
    assert error.code == "licence_expired"


def test_an_edited_licence_record_is_refused(service, resident):
    licence = _permit(resident)
    Licence.objects.filter(pk=licence.pk).update(claims={**licence.claims, "name": "王五"})
    error = _refused(resident.user, _draft(resident.user), licence.pk)
    assert error.code == "licence_altered"


def test_an_upload_material_takes_no_licence(service, resident):
    licence = _permit(resident)
    error = _refused(resident.user, _draft(resident.user), licence.pk, code="diploma")
    assert error.code == "not_licence_material"


def test_only_the_applicant_and_only_while_editable(service, resident):
    licence = _permit(resident)
    case = _draft(resident.user)
    with pytest.raises(services.CaseNotFound):
        _use(PersonFactory().user, case, licence.pk)
    _use(resident.user, case, licence.pk)
    case = _submit(resident.user, case)
    with pytest.raises(services.MaterialsLocked) as caught:
        _use(resident.user, case, licence.pk)
    assert caught.value.status == 409


def test_revoked_between_choosing_and_submitting(service, resident):
    licence = _permit(resident)
    case = _draft(resident.user)
    _use(resident.user, case, licence.pk)
    licence_revoke(actor=SYSTEM, licence_id=licence.pk, reason="挂失")
    with pytest.raises(ValidationFailed) as caught:
        _submit(resident.user, case)
    (error,) = caught.value.errors
    assert error.field == "material.permit" and error.code == "licence_revoked"
    assert "往来港澳通行证" in str(error.message) and "已被撤销" in str(error.message)
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and case.number is None
    # A fresh, valid permit mends it.
    _use(resident.user, case, _permit(resident).pk)
    assert _submit(resident.user, case).status == Case.Status.IN_PROGRESS


def test_the_company_holds_the_licence_of_an_enterprise_case(city, tmp_path, resident, company_for):
    company = company_for(resident)
    licence_material = {**PERMIT, "licence_type": "business-licence", "code": "licence"}
    publish(
        tmp_path,
        service=definition(code=CODE, kind="enterprise", materials=[licence_material]),
        bpmn=None,
    )
    own = _permit(resident, kind="business-licence")  # the agent's own: not the applicant's
    companys = _permit(company=company, kind="business-licence")
    case = services.case_draft_start(
        user=resident.user, service_code=CODE, company_uscc=company.uscc
    )
    assert _refused(resident.user, case, own.pk, code="licence").code == "licence_not_found"
    assert _use(resident.user, case, companys.pk, code="licence").licence == companys


def test_on_supplement_the_new_choice_supersedes_and_is_checked_again(service, resident, staff):
    old, new = _permit(resident), _permit(resident)
    case = _draft(resident.user)
    _use(resident.user, case, old.pk)
    case = _submit(resident.user, case)
    accept = case.tasks.get()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.task_complete(
            user=staff("rsj_clerk"), task_id=accept.pk, decision="supplement", comment="证件过期"
        )
    _use(resident.user, case, new.pk)
    current = case.materials.get(code="permit", superseded=False)
    assert current.licence == new
    assert case.materials.get(code="permit", superseded=True).licence == old
    assert case.events.filter(kind="material_supplemented").exists()
    licence_revoke(actor=SYSTEM, licence_id=new.pk, reason="挂失")
    with pytest.raises(ApplicationError) as caught:
        services.case_supplement_submit(user=resident.user, case_id=case.pk)
    assert [e.field for e in caught.value.errors] == ["material.permit"]
    case.refresh_from_db()
    assert case.status == Case.Status.SUPPLEMENT


def test_answers_tied_to_the_licence_must_say_what_it_says(city, tmp_path, resident):
    """``form_fields`` ties a question to a claim of the chosen licence: a licence that says
    something else is refused when chosen (at the material, naming the question), and an
    answer changed afterwards stops the submission at that question. A licence without the
    claim is not compared."""
    tied = {**PERMIT, "form_fields": {"degree": "holderDegree"}}
    publish(tmp_path, service=definition(code=CODE, materials=[tied]), bpmn=None)

    def permit(degree: str | None) -> Licence:
        claims = {"permitNumber": "C12345678", **({"holderDegree": degree} if degree else {})}
        return licence_issue(
            actor=SYSTEM,
            licence_type_code="hk-macau-permit",
            holder_person=resident,
            claims=claims,
        )

    case = _draft(resident.user)  # answers say bachelor
    refused = _refused(resident.user, case, permit("master").pk)
    assert refused.code == "licence_mismatch"
    assert "「学历」" in str(refused.message) and "master" in str(refused.message)

    _use(resident.user, case, permit("bachelor").pk)
    services.case_draft_save_form(
        user=resident.user, case_id=case.pk, data={**ANSWERS, "degree": "master"}
    )
    with pytest.raises(ValidationFailed) as caught:
        _submit(resident.user, case)
    errors = {e.field: e for e in caught.value.errors}
    assert errors["degree"].code == "licence_mismatch"
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT

    _use(resident.user, case, permit(None).pk)  # no such claim: nothing to compare
    assert _submit(resident.user, case).status == Case.Status.IN_PROGRESS
