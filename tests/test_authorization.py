"""Walks every URL pattern as every kind of visitor and checks each is refused where due.

Each page view declares its policy with ``core.access.access``; this test fails for a view
that declares none. Views with URL arguments need an entry in ``ARGUMENTS`` saying how to
build them and who owns the object — that is how later apps extend this harness with
object-level checks ("another resident's case", "another department's task").
API operations require authentication unless listed in ``PUBLIC_API``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.core.access import OPERATOR, PUBLIC, RESIDENT, STAFF
from onewindow.testing.factories import DepartmentFactory, PersonFactory, StaffFactory

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "resident_a", "resident_b", "staff_a", "staff_b", "operator")

# URL names that are Django's own views, with the policy they effectively have.
FRAMEWORK_VIEWS = {"set_language": PUBLIC}
# Views whose POST ends the visitor's session (checked in their own tests).
SESSION_ENDING = {"identity:logout"}
# API operations that are public on purpose ("METHOD /path").
PUBLIC_API = {
    "GET /api/v1/openapi.json",
    "GET /api/v1/docs",
    "POST /api/v1/auth/sms-code",
    "POST /api/v1/auth/sms-login",
    "GET /api/v1/services",
    "GET /api/v1/services/{code}",
    "POST /api/v1/exchange/query",  # signed with the consumer's key instead
    "POST /api/v1/licences/verify",  # third parties verify a licence without an account
    "GET /api/v1/knowledge",  # the hotline's knowledge base, public like its page
}


@dataclass
class World:
    clients: dict[str, Client]
    users: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Args:
    """How to fill a URL's arguments, and which personas may reach that object even though
    the view's policy would let every persona of that kind in (object-level refusal)."""

    build: Callable[[World], dict[str, Any]]
    only: frozenset[str] | None = None


def _push_rule(w: World) -> str:
    from onewindow.outreach.models import PushRule

    PushRule.objects.get_or_create(
        code="walk-rule",
        defaults={
            "name": "巡检规则",
            "trigger": "schedule",
            "condition": "false",
            "template": "提醒",
            "reason": "因为",
            "channels": ["inapp"],
        },
    )
    return "walk-rule"


def _cases(w: World) -> dict[str, Any]:
    """A service whose tasks go to dept-a's approvers (staff_a holds that role), a draft and
    a submitted case of resident_a with one stored material. Built once per walk."""
    if "case" in w.objects:
        return w.objects
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from onewindow.cases.models import CaseMaterial
    from onewindow.cases.services import case_create_and_submit, case_draft_start
    from onewindow.catalog.models import Service, ServiceVersion
    from onewindow.identity.models import Department, StaffRole
    from onewindow.testing.factories import RoleFactory
    from onewindow.workflow import compile_process, default_process

    dept_a = Department.objects.get(code="dept-a")
    StaffRole.objects.create(
        staff=w.users["staff_a"].staff, role=RoleFactory(code="approver"), department=dept_a
    )
    service = Service.objects.create(
        code="walk-service", name="走查事项", kind="personal", department=dept_a
    )
    compiled = compile_process(default_process(owner_group="dept-a:approver"))
    version = ServiceVersion.objects.create(
        service=service,
        number=1,
        definition={"code": "walk-service", "kind": "personal", "materials": []},
        form_schema={"type": "object"},
        process_spec=compiled.spec,
        checksum="walk",
    )
    service.current = version
    service.save()
    resident = w.users["resident_a"]
    case, _created = case_create_and_submit(
        user=resident, service_code="walk-service", form_data={}, idempotency_key="walk"
    )
    w.objects["draft"] = case_draft_start(user=resident, service_code="walk-service")
    w.objects["material"] = CaseMaterial.objects.create(
        case=case,
        code="doc",
        name="材料",
        file=default_storage.save("cases/walk/doc.pdf", ContentFile(b"%PDF-1.4 walk")),
        content_type="application/pdf",
    )
    w.objects["case"] = case
    w.objects["task"] = case.tasks.get()
    return w.objects


def _case_number(w: World) -> dict[str, Any]:
    return {"number": _cases(w)["case"].number}


def _letter_case_number(w: World) -> dict[str, Any]:
    """resident_a's case with a refusal letter issued."""
    from django.utils import timezone

    from onewindow.cases.models import DecisionLetter

    case = _cases(w)["case"]
    if "letter" not in w.objects:
        w.objects["letter"] = DecisionLetter.objects.create(
            case=case,
            number="走查不予批准〔2026〕1号",
            kind=DecisionLetter.Kind.APPROVAL,
            issuer=case.service_version.service.department,
            issued_at=timezone.now(),
            content={"submitted_on": "2026-01-05", "case_number": case.number},
        )
    return {"number": case.number}


def _party(w: World) -> Any:
    """resident_b named on resident_a's case (a party asked for consent)."""
    if "party" not in w.objects:
        from onewindow.cases.models import CaseParty

        person_b = w.users["resident_b"].person
        w.objects["party"] = CaseParty.objects.create(
            case=_cases(w)["case"],
            code="partner",
            label="对方",
            id_number_bidx=person_b.id_number_bidx,
            person=person_b,
            record_check=CaseParty.Check.MATCHED,
            lookups=["gz-gaj.household-registration"],
            consent=CaseParty.Consent.PENDING,
        )
    return w.objects["party"]


def _consent(w: World) -> dict[str, Any]:
    return {"party_id": _party(w).pk}


def _case_party(w: World) -> dict[str, Any]:
    return {"number": _cases(w)["case"].number, "party_id": _party(w).pk}


def _draft_id(w: World) -> dict[str, Any]:
    return {"case_id": _cases(w)["draft"].pk}


def _material(w: World) -> dict[str, Any]:
    objects = _cases(w)
    return {"number": objects["case"].number, "material_id": objects["material"].pk}


def _live_draft_id(w: World) -> dict[str, Any]:
    """A draft of resident_a that still exists (the walk may have discarded the first)."""
    from onewindow.cases.models import Case
    from onewindow.cases.services import case_draft_start

    objects = _cases(w)
    if not Case.objects.filter(pk=objects["draft"].pk).exists():
        objects["draft"] = case_draft_start(user=w.users["resident_a"], service_code="walk-service")
    return {"case_id": objects["draft"].pk}


def _task_id(w: World) -> dict[str, Any]:
    return {"task_id": _cases(w)["task"].pk}


def _service_code(w: World) -> dict[str, Any]:
    return {"code": _cases(w)["case"].service_version.service.code}


def _payment_order(w: World) -> dict[str, Any]:
    """A paid order (with its receipt) of resident_a's case."""
    from django.utils import timezone

    from onewindow.payments.models import PaymentOrder, Receipt

    if "order" not in w.objects:
        order = PaymentOrder.objects.create(
            case=_cases(w)["case"],
            fee_code="walk",
            subject="走查",
            amount_fen=100,
            status="paid",
            gateway="sandbox",
            out_trade_no="OWWALK1",
            paid_at=timezone.now(),
        )
        Receipt.objects.create(
            order=order, number="RWALK1", amount_fen=100, issued_at=timezone.now()
        )
        w.objects["order"] = order
    return {"out_trade_no": w.objects["order"].out_trade_no}


def _mismatch_id(w: World) -> dict[str, Any]:
    import datetime

    from onewindow.payments.models import Mismatch

    if "mismatch" not in w.objects:
        w.objects["mismatch"] = Mismatch.objects.create(
            day=datetime.date(2026, 1, 5), gateway="sandbox", kind="unknown_here", out_trade_no="X"
        )
    return {"pk": w.objects["mismatch"].pk}


def _licence_number(w: World) -> dict[str, Any]:
    from onewindow.audit.services import Actor
    from onewindow.licences.services import licence_issue

    if "licence" not in w.objects:
        w.objects["licence"] = licence_issue(
            actor=Actor.system("walk"),
            licence_type_code="business-licence",
            holder_person=w.users["resident_a"].person,
        )
    return {"number": w.objects["licence"].number}


def _department_licence_number(w: World) -> dict[str, Any]:
    """A licence issued by dept-a (the operator's department)."""
    from onewindow.audit.services import Actor
    from onewindow.identity.models import Department
    from onewindow.licences.services import licence_issue

    if "department_licence" not in w.objects:
        w.objects["department_licence"] = licence_issue(
            actor=Actor.system("walk"),
            licence_type_code="business-licence",
            holder_person=w.users["resident_b"].person,
            department=Department.objects.get(code="dept-a"),
        )
    return {"number": w.objects["department_licence"].number}


def _desk(w: World) -> dict[str, Any]:
    """An appointment office of dept-a, whose window clerk is staff_a."""
    if "desk" not in w.objects:
        from onewindow.appointments.models import AppointmentResource
        from onewindow.identity.models import Department, Role, StaffRole

        dept_a = Department.objects.get(code="dept-a")
        role, _created = Role.objects.get_or_create(
            code="window_clerk", defaults={"name": "窗口受理"}
        )
        StaffRole.objects.get_or_create(
            staff=w.users["staff_a"].staff, role=role, department=dept_a
        )
        w.objects["desk"] = AppointmentResource.objects.create(
            code="walk-desk", name="走查预约场所", department=dept_a
        )
    return {"code": w.objects["desk"].code}


def _address(w: World) -> dict[str, Any]:
    """An address book entry of resident_a (again, if the walk deleted the first)."""
    from onewindow.delivery.models import Address
    from onewindow.delivery.services import address_create

    address = w.objects.get("address")
    if address is None or not Address.objects.filter(pk=address.pk).exists():
        address = address_create(
            user=w.users["resident_a"],
            recipient="走查",
            phone="13800138000",
            detail="广州市天河区天河路1号",
            region_code="440106",
        )
        w.objects["address"] = address
    return {"pk": address.pk}


def _bill(w: World) -> dict[str, Any]:
    """A bound water account of resident_a with one bill (bound again if the walk unbound it)."""
    import datetime

    from django.utils import timezone

    from onewindow.bills.models import Bill, Subscription

    sub = w.objects.get("bill_subscription")
    if sub is None or not Subscription.objects.filter(pk=sub.pk, unbound_at=None).exists():
        sub = Subscription.objects.create(
            person=w.users["resident_a"].person,
            user=w.users["resident_a"],
            kind="water",
            provider_code="gz-water",
            account_number="44010001",
            account_bidx=f"walk-{timezone.now().timestamp()}",
            account_tail="0001",
            bound_at=timezone.now(),
        )
        w.objects["bill"] = Bill.objects.create(
            subscription=sub,
            external_id="walk",
            period="2026-07",
            amount="12.30",
            due_on=datetime.date(2026, 8, 25),
            fetched_at=timezone.now(),
        )
        w.objects["bill_subscription"] = sub
    return {"subscription_id": sub.pk}


def _bill_id(w: World) -> dict[str, Any]:
    args = _bill(w)
    return {**args, "bill_id": w.objects["bill"].pk}


def _shipment(w: World, kind: str) -> Any:
    from onewindow.audit.services import Actor
    from onewindow.delivery.providers import Party
    from onewindow.delivery.services import ShipmentSpec, shipment_create
    from onewindow.identity.models import Department

    if kind not in w.objects:
        pickup = kind == "pickup"
        w.objects[kind] = shipment_create(
            actor=Actor.system("walk"),
            spec=ShipmentSpec(
                key=f"walk:{kind}",
                recipient="走查",
                phone="13800138000",
                address="广州市天河区天河路1号",
                contents="走查",
                owner=w.users["resident_a"],
                department=Department.objects.get(code="dept-a"),
                kind="pickup" if pickup else "deliver",
                sender=Party("走查", "13800138000", "广州市天河区天河路1号") if pickup else None,
            ),
        )
    return w.objects[kind]


def _mailed_shipment(w: World) -> dict[str, Any]:
    return {"tracking_no": _shipment(w, "deliver").tracking_no}


def _pickup_shipment(w: World) -> dict[str, Any]:
    return {"tracking_no": _shipment(w, "pickup").tracking_no}


def _returned_shipment(w: World) -> dict[str, Any]:
    """A licence mailed by dept-a (the operator's department) that came back."""
    from onewindow.delivery.models import Shipment

    shipment = _shipment(w, "returned")
    Shipment.objects.filter(pk=shipment.pk).update(status="returned")
    return {"pk": shipment.pk}


def _company(w: World) -> Any:
    """A company resident_a represents, with an authorisation of resident_b as its agent
    waiting for resident_b's answer."""
    if "company" not in w.objects:
        from onewindow.identity.models import Company, CompanyAgent

        company = Company.objects.create(
            uscc="91440101MA5WALK00X", name="走查商贸有限公司", legal_representative="走查"
        )
        person_a, person_b = w.users["resident_a"].person, w.users["resident_b"].person
        CompanyAgent.objects.create(
            company=company, person=person_a, role=CompanyAgent.Role.LEGAL_REPRESENTATIVE
        )
        w.objects["grant"] = CompanyAgent.objects.create(
            company=company,
            person=person_b,
            role=CompanyAgent.Role.AGENT,
            status=CompanyAgent.Status.PENDING,
            granted_by=person_a,
        )
        w.objects["company"] = company
    return w.objects["company"]


def _company_uscc(w: World) -> dict[str, Any]:
    return {"uscc": _company(w).uscc}


def _grant_answer(w: World) -> dict[str, Any]:
    _company(w)
    return {"grant_id": w.objects["grant"].pk, "answer": "accept"}


def _grant_revoke(w: World) -> dict[str, Any]:
    return {"uscc": _company(w).uscc, "grant_id": w.objects["grant"].pk}


def _company_task(w: World) -> dict[str, Any]:
    """A task of resident_a's case held by the company resident_a represents."""
    from onewindow.cases.models import CaseTask

    if "company_task" not in w.objects:
        w.objects["company_task"] = CaseTask.objects.create(
            case=_cases(w)["case"],
            element_id="Task_Employer",
            name="用人单位确认接收",
            uid="walk-company-task",
            role_code="employer",
            department=_cases(w)["case"].service_version.service.department,
            company=_company(w),
        )
    return {"task_id": w.objects["company_task"].pk}


def _joint(w: World) -> Any:
    """resident_a's approved joint application (a marriage-like package naming a joint
    party and a next service), resident_b the joint party who agreed."""
    if "joint" not in w.objects:
        from onewindow.cases.models import Case, CaseParty
        from onewindow.catalog.models import Service, ServiceVersion

        base = _cases(w)["case"].service_version
        service = Service.objects.create(
            code="walk-joint",
            name="走查共同申请",
            kind="personal",
            department=base.service.department,
        )
        party = {
            "code": "partner",
            "name": {"zh": "对方"},
            "fields": {"name": "partner_name", "id_number": "partner_id_number"},
            "joint": True,
        }
        version = ServiceVersion.objects.create(
            service=service,
            number=1,
            definition={
                "code": "walk-joint",
                "kind": "personal",
                "materials": [],
                "parties": [party],
                "next": [{"service": "walk-service"}],
            },
            form_schema={"type": "object"},
            process_spec=base.process_spec,
            checksum="walk-joint",
        )
        service.current = version
        service.save()
        person_a, person_b = w.users["resident_a"].person, w.users["resident_b"].person
        case = Case.objects.create(
            service_version=version,
            created_by=w.users["resident_a"],
            applicant_person=person_a,
            number="WALKJOINT0001",
            status=Case.Status.APPROVED,
        )
        CaseParty.objects.create(
            case=case,
            code="partner",
            label="对方",
            id_number_bidx=person_b.id_number_bidx,
            person=person_b,
            record_check=CaseParty.Check.MATCHED,
            consent=CaseParty.Consent.GIVEN,
        )
        w.objects["joint"] = case
    return w.objects["joint"]


def _joint_number(w: World) -> dict[str, Any]:
    return {"number": _joint(w).number}


def _next_step(w: World) -> dict[str, Any]:
    return {"number": _joint(w).number, "code": "walk-service"}


def _message(w: World) -> dict[str, Any]:
    """A message in resident_a's message centre."""
    if "message" not in w.objects:
        from onewindow.notify.models import Message

        w.objects["message"] = Message.objects.create(
            recipient=w.users["resident_a"],
            kind="notice",
            title="办件通知",
            body="走查消息",
            link="/cases/",
            source_key="walk:message",
        )
    return {"pk": w.objects["message"].pk}


def _hotline_request(w: World) -> dict[str, Any]:
    """A request resident_a filed on the web (its receipt is in the filer's session only)."""
    if "hotline_request" not in w.objects:
        from onewindow.interaction.models import Request
        from onewindow.interaction.services import Filing, Location, request_file

        w.objects["hotline_request"] = request_file(
            user=w.users["resident_a"],
            channel=Request.Channel.WEB,
            filing=Filing(
                kind="complaint", content="走查：路灯坏了很多天", location=Location("440106")
            ),
        )
    return {"number": w.objects["hotline_request"].number}


def _rectification(w: World, *, appealed: bool = False) -> dict[str, Any]:
    """A bad rating of resident_a's on a subject dept-a handled, and its rectification
    (appealed to the platform office, for the office's page)."""
    key = "appealed_rectification" if appealed else "rectification"
    if key not in w.objects:
        from django.db import transaction
        from django.utils import timezone

        from onewindow.identity.models import Department
        from onewindow.ratings.models import Rating, Subject
        from onewindow.ratings.services.rectify_open import rectification_open_for

        resident = w.users["resident_a"]
        subject = Subject.objects.create(
            kind="case",
            ref=f"walk-{key}",
            number=f"WALK-{key}"[:32],
            title="走查事项",
            department=Department.objects.get(code="dept-a"),
            rater=resident,
            person=resident.person,
            concluded_at=timezone.now(),
        )
        with transaction.atomic():
            rating = Rating.objects.create(subject=subject, level=2, rated_by=resident)
            row = rectification_open_for(rating=rating)
        if appealed:
            row.status, row.outcome, row.answered_at = "appealed", "appeal", timezone.now()
            row.save()
        w.objects[key] = row
    return {"pk": w.objects[key].pk}


def _knowledge_article(w: World) -> dict[str, Any]:
    """An answer of dept-a's knowledge base."""
    if "article" not in w.objects:
        from onewindow.identity.models import Department
        from onewindow.interaction.models import KnowledgeArticle

        w.objects["article"] = KnowledgeArticle.objects.create(
            title="走查", answer="走查", department=Department.objects.get(code="dept-a")
        )
    return {"article_id": w.objects["article"].pk}


def _rating_subject(w: World) -> dict[str, Any]:
    """A concluded case of resident_a, ratable by resident_a only."""
    if "rating_subject" not in w.objects:
        from django.utils import timezone

        from onewindow.ratings.models import Subject

        w.objects["rating_subject"] = Subject.objects.create(
            kind="case",
            ref="walk",
            number="WALKRATE0001",
            title="走查事项",
            rater=w.users["resident_a"],
            person=w.users["resident_a"].person,
            concluded_at=timezone.now(),
        )
    return {"subject_id": w.objects["rating_subject"].pk}


OWNER = frozenset({"resident_a"})
TASK_HOLDER = frozenset({"staff_a"})

ARGUMENTS: dict[str, Args] = {
    # Open311 GeoReport v2: public reads, POST checked by its api_key (403 without one).
    **{
        f"open311:{name}": Args(
            build=lambda w: {"fmt": "json", "code": "x", "number": "x", "token": "x"}
        )
        for name in ("discovery", "services", "service", "requests", "request", "token", "updates")
    },
    # any other path under the interface: a 404 in the specification's format, for everyone
    "open311:unknown": Args(build=lambda w: {"rest": "no-such-thing.json"}),
    # A staff member may look at any person's (masked) record; that read is audited.
    "identity:staff_person": Args(build=lambda w: {"pk": w.objects["person_a"].pk}),
    # 当面核验 (identity.verify_in_person) on any person's record.
    "identity:staff_person_verify": Args(build=lambda w: {"pk": w.objects["person_a"].pk}),
    # Department administrators (identity.change_staff) reset their own staff's
    # authenticator; the operator persona reaches everyone's.
    "identity:staff_totp_reset": Args(build=lambda w: {"pk": w.users["staff_b"].staff.pk}),
    # The public service guide; an unknown code answers 404 for everyone.
    "catalog:service_guide": Args(build=lambda w: {"code": "no-such-service"}),
    # Push rules: operators only, for every rule.
    "outreach:rule_edit": Args(build=lambda w: {"code": _push_rule(w)}),
    "outreach:rule_preview": Args(build=lambda w: {"code": _push_rule(w)}),
    # Cases: only the applicant reaches their drafts and cases; only staff holding the
    # task's role in its department reach the task, the staff case page and its materials.
    "cases:apply_start": Args(build=_service_code),
    "cases:draft_form": Args(build=_draft_id, only=OWNER),
    "cases:draft_materials": Args(build=_draft_id, only=OWNER),
    "cases:draft_review": Args(build=_draft_id, only=OWNER),
    "cases:draft_discard": Args(build=_draft_id, only=OWNER),
    "cases:case_detail": Args(build=_case_number, only=OWNER),
    "cases:case_withdraw": Args(build=_case_number, only=OWNER),
    "cases:case_supplement": Args(build=_case_number, only=OWNER),
    "cases:case_material": Args(build=_material, only=OWNER),
    "cases:case_letter_pdf": Args(build=_letter_case_number, only=OWNER),
    # Only the person named (whose real-name record has that citizen ID) answers a consent
    # request; only the applicant sends or enters the party's SMS code.
    "cases:consent_detail": Args(build=_consent, only=frozenset({"resident_b"})),
    "cases:party_code_send": Args(build=_case_party, only=OWNER),
    "cases:party_code_confirm": Args(build=_case_party, only=OWNER),
    "cases:staff_task": Args(build=_task_id, only=TASK_HOLDER),
    "cases:staff_case": Args(build=_case_number, only=TASK_HOLDER),
    "cases:staff_material": Args(build=_material, only=TASK_HOLDER),
    "cases:staff_letter_pdf": Args(build=_letter_case_number, only=TASK_HOLDER),
    # Appointments: only the applicant picks a slot for their draft.
    "cases:draft_slot": Args(build=_live_draft_id, only=OWNER),
    # Only the window clerks of the office's department reach its day of bookings.
    "appointments:desk_day": Args(build=_desk, only=TASK_HOLDER),
    # Licences: only the holder downloads a licence; status lists are public.
    "licences:download": Args(build=_licence_number, only=OWNER),
    "licences:status_list": Args(build=lambda w: {"name": "no-such-list"}),
    # Staff of the issuing department (with licences.revoke_licence) reach its licences.
    "licences:staff_licence": Args(build=_department_licence_number),
    # Payments: the gateway's notification endpoint is public (it verifies signatures);
    # only the applicant reaches the case's fees, the return page and the receipt.
    "payments:notify": Args(build=lambda w: {"gateway": "sandbox"}),
    "payments:case": Args(build=_case_number, only=OWNER),
    "payments:return": Args(build=_payment_order, only=OWNER),
    "payments:receipt": Args(build=_payment_order, only=OWNER),
    # Reconciliation (payments.reconcile_payments): a day and a difference.
    "payments:reconciliation_day": Args(
        build=lambda w: {"day": "2026-01-05", "gateway": "sandbox"}
    ),
    "payments:mismatch": Args(build=_mismatch_id),
    # Delivery: the courier's push endpoint is public (it verifies signatures); only the
    # owner reaches their addresses, shipments and a case's pickup booking; staff of the
    # issuing department (with delivery.manage_returns) reach its returned mail.
    "delivery:push": Args(build=lambda w: {"carrier": "sf"}),
    "bills:subscription": Args(build=_bill, only=OWNER),
    "bills:bill": Args(build=_bill_id, only=OWNER),
    "bills:notify": Args(build=_bill, only=OWNER),
    "bills:unbind": Args(build=_bill, only=OWNER),
    # SMS delivery receipts: public, the URL's secret token is checked by the view.
    "notify:sms_receipts": Args(build=lambda w: {"provider": "aliyun", "token": "not-it"}),
    "delivery:address_edit": Args(build=_address, only=OWNER),
    "delivery:address_default": Args(build=_address, only=OWNER),
    "delivery:address_delete": Args(build=_address, only=OWNER),
    "delivery:pickup": Args(build=_case_number, only=OWNER),
    "delivery:shipment_address": Args(build=_mailed_shipment, only=OWNER),
    "delivery:pickup_cancel": Args(build=_pickup_shipment, only=OWNER),
    "delivery:return_detail": Args(build=_returned_shipment),
    # Companies: only the legal representative manages the company's agents; only the person
    # authorised answers the authorisation; a company's task is answered by its
    # representative or an agent in force.
    "identity:my_company": Args(build=_company_uscc, only=OWNER),
    "identity:agent_grant_revoke": Args(build=_grant_revoke, only=OWNER),
    "identity:agent_grant_answer": Args(build=_grant_answer, only=frozenset({"resident_b"})),
    "cases:company_task": Args(build=_company_task, only=OWNER),
    # A joint application: the other party sees it on their own page; only the applicant
    # starts the next service of the chain from it.
    "cases:joint_case": Args(build=_joint_number, only=frozenset({"resident_b"})),
    "cases:case_next": Args(build=_next_step, only=OWNER),
    # The citizen page: one's own messages; a company's page for the people acting for it
    # today (resident_b's authorisation is still waiting for their answer).
    "portal:message_open": Args(build=_message, only=OWNER),
    "portal:company_home": Args(build=_company_uscc, only=OWNER),
    # Ratings: a department's rectification only for its rectifiers (a role there; the
    # operator holds the permission but no department); the office's page of an appeal for
    # whoever may review appeals; the rating of a fix only for the one who rated; a one-time
    # link that is no link leads nowhere.
    "ratings_staff:detail": Args(build=_rectification, only=frozenset()),
    "ratings_staff:appeal_detail": Args(build=lambda w: _rectification(w, appealed=True)),
    "ratings_public:fix": Args(build=_rectification, only=OWNER),
    "ratings_public:fix_link": Args(build=lambda w: {"token": "walk-no-such-link"}),
    # The hotline: one's own requests; the receipt only in the session that filed it; an
    # answer of the knowledge base only for the editors of its department (by role).
    "interaction:mine_detail": Args(build=_hotline_request, only=OWNER),
    "interaction:receipt": Args(build=_hotline_request, only=frozenset()),
    "interaction:knowledge_edit": Args(build=_knowledge_article, only=frozenset()),
    # The hotline office's dispatch desk sees every order; a department only the orders it
    # has (or had) a part in, and this one is dispatched to nobody yet.
    "interaction:dispatch_detail": Args(build=_hotline_request),
    "interaction:inbox_detail": Args(build=_hotline_request, only=frozenset()),
    # Ratings: only the rater reaches a subject's rating page; the one-time link is public
    # (its token is checked by the view: an unknown one answers 404).
    "ratings:rate": Args(build=_rating_subject, only=OWNER),
    "ratings:link": Args(build=lambda w: {"token": "not-a-token"}),
}


def _declared_permissions() -> list[Permission]:
    """Every permission a page view asks for (``@access(STAFF, perm=...)``): the operator
    persona holds them all, so it is the one persona such pages let in."""
    wanted = {
        getattr(callback, "access_perm", None) for _route, _name, callback, _c in _page_routes()
    }
    out = []
    for label in sorted(p for p in wanted if p):
        app_label, codename = label.split(".")
        out.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return out


def _verified(client: Client, user: Any) -> None:
    client.force_login(user)
    device = TOTPDevice.objects.get(user=user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def world() -> World:
    dept_a = DepartmentFactory(code="dept-a")
    dept_b = DepartmentFactory(code="dept-b")
    person_a, person_b = PersonFactory(), PersonFactory()
    staff_a = StaffFactory(department=dept_a)
    staff_b = StaffFactory(department=dept_b)
    operator = StaffFactory(department=dept_a)
    operator.user.kind = "operator"
    operator.user.save()
    operator.user.user_permissions.add(
        *Permission.objects.filter(codename__in=["operate_platform", "view_pii"]),
        *_declared_permissions(),
    )
    users = {
        "anonymous": None,
        "resident_a": person_a.user,
        "resident_b": person_b.user,
        "staff_a": staff_a.user,
        "staff_b": staff_b.user,
        "operator": operator.user,
    }
    clients = {}
    for name, user in users.items():
        client = Client()
        if user is not None and user.kind == "resident":
            client.force_login(user)
        elif user is not None:
            _verified(client, user)
        clients[name] = client
    return World(clients=clients, users=users, objects={"person_a": person_a})


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Any, list[str]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in {"admin", "api"}:
                continue
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            converters = list(getattr(entry.pattern, "converters", {}))
            yield prefix + str(entry.pattern), name, entry.callback, converters


def _page_routes() -> list[tuple[str, str, Any, list[str]]]:
    return list(_walk(get_resolver().url_patterns))


def _policy(callback: Any, name: str) -> str | None:
    policy = getattr(callback, "access_policy", None)
    if policy is None:
        view_class = getattr(callback, "view_class", None)
        policy = getattr(view_class, "access_policy", None)
    return policy or FRAMEWORK_VIEWS.get(name.split(":")[-1])


def test_every_page_view_declares_an_access_policy():
    undeclared = [
        f"{route} ({name or callback})"
        for route, name, callback, _ in _page_routes()
        if _policy(callback, name) is None
    ]
    assert not undeclared, "views without @access(...): " + ", ".join(undeclared)


def _expected_allowed(policy: str, perm: str | None) -> set[str]:
    if policy == PUBLIC:
        return set(PERSONAS)
    if policy == RESIDENT:
        return {"resident_a", "resident_b"}
    if policy == STAFF:
        return {"operator"} if perm else {"staff_a", "staff_b", "operator"}
    if policy == OPERATOR:
        return {"operator"}
    raise AssertionError(f"unknown policy {policy}")


def _refused(response: Any) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code in (301, 302):
        location = response.headers.get("Location", "")
        return "login" in location
    return False


def _fill(route: str, kwargs: dict[str, Any]) -> str:
    import re

    def sub(match: re.Match[str]) -> str:
        return str(kwargs[match.group(2)])

    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)
    return "/" + path.lstrip("/")


def test_every_page_refuses_whom_it_should(world: World):
    problems: list[str] = []
    for route, name, callback, converters in _page_routes():
        policy = _policy(callback, name)
        if policy is None:
            continue  # reported by the test above
        if converters:
            if name not in ARGUMENTS:
                problems.append(f"{route}: add an ARGUMENTS entry for {name!r}")
                continue
            spec = ARGUMENTS[name]
            url = _fill(route, spec.build(world))
        else:
            spec, url = None, _fill(route, {})
        allowed = _expected_allowed(policy, getattr(callback, "access_perm", None))
        if spec is not None and spec.only is not None:
            allowed &= spec.only
        for persona in PERSONAS:
            for method in ("get", "post"):
                if method == "post" and name in SESSION_ENDING:
                    continue  # it would log the persona out for the rest of the walk
                response = getattr(world.clients[persona], method)(url)
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {url} as {persona}: server error")
                elif persona in allowed and _refused(response) and policy != PUBLIC:
                    problems.append(
                        f"{method.upper()} {url} as {persona}: refused but should be allowed "
                        f"({response.status_code})"
                    )
                elif persona not in allowed and not _refused(response):
                    if response.status_code == 405:
                        continue  # method not offered at all: nothing to reach
                    problems.append(
                        f"{method.upper()} {url} as {persona}: allowed ({response.status_code}) "
                        f"but policy is {policy}"
                    )
    assert not problems, "\n".join(problems)


def _api_operations() -> Iterator[tuple[str, str, Any]]:
    from onewindow.api.api import api

    # The routers as mounted (what serves requests): there an operation without its own
    # auth= has the API's default; the router templates keep only what the code wrote.
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    prefix = router.prefix.strip("/")
                    full = "/api/v1/" + (prefix + "/" if prefix else "")
                    yield method, full + path.lstrip("/"), operation


def test_api_operations_require_authentication_unless_public_on_purpose(world: World):
    problems = []
    for method, path, operation in _api_operations():
        key = f"{method} {path}"
        public = not operation.auth_callbacks
        if public and key not in PUBLIC_API:
            problems.append(f"{key} has no authentication and is not listed in PUBLIC_API")
        if not public and "{" not in path:
            response = world.clients["anonymous"].generic(method, path)
            if response.status_code != 401:
                problems.append(f"{key} as anonymous answered {response.status_code}, not 401")
    assert not problems, "\n".join(problems)


def test_admin_needs_an_otp_verified_staff_account(world: World):
    staff = world.users["staff_a"]
    staff.is_staff = True
    staff.save()
    unverified = Client()
    unverified.force_login(staff)
    assert unverified.get("/admin/").status_code == 302
    assert world.clients["resident_a"].get("/admin/").status_code == 302
    assert world.clients["staff_a"].get("/admin/").status_code == 200
