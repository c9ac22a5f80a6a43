"""Marriage registration (the real demo package): the process looks up household
registration and marital status through the exchange instead of asking for uploads."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client, TestCase
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.appointments.models import Slot
from onewindow.appointments.seed import resources_seed
from onewindow.audit.services import Actor
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.services import case_appointment_book
from onewindow.cases.services.parties import party_consent_decide
from onewindow.cases.services.process import restore
from onewindow.catalog.services import service_packages_import
from onewindow.core.identifiers import citizen_id_make
from onewindow.core.pii import id_number_index
from onewindow.demo.city import city_structure_seed
from onewindow.exchange.calllog import calllog_verify
from onewindow.exchange.models import CallLog
from onewindow.exchange.services import PLATFORM_CONSUMER
from onewindow.identity.models import StaffRole
from onewindow.testing.cases import PNG
from onewindow.testing.demo_packages import catalog_dir, sample_answers
from onewindow.testing.factories import PersonFactory, make_person, user_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("memory_storage")]


@pytest.fixture
def marriage(db: Any) -> Any:
    city_structure_seed(seed=1)
    folder = catalog_dir() / "marriage-registration"
    if not folder.exists():
        pytest.skip("demo package not present")
    return service_packages_import(actor=Actor.system("test"), paths=[folder])[0]


def test_marriage_case_looks_up_both_parties(marriage: Any) -> None:
    applicant: Any = PersonFactory(birth_date=datetime.date(1997, 2, 3))
    partner_id = citizen_id_make("440104", datetime.date(1998, 7, 9), 456)
    partner = make_person(
        id_number=partner_id, id_number_bidx=id_number_index(partner_id), name="李四"
    )
    case = _apply(applicant, marriage, partner_id)
    # Nothing about the partner is looked up before she agrees from her own account.
    assert case.status == Case.Status.CONSENT
    assert not CallLog.objects.filter(case_number=case.number).exists()
    party = case.parties.get(code="partner")
    with TestCase.captureOnCommitCallbacks(execute=True):
        party_consent_decide(user=user_of(partner), party_id=party.pk, agree=True)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS

    calls = CallLog.objects.filter(case_number=case.number)
    assert set(calls.values_list("resource_code", flat=True)) == {
        "gz-gaj.household-registration",
        "gz-mzj.marital-status",
        "gz-gaj.identity",
    }
    assert set(calls.values_list("consumer_id_value", flat=True)) == {PLATFORM_CONSUMER}
    assert calls.count() == 6 and all(c.outcome == "ok" for c in calls)
    assert all(str(case.number) in c.purpose for c in calls)
    assert calllog_verify() is None

    variables = restore(case).data()
    hukou = variables["exchange_gz_gaj_household_registration"]
    assert hukou["applicant"]["name"] == applicant.name
    assert hukou["partner"]["name"] == partner.name
    assert variables["exchange_gz_mzj_marital_status"]["applicant"]["marital_status"] == "未婚"

    client = Client()
    client.force_login(applicant.user)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert (
        "已通过数据共享获取：户籍信息、居民身份信息、婚姻登记信息（广州市公安局、广州市民政局）"
        in page
    )

    task = case.tasks.get(status__in=["open", "claimed"])
    holder = StaffRole.objects.filter(role__code=task.role_code, department=task.department).first()
    assert holder is not None
    staff = Client()
    staff.force_login(holder.staff.user)
    session = staff.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=holder.staff.user).persistent_id
    session.save()
    page = staff.get(f"/workbench/cases/{case.number}/").content.decode()
    assert "已通过数据共享获取：户籍信息、居民身份信息、婚姻登记信息" in page


def _apply(person: Any, version: Any, partner_id: str) -> Case:
    """Form, the uploads the package still asks for, a registry slot, submit."""
    user = person.user
    case = case_services.case_draft_start(user=user, service_code=version.service.code)
    data = {
        **sample_answers(version.form_schema),
        "partner_name": "李四",  # as on her identity record, or the case is refused
        "partner_id_number": partner_id,
    }
    assert not case_services.case_draft_save_form(user=user, case_id=case.pk, data=data)
    for spec in case_services.material_specs(version.definition):
        if spec.source == "upload" and spec.required:
            case_services.case_material_attach(
                user=user, case_id=case.pk, code=spec.code, upload=io.BytesIO(PNG)
            )
    resources_seed(days=10)
    # A slot still ahead of the wall clock: the first slot of today has passed by the afternoon.
    slot = Slot.objects.filter(
        resource__code="marriage-registry",
        starts_at__gt=timezone.now() + datetime.timedelta(hours=1),
    ).order_by("starts_at", "pk")[0]
    case_appointment_book(user=user, case_id=case.pk, slot_id=slot.pk)
    case.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_services.case_submit(user=user, case_id=case.pk, token=case.submit_token)
    case.refresh_from_db()
    return case
