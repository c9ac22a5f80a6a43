"""Persons named on an application.

The applicant's own answers (name, citizen ID, phone) come from their real-name record, so an
application cannot be filed in someone else's name; a name must be a name; every other person
named (declared under ``parties:``) is checked against the records, and a mismatch is a
warning to staff. When the process looks up that person's records, they agree first — from
their own account or by an SMS code to the phone on their real-name record — and the case
waits for them; a refusal or no answer in time ends it with the reason."""

from __future__ import annotations

import copy
import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from onewindow.cases import services
from onewindow.cases.models import Case, CaseParty
from onewindow.cases.services.parties import (
    party_consent_code_send,
    party_consent_code_verify,
    party_consent_decide,
    party_consents_expire,
)
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.core.identifiers import citizen_id_make
from onewindow.core.pii import id_number_index
from onewindow.exchange.models import CallLog
from onewindow.notify.messages import render_sms_text
from onewindow.notify.models import Message, SmsMessage
from onewindow.testing.applying import submit
from onewindow.testing.cases import _NS, ANSWERS, FORM, PDF, definition, publish
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

CODE = "joint-test"
PARTNER_ID = citizen_id_make("440104", datetime.date(1998, 7, 9), 456)
PARTNER_PHONE = "13900009999"  # on her real-name record
TYPED_PHONE = "13700001111"  # what the applicant typed as her phone: never texted

LOOKUP_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS}>
  <bpmn:process id="joint" name="联合申请" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="lookup" name="查询双方户籍" camunda:type="external"
        camunda:topic="exchange.lookup">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="resource"
          >gz-gaj.household-registration</camunda:inputParameter>
        <camunda:inputParameter name="subject">applicant,partner</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:userTask id="review" name="审查" camunda:candidateGroups="rsj_clerk">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="lookup"/>
    <bpmn:sequenceFlow id="f2" sourceRef="lookup" targetRef="review"/>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="done"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _form() -> dict[str, Any]:
    form = copy.deepcopy(FORM)
    form["properties"]["partner_name"] = {
        "type": "string",
        "title": "对方姓名",
        "x-title-en": "Partner's name",
        "maxLength": 50,
    }
    form["properties"]["partner_id_number"] = {
        "type": "string",
        "title": "对方公民身份号码",
        "x-title-en": "Partner's citizen ID",
        "format": "citizen-id",
    }
    form["properties"]["partner_phone"] = {
        "type": "string",
        "title": "对方联系电话",
        "x-title-en": "Partner's phone",
        "format": "phone",
    }
    form["required"] = [*form["required"], "partner_name", "partner_id_number"]
    form["x-order"] = [*form["x-order"], "partner_name", "partner_id_number", "partner_phone"]
    return form


PARTNER = {
    "code": "partner",
    "name": {"zh": "对方", "en": "Partner"},
    "fields": {"name": "partner_name", "id_number": "partner_id_number"},
}


@pytest.fixture
def joint(city: None, tmp_path: Path) -> Any:
    """Looks up the partner's household registration: her consent is needed."""
    service = definition(
        code=CODE, parties=[{**PARTNER, "lookups": ["gz-gaj.household-registration"]}]
    )
    return publish(tmp_path, service=service, form=_form(), bpmn=LOOKUP_BPMN)


@pytest.fixture
def named(city: None, tmp_path: Path) -> Any:
    """Names the partner but looks nothing up about her: checked, not asked."""
    return publish(tmp_path, service=definition(code=CODE, parties=[PARTNER]), form=_form())


@pytest.fixture
def partner(db: Any) -> Any:
    return PersonFactory(
        name="李四",
        id_number=PARTNER_ID,
        id_number_bidx=id_number_index(PARTNER_ID),
        phone=PARTNER_PHONE,
    )


def _answers(**changes: Any) -> dict[str, Any]:
    return {
        **ANSWERS,
        "partner_name": "李四",
        "partner_id_number": PARTNER_ID,
        "partner_phone": TYPED_PHONE,
        **changes,
    }


def _draft(resident: Any, **changes: Any) -> Case:
    case = services.case_draft_start(user=resident.user, service_code=CODE)
    errors = services.case_draft_save_form(
        user=resident.user, case_id=case.pk, data=_answers(**changes)
    )
    assert not errors, errors
    services.case_material_attach(
        user=resident.user, case_id=case.pk, code="diploma", upload=io.BytesIO(PDF)
    )
    return Case.objects.get(pk=case.pk)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Finding 9: whose application it is -------------------------------------------------------


def test_a_tampered_post_cannot_file_the_application_in_another_name(parallel_service, resident):
    other_id = citizen_id_make("440103", datetime.date(1985, 3, 2), 77)
    client = _client(resident.user)
    case = services.case_draft_start(user=resident.user, service_code="grad-employment-test")
    form_url = reverse("cases:draft_form", kwargs={"case_id": case.pk})
    page = client.get(form_url).content.decode()
    # The applicant's questions show the record, read-only, and say why.
    assert 'id="f-applicant_name" name="applicant_name" type="text" value="张伟" readonly' in page
    assert 'value="11010519491231002X" readonly' in page
    assert "来自您的实名登记信息，不能修改。" in page
    tampered = {
        **ANSWERS,
        "applicant_name": "张三",
        "id_number": other_id,
        "phone": "13911112222",
    }
    response = client.post(form_url, tampered)
    assert response.status_code == 302  # the posted values are ignored, nothing else wrong
    case.refresh_from_db()
    assert case.form_data["applicant_name"] == "张伟"
    assert case.form_data["id_number"] == "11010519491231002X"
    assert case.form_data["phone"] == "13800138000"
    services.case_material_attach(
        user=resident.user, case_id=case.pk, code="diploma", upload=io.BytesIO(PDF)
    )
    submitted = submit(resident.user, case)
    assert submitted.form_data["applicant_name"] == "张伟"


def test_the_api_refuses_an_application_in_another_name_at_the_fields(parallel_service, resident):
    with pytest.raises(ValidationFailed) as refused:
        services.case_create_and_submit(
            user=resident.user,
            service_code="grad-employment-test",
            form_data={**ANSWERS, "applicant_name": "张三", "id_number": PARTNER_ID},
            idempotency_key="other-name",
            materials=[("diploma", "d.pdf", PDF)],
        )
    assert [(e.field, e.code, str(e.message)) for e in refused.value.errors] == [
        (field, "not_applicant", "与您的实名登记信息不一致：只能以您本人的名义申请。")
        for field in ("applicant_name", "id_number")
    ]
    assert not Case.objects.filter(created_by=resident.user).exists()  # nothing was filed


def test_the_api_files_the_application_in_the_applicants_own_name(parallel_service, resident):
    case, created = services.case_create_and_submit(
        user=resident.user,
        service_code="grad-employment-test",
        # the applicant's own details may be sent (in any letter case) or left out
        form_data={**ANSWERS, "applicant_name": "张伟", "id_number": "11010519491231002x"},
        idempotency_key="own-name",
        materials=[("diploma", "d.pdf", PDF)],
    )
    assert created
    assert (case.form_data["applicant_name"], case.form_data["id_number"]) == (
        "张伟",
        "11010519491231002X",
    )


def test_without_a_real_name_record_the_form_says_so_at_the_field(parallel_service):
    phone_only: Any = PersonFactory(name="", id_number="", id_number_bidx=None, birth_date=None)
    case = services.case_draft_start(user=phone_only.user, service_code="grad-employment-test")
    errors = services.case_draft_save_form(
        user=phone_only.user, case_id=case.pk, data={**ANSWERS, "applicant_name": "张三"}
    )
    by_field = {e.field: str(e.message) for e in errors}
    assert by_field["applicant_name"] == (
        "您的实名信息中没有姓名，请先在“我的信息”中完成实名认证后再申请。"
    )
    assert by_field["id_number"] == (
        "您的实名信息中没有身份证号码，请先在“我的信息”中完成实名认证后再申请。"
    )
    case.refresh_from_db()
    assert "applicant_name" not in case.form_data  # what was typed is not kept either


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "李\x07四", "李四2"])
def test_a_name_refuses_markup_and_control_characters(named, resident, name):
    case = services.case_draft_start(user=resident.user, service_code=CODE)
    errors = services.case_draft_save_form(
        user=resident.user, case_id=case.pk, data=_answers(partner_name=name)
    )
    assert [(e.field, str(e.message)) for e in errors] == [
        ("partner_name", "对方姓名：只能填写姓名，不能含有数字、“<”“>”等符号或控制字符")
    ]
    page = _client(resident.user).post(
        reverse("cases:draft_form", kwargs={"case_id": case.pk}), _answers(partner_name=name)
    )
    assert page.status_code == 422
    assert 'id="f-partner_name-error"' in page.content.decode()


def test_a_minority_name_with_a_middle_dot_is_a_name(named, resident):
    case = services.case_draft_start(user=resident.user, service_code=CODE)
    assert not services.case_draft_save_form(
        user=resident.user, case_id=case.pk, data=_answers(partner_name="阿依古丽·买买提")
    )


def test_a_person_named_under_another_name_is_a_warning_to_staff(named, resident, partner, staff):
    case = submit(resident.user, _draft(resident, partner_name="王五"))
    assert case.status == Case.Status.IN_PROGRESS  # nothing is looked up: nobody is asked
    party = case.parties.get()
    assert party.person == partner and party.record_check == CaseParty.Check.NAME_MISMATCH
    assert party.consent == CaseParty.Consent.NOT_NEEDED
    client = staff_client(staff("rsj_clerk"))
    task = case.tasks.get()
    for url in (
        reverse("cases:staff_task", kwargs={"task_id": task.pk}),
        reverse("cases:staff_case", kwargs={"number": case.number}),
    ):
        page = client.get(url).content.decode()
        assert "提醒：申请表填写的对方姓名（王*）与该身份证号码的实名登记姓名不一致。" in page


def test_a_person_the_platform_has_no_record_of_is_a_warning_too(named, resident, staff):
    case = submit(resident.user, _draft(resident))
    assert case.parties.get().record_check == CaseParty.Check.NOT_FOUND
    task = case.tasks.get()
    page = staff_client(staff("rsj_clerk")).get(
        reverse("cases:staff_task", kwargs={"task_id": task.pk})
    )
    assert "本平台没有该身份证号码的实名登记信息，对方的姓名和身份证号码未经核对。" in (
        page.content.decode()
    )


# --- Finding 8: another person's records only with their consent ------------------------------


def test_the_case_waits_for_the_partner_and_nothing_is_looked_up(joint, resident, partner):
    case = submit(resident.user, _draft(resident))
    assert case.status == Case.Status.CONSENT
    assert not CallLog.objects.exists() and not case.tasks.exists()
    party = case.parties.get()
    assert party.consent == CaseParty.Consent.PENDING and party.person == partner
    assert party.requested_at is not None
    assert party.expires_at == party.requested_at + datetime.timedelta(days=7)
    # She is asked in her message centre and by SMS to the phone on her record.
    message = Message.objects.get(recipient=partner.user, kind="consent_request")
    assert message.link == reverse("cases:consent_detail", kwargs={"party_id": party.pk})
    assert "须经您同意后查询您的户籍信息" in message.body
    sms = SmsMessage.objects.get(phone_bidx=partner.phone_bidx)
    assert (sms.template, message.title) == ("consent_request", "待您确认的授权")
    page = _client(resident.user).get(reverse("cases:case_detail", kwargs={"number": case.number}))
    html = page.content.decode()
    assert "等待相关人授权" in html and "需查询" in html and "户籍信息" in html
    timeline = case.events.get(kind="consent_requested")
    assert timeline.public and "须经对方（李*）同意后才能查询其户籍信息" in timeline.message


def test_the_partner_agrees_from_her_account_and_the_look_ups_run(joint, resident, partner, staff):
    case = submit(resident.user, _draft(resident))
    party = case.parties.get()
    client = _client(partner.user)
    listing = client.get(reverse("cases:consent_list")).content.decode()
    assert reverse("cases:consent_detail", kwargs={"party_id": party.pk}) in listing
    detail_url = reverse("cases:consent_detail", kwargs={"party_id": party.pk})
    detail = client.get(detail_url).content.decode()
    assert "张伟 申请办理" in detail and "户籍信息（广州市公安局）" in detail
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(detail_url, {"answer": "agree"})
    assert response.status_code == 302
    case.refresh_from_db()
    party.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.deadline is not None
    assert (party.consent, party.consent_via) == ("given", "account")
    assert set(CallLog.objects.values_list("resource_code", flat=True)) == {
        "gz-gaj.household-registration"
    }
    assert CallLog.objects.count() == 2  # the applicant and the partner
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.index("consent_requested") < kinds.index("consent_given")
    page = staff_client(staff("rsj_clerk")).get(
        reverse("cases:staff_task", kwargs={"task_id": case.tasks.get().pk})
    )
    html = page.content.decode()
    assert "查询授权" in html and "已同意（本人登录确认）" in html


def test_the_partner_declines_and_the_case_ends_with_the_reason(joint, resident, partner):
    case = submit(resident.user, _draft(resident))
    party = case.parties.get()
    with TestCase.captureOnCommitCallbacks(execute=True):
        party_consent_decide(user=partner.user, party_id=party.pk, agree=False, note="不认识")
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
    assert case.outcome_note == "对方不同意查询其户籍信息，申请无法办理。"
    assert not CallLog.objects.exists()
    page = _client(resident.user).get(reverse("cases:case_detail", kwargs={"number": case.number}))
    html = page.content.decode()
    assert "对方不同意查询其户籍信息，申请无法办理。" in html and "理由：不认识" in html
    with pytest.raises(ApplicationError):  # answered: no second answer
        party_consent_decide(user=partner.user, party_id=party.pk, agree=True)


def test_no_answer_in_time_ends_the_case(joint, resident, partner):
    case = submit(resident.user, _draft(resident))
    party = case.parties.get()
    assert party.expires_at is not None
    assert party_consents_expire(now=party.expires_at - datetime.timedelta(minutes=1)) == 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.cases_sla_sweep(now=party.expires_at)["consents_expired"] == 1
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
    assert case.outcome_note.startswith("对方未在 ")
    assert case.parties.get().consent == CaseParty.Consent.EXPIRED


def test_the_partner_agrees_by_a_code_sent_to_the_phone_on_her_record(joint, resident, partner):
    case = submit(resident.user, _draft(resident))
    party = case.parties.get()
    before = SmsMessage.objects.count()
    party_consent_code_send(user=resident.user, case_id=case.pk, party_id=party.pk)
    sms = SmsMessage.objects.order_by("-pk").first()
    assert SmsMessage.objects.count() == before + 1 and sms is not None
    assert sms.phone == PARTNER_PHONE  # her record's phone, not the one typed on the form
    # an approved template of its own, not free text (a vendor sends only approved ones)
    assert sms.template == "consent_code"
    params = json.loads(sms.params)
    code = params["code"]
    text = render_sms_text(sms.template, params)
    assert "须查询您的户籍信息" in text and f"请将验证码{code}告诉申请人，10分钟内有效" in text
    with pytest.raises(ApplicationError):  # again at once: wait a minute
        party_consent_code_send(user=resident.user, case_id=case.pk, party_id=party.pk)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationFailed) as caught:
        party_consent_code_verify(
            user=resident.user, case_id=case.pk, party_id=party.pk, code=wrong
        )
    assert str(caught.value.message) == "验证码不正确，还可再试4次。"
    assert CaseParty.objects.get(pk=party.pk).code_attempts == 1  # kept despite the error
    with TestCase.captureOnCommitCallbacks(execute=True):
        party_consent_code_verify(user=resident.user, case_id=case.pk, party_id=party.pk, code=code)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert CaseParty.objects.get(pk=party.pk).consent_via == CaseParty.Via.SMS
    assert CallLog.objects.count() == 2


def test_nobody_else_can_answer_for_her(joint, resident, partner):
    case = submit(resident.user, _draft(resident))
    party = case.parties.get()
    stranger: Any = PersonFactory()
    url = reverse("cases:consent_detail", kwargs={"party_id": party.pk})
    assert _client(stranger.user).get(url).status_code == 404
    assert _client(stranger.user).post(url, {"answer": "agree"}).status_code == 404
    assert _client(resident.user).post(url, {"answer": "agree"}).status_code == 404
    with pytest.raises(ApplicationError):  # the applicant cannot agree for her either
        party_consent_decide(user=resident.user, party_id=party.pk, agree=True)
    assert CaseParty.objects.get(pk=party.pk).consent == CaseParty.Consent.PENDING


def test_a_partner_unknown_to_the_platform_finds_the_request_once_verified(joint, resident):
    case = submit(resident.user, _draft(resident))
    party = case.parties.get()
    assert party.person is None and party.record_check == CaseParty.Check.NOT_FOUND
    with pytest.raises(ValidationFailed) as caught:
        party_consent_code_send(user=resident.user, case_id=case.pk, party_id=party.pk)
    assert "本平台没有对方的实名登记手机号码" in str(caught.value.message)
    later: Any = PersonFactory(
        name="李四", id_number=PARTNER_ID, id_number_bidx=id_number_index(PARTNER_ID)
    )
    listing = _client(later.user).get(reverse("cases:consent_list")).content.decode()
    assert reverse("cases:consent_detail", kwargs={"party_id": party.pk}) in listing
    assert (
        _client(later.user).get(reverse("cases:my_cases")).content.decode().count("需要您确认授权")
    )


def test_withdrawing_while_waiting_voids_the_request(joint, resident, partner):
    case = submit(resident.user, _draft(resident))
    services.case_withdraw(user=resident.user, case_id=case.pk, reason="不办了")
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    assert case.parties.get().consent == CaseParty.Consent.CANCELLED
    with pytest.raises(ApplicationError):
        party_consent_decide(user=partner.user, party_id=case.parties.get().pk, agree=True)


def test_the_look_up_itself_never_reaches_a_party_who_has_not_agreed(joint, resident, partner):
    from onewindow.cases.services.process import process_context
    from onewindow.exchange.lookup import lookup_from_case
    from onewindow.workflow.actions import ActionContext

    case = submit(resident.user, _draft(resident))

    def looked_up() -> set[str]:
        ctx = ActionContext(
            action="exchange.lookup",
            key=f"{case.pk}:lookup:{CallLog.objects.count()}",
            element_id="lookup",
            params={"resource": "gz-gaj.household-registration", "subject": "applicant,partner"},
            data=dict(case.form_data),
            context=process_context(case),
        )
        with TestCase.captureOnCommitCallbacks(execute=True):
            return set(lookup_from_case(ctx)["exchange_gz_gaj_household_registration"])

    assert looked_up() == {"applicant"}  # she has not agreed: her records are not asked for
    # Agreed, but the form no longer names her: not looked up either.
    CaseParty.objects.filter(pk=case.parties.get().pk).update(
        consent=CaseParty.Consent.GIVEN, decided_at=timezone.now(), person=partner
    )
    other = citizen_id_make("440105", datetime.date(1990, 1, 1), 5)
    case.form_data = {**case.form_data, "partner_id_number": other}
    assert looked_up() == {"applicant"}
    case.refresh_from_db()
    assert looked_up() == {"applicant", "partner"}
    assert case.events.filter(kind="data_lookup").count() == 3


def test_a_supplement_cannot_swap_the_person_named(named, resident, partner, staff):
    from onewindow.testing.applying import act

    case = submit(resident.user, _draft(resident))
    act(staff("rsj_clerk"), case, "accept", decision="supplement", comment="请补充")
    case.refresh_from_db()
    other = citizen_id_make("440105", datetime.date(1990, 1, 1), 5)
    with pytest.raises(ValidationFailed) as caught:
        services.case_supplement_submit(
            user=resident.user,
            case_id=case.pk,
            form_data={**case.form_data, "partner_id_number": other},
        )
    assert [e.field for e in caught.value.errors] == ["partner_id_number"]
    assert "提交后不能在补正中修改" in str(caught.value.errors[0].message)


def test_the_case_ref_names_the_parties_who_agreed_while_the_form_names_them(
    joint, resident, partner
):
    from onewindow.cases.services.process import case_ref
    from onewindow.core.refs import PartyRef

    case = submit(resident.user, _draft(resident))
    party = case.parties.get()
    assert case_ref(case).parties == ()  # asked, not yet agreed
    with TestCase.captureOnCommitCallbacks(execute=True):
        party_consent_decide(user=partner.user, party_id=party.pk, agree=True)
    case = Case.objects.get(pk=case.pk)
    assert case_ref(case).parties == (PartyRef(code="partner", person_id=partner.pk),)
    assert case_ref(case).party("partner") == PartyRef(code="partner", person_id=partner.pk)
    other = citizen_id_make("440105", datetime.date(1990, 1, 1), 5)
    case.form_data = {**case.form_data, "partner_id_number": other}
    assert case_ref(case).parties == ()  # the form names somebody else now
