"""Natural and legal persons: validation, derived fields, encryption, duplicates."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import citizen_id_make, uscc_make
from onewindow.identity import selectors, services
from onewindow.identity.models import AssuranceLevel, CompanyAgent, Person
from onewindow.identity.providers.fake import FakeRealNameVerifier
from onewindow.testing.factories import make_person

pytestmark = pytest.mark.django_db

CLERK = Actor(id=None, kind="staff", label="clerk")
ID_M = citizen_id_make("440106", datetime.date(1985, 6, 15), 123)  # odd sequence → male
ID_F = citizen_id_make("110101", datetime.date(2001, 2, 3), 124)


def register(**kw: Any) -> Person:
    data: dict[str, Any] = {
        "actor": CLERK,
        "name": "李小龙",
        "id_number": ID_M,
        "phone": "13912345678",
    } | kw
    return services.person_register(**data)


def test_register_derives_birth_gender_and_region_from_the_id():
    person = register(id_number=ID_M.lower())
    assert person.birth_date == datetime.date(1985, 6, 15)
    assert person.gender == "M"
    assert person.region_code == "440106"
    assert register(id_number=ID_F, phone="13900000001").gender == "F"
    assert AuditEvent.objects.filter(action="identity.person.register").count() == 2


def test_pii_is_encrypted_in_the_database_column():
    person = register()
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.id_number == ID_M and fresh.phone == "13912345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM identity_person WHERE id = %s", [person.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert ID_M not in raw_id and "13912345678" not in raw_phone
    assert "12345678" not in raw_phone and ID_M[6:14] not in raw_id
    assert raw_id.count("$") == 2  # <alg>$<kid>$<ciphertext>


def test_audit_row_does_not_contain_the_plaintext():
    register()
    event = AuditEvent.objects.get(action="identity.person.register")
    assert ID_M not in str(event.changes) and "13912345678" not in str(event.changes)


def test_blind_index_lookup_finds_the_person():
    person = register()
    assert selectors.person_find_by_phone(phone="139 1234 5678") == person
    assert selectors.person_find_by_id_number(id_number=ID_M.lower()) == person
    assert selectors.person_find_by_phone(phone="13900000000") is None
    assert selectors.person_find_by_id_number(id_number="bad") is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", ID_M[:-1] + ("0" if ID_M[-1] != "0" else "1"), "校验位不正确"),
        ("id_number", "12345", "应为18位"),
        ("phone", "2391234567", "以1开头的11位数字"),
        ("name", "", "请填写姓名"),
    ],
)
def test_bad_input_gives_a_chinese_field_error_and_writes_nothing(field, value, message):
    with pytest.raises(ValidationFailed) as exc:
        register(**{field: value})
    assert exc.value.status == 422
    assert any(e.field == field and message in str(e.message) for e in exc.value.errors)
    assert Person.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_several_bad_fields_are_reported_together():
    with pytest.raises(ValidationFailed) as exc:
        register(id_number="123", phone="1")
    assert {e.field for e in exc.value.errors} == {"id_number", "phone"}


def test_registering_twice_does_not_create_two_persons():
    register()
    with pytest.raises(ValidationFailed) as exc:
        register()
    assert {e.field for e in exc.value.errors} == {"id_number", "phone"}
    assert all(e.code == "duplicate" for e in exc.value.errors)
    assert Person.objects.count() == 1


def test_update_changes_phone_and_keeps_indexes_in_step():
    person = register()
    services.person_update(actor=CLERK, person=person, phone="13700000000")
    assert selectors.person_find_by_phone(phone="13700000000") == person
    assert selectors.person_find_by_phone(phone="13912345678") is None
    event = AuditEvent.objects.get(action="identity.person.update")
    assert event.changes == {"phone": "changed"}


def test_update_to_someone_elses_phone_is_a_field_error():
    register()
    other = register(id_number=ID_F, phone="13900000001")
    with pytest.raises(ValidationFailed) as exc:
        services.person_update(actor=CLERK, person=other, phone="13912345678")
    assert exc.value.field == "phone"
    assert Person.objects.get(pk=other.pk).phone == "13900000001"


def test_realname_verification_raises_the_assurance_level():
    person = make_person(name="", id_number="", id_number_bidx=None, birth_date=None)
    assert person.assurance == AssuranceLevel.PHONE
    services.person_realname_verify(actor=CLERK, person=person, name="王小明", id_number=ID_F)
    person.refresh_from_db()
    assert person.assurance == AssuranceLevel.REAL_NAME
    assert person.id_number == ID_F and person.name == "王小明"
    assert person.birth_date == datetime.date(2001, 2, 3)


def test_realname_mismatch_is_refused():
    person = make_person(name="", id_number="", id_number_bidx=None, birth_date=None)
    FakeRealNameVerifier.rejected.add(ID_F)
    with pytest.raises(ValidationFailed) as exc:
        services.person_realname_verify(actor=CLERK, person=person, name="王小明", id_number=ID_F)
    assert exc.value.field == "name"
    person.refresh_from_db()
    assert person.assurance == AssuranceLevel.PHONE and person.id_number == ""


def test_in_person_check_sets_level_three():
    person = register()
    services.person_assurance_in_person(actor=CLERK, person=person)
    person.refresh_from_db()
    assert person.assurance == AssuranceLevel.IN_PERSON


# --- legal persons ---------------------------------------------------------------------------

USCC = uscc_make("91440101MA5CXXXX1")


def test_company_register_and_agents():
    rep = register()
    agent = register(id_number=ID_F, phone="13900000001")
    company = services.company_register(
        actor=CLERK,
        uscc=USCC.lower(),
        name="广州一网科技有限公司",
        legal_representative="李小龙",
        representative_person=rep,
    )
    assert company.uscc == USCC
    assert company.region_code == "440101"
    services.company_agent_add(
        actor=CLERK,
        company=company,
        person=agent,
        valid_until=datetime.date.today() - datetime.timedelta(days=1),
    )
    assert list(selectors.companies_for_person(person=rep)) == [company]
    assert list(selectors.companies_for_person(person=agent)) == []  # grant has expired
    services.company_agent_add(actor=CLERK, company=company, person=agent)
    assert list(selectors.companies_for_person(person=agent)) == [company]
    assert CompanyAgent.objects.count() == 2


def test_company_bad_or_duplicate_uscc_is_a_field_error():
    with pytest.raises(ValidationFailed) as exc:
        services.company_register(
            actor=CLERK,
            uscc=USCC[:-1] + "0" if USCC[-1] != "0" else USCC[:-1] + "1",
            name="某公司",
            legal_representative="张三",
        )
    assert exc.value.field == "uscc" and "统一社会信用代码" in str(exc.value.message)
    services.company_register(actor=CLERK, uscc=USCC, name="某公司", legal_representative="张三")
    with pytest.raises(ValidationFailed) as exc:
        services.company_register(
            actor=CLERK, uscc=USCC, name="某公司", legal_representative="张三"
        )
    assert exc.value.code == "duplicate"
