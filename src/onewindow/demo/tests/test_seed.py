"""Seeding the demo city: counts, idempotence, encryption at rest, logins, audit."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import ric, uscc

from onewindow.audit.models import AuditEvent
from onewindow.audit.selectors import audit_chain_verify
from onewindow.core.crypto import decrypt
from onewindow.core.pii import id_number_index, phone_index
from onewindow.demo import data
from onewindow.demo.services import demo_city_seed
from onewindow.identity.models import (
    Company,
    CompanyAgent,
    Department,
    GridScope,
    Person,
    Role,
    Staff,
    User,
)

pytestmark = pytest.mark.django_db


def seed(residents: int = 300, companies: int = 10, s: int = 11):
    return demo_city_seed(residents=residents, companies=companies, seed=s)


def _forget_people() -> None:
    """Delete every person (and first the demo permits they hold)."""
    from onewindow.licences.models import Licence

    Licence.objects.all().delete()
    Person.objects.all().delete()


def test_seed_creates_the_city_and_writes_one_audit_row() -> None:
    report = seed()
    assert report.residents_added == Person.objects.count() == 300
    # the requested companies, and the printed residents' own (demo.companies)
    assert Company.objects.count() == 10 + len(data.DEMO_COMPANIES)
    assert Department.objects.get(code="gz").region_code == "440100"
    gaj_th = Department.objects.get(code="gz-gaj-th")
    assert gaj_th.parent is not None and gaj_th.parent.code == "gz-gaj"
    assert gaj_th.region_code == "440106"
    assert {r.code for r in Role.objects.all()} == {r.code for r in data.ROLES}
    assert Role.objects.get(code="grid_worker").grid_scoped
    assert GridScope.objects.exists()
    events = AuditEvent.objects.filter(action="demo.seed")
    assert events.count() == 1
    assert events.get().changes["residents_added"] == 300
    assert audit_chain_verify() is None


def test_running_again_adds_nothing_and_writes_no_audit_row() -> None:
    seed()
    counts = (
        Person.objects.count(),
        Company.objects.count(),
        Staff.objects.count(),
        CompanyAgent.objects.count(),
    )
    again = seed()
    assert not again.changed
    assert (
        Person.objects.count(),
        Company.objects.count(),
        Staff.objects.count(),
        CompanyAgent.objects.count(),
    ) == counts
    assert AuditEvent.objects.filter(action="demo.seed").count() == 1


def test_the_command_says_when_there_is_nothing_to_do() -> None:
    out = io.StringIO()
    call_command("seed_demo", residents=50, companies=2, seed=3, no_progress=True, stdout=out)
    assert "Demo city seeded" in out.getvalue()
    assert "gaj_clerk" in out.getvalue() and "otpauth://totp/" in out.getvalue()
    out = io.StringIO()
    call_command("seed_demo", residents=50, companies=2, seed=3, no_progress=True, stdout=out)
    assert "nothing to do" in out.getvalue()


def test_topping_up_equals_seeding_the_larger_city_at_once() -> None:
    seed(residents=200, companies=0)
    report = seed(residents=350, companies=0)
    assert report.residents_added == 150
    topped_up = set(Person.objects.values_list("id_number_bidx", flat=True))
    _forget_people()
    seed(residents=350, companies=0)
    assert set(Person.objects.values_list("id_number_bidx", flat=True)) == topped_up


def test_seeded_people_are_the_same_for_the_same_seed() -> None:
    seed(s=5)
    first = sorted(Person.objects.values_list("name", "id_number_bidx", "phone_bidx"))
    _forget_people()
    seed(s=5)
    assert sorted(Person.objects.values_list("name", "id_number_bidx", "phone_bidx")) == first


def test_stored_identifiers_validate_and_blind_indexes_match() -> None:
    seed()
    for person in Person.objects.all():
        assert ric.is_valid(person.id_number)
        assert person.id_number_bidx == id_number_index(person.id_number)
        assert person.phone_bidx == phone_index(person.phone)
        assert person.region_code == person.id_number[:6]
        assert person.gender == ("M" if int(person.id_number[16]) % 2 else "F")
        assert person.user_id is None  # residents get an account when they first log in
    for company in Company.objects.all():
        assert uscc.is_valid(company.uscc)
        rep = CompanyAgent.objects.get(company=company, role=CompanyAgent.Role.LEGAL_REPRESENTATIVE)
        assert rep.person.name == company.legal_representative
        assert rep.person.age is not None and rep.person.age >= 18


def test_raw_columns_hold_ciphertext_not_plaintext() -> None:
    seed(residents=20, companies=0)
    person = Person.objects.get(phone_bidx=phone_index("13800000001"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM identity_person WHERE id = %s", [person.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert person.id_number not in raw_id and "13800000001" not in raw_phone
    assert raw_id.startswith(("a256gcm$", "sm4gcm$"))
    assert decrypt(raw_phone, aad="identity.person.phone") == "13800000001"


def test_demo_staff_log_in_with_the_printed_password() -> None:
    seed(residents=10, companies=0)
    request = RequestFactory().post("/account/login/")
    user = authenticate(request, username="gaj_clerk", password=data.DEMO_STAFF_PASSWORD)
    assert user is not None and user.kind == User.Kind.STAFF
    assert authenticate(request, username="gaj_clerk", password="wrong-password-123") is None
    operator = User.objects.get(username=data.OPERATOR_USERNAME)
    assert operator.kind == User.Kind.OPERATOR
    assert (
        Staff.objects.get(user=operator)
        .roles.get()
        .role.permissions.filter(codename="operate_platform")
        .exists()
    )
    clerk_perms = Staff.objects.get(user__username="gaj_clerk").roles.get().role.permissions
    assert not clerk_perms.filter(codename="operate_platform").exists()


def test_every_staff_member_has_a_confirmed_totp_device() -> None:
    seed(residents=10, companies=0)
    staff_users = User.objects.filter(kind__in=[User.Kind.STAFF, User.Kind.OPERATOR])
    assert staff_users.count() > 100
    assert (
        TOTPDevice.objects.filter(confirmed=True, user__in=staff_users).count()
        == staff_users.count()
    )
    keys = set(TOTPDevice.objects.values_list("key", flat=True))
    assert len(keys) == staff_users.count()  # one key per person


def test_the_printed_residents_hold_a_permit_once() -> None:
    from onewindow.licences.models import Licence
    from onewindow.licences.selectors import licence_check

    report = seed(residents=20, companies=1)
    assert report.licences_added == len(data.DEMO_RESIDENTS)
    permits = Licence.objects.filter(licence_type__code="hk-macau-permit")
    holders = {lic.holder_person.phone for lic in permits if lic.holder_person}
    assert holders == {phone for phone, _name, _code in data.DEMO_RESIDENTS}
    assert all(licence_check(licence=lic).result == "valid" for lic in permits)
    assert all(len(lic.claims["permitNumber"]) == 9 for lic in permits)
    again = seed(residents=20, companies=1)
    assert again.licences_added == 0 and not again.changed
    assert permits.count() == len(data.DEMO_RESIDENTS)
    assert AuditEvent.objects.filter(action="licences.licence.issue").count() == len(
        data.DEMO_RESIDENTS
    )


def test_the_police_approvers_may_revoke_the_permits_their_bureau_issued() -> None:
    from onewindow.licences.models import Licence
    from onewindow.licences.staff_selectors import staff_may_revoke

    seed(residents=5, companies=0)
    permit = Licence.objects.filter(licence_type__code="hk-macau-permit").first()
    assert permit is not None and permit.department is not None
    assert permit.department.code == "gz-gaj"
    approver = User.objects.get(username="gaj_approver")
    assert staff_may_revoke(approver, permit)
    assert not staff_may_revoke(User.objects.get(username="gaj_clerk"), permit)
    assert not staff_may_revoke(User.objects.get(username="mzj_approver"), permit)
