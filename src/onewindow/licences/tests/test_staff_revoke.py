"""The staff revocation page: find a licence of one's own department (by number, holder's
citizen ID or company USCC, shown masked), revoke it with a reason after a confirmation step;
verifiers then see 已撤销. Other departments get 404 and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import uscc

from onewindow.audit.models import AuditEvent
from onewindow.audit.services import Actor
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.identity.models import Role, StaffRole
from onewindow.licences.models import Licence, StatusList
from onewindow.licences.services import (
    LicenceError,
    licence_issue,
    licence_revoke,
    licence_revoke_by_staff,
)
from onewindow.licences.verification import licence_verify
from onewindow.testing.factories import (
    CompanyFactory,
    DepartmentFactory,
    PersonFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture
def world() -> dict[str, Any]:
    gaj = DepartmentFactory(code="gz-gaj", name="广州市公安局")
    branch = DepartmentFactory(code="gz-gaj-th", name="天河区分局", parent=gaj)
    mzj = DepartmentFactory(code="gz-mzj", name="广州市民政局")
    role = Role.objects.create(code="licence-officer", name="证照管理员")
    role.permissions.add(Permission.objects.get(codename="revoke_licence"))
    holder = PersonFactory(name="陈嘉欣")
    licence = licence_issue(
        actor=SYSTEM,
        licence_type_code="hk-macau-endorsement",
        holder_person=holder,
        department=branch,
    )
    return {
        "role": role,
        "holder": holder,
        "licence": licence,
        "officer": _staff(gaj, role),  # a role in the department above the issuing branch
        "other": _staff(mzj, role),  # the same permission in another department
        "clerk": _staff(branch, None),  # the issuing branch, but without the permission
    }


def _staff(department: Any, role: Any) -> Any:
    staff: Any = StaffFactory(department=department)
    if role is not None:
        StaffRole.objects.create(staff=staff, role=role, department=department)
    return staff.user


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def _bit(licence: Licence) -> bool:
    return StatusList.objects.get(pk=licence.status_list_id).is_set(licence.status_index)


def test_find_by_number_id_number_and_uscc_with_the_holder_masked(world):
    client = _client(world["officer"])
    licence, holder = world["licence"], world["holder"]
    page = client.post("/licences/staff/", {"q": licence.number}).content.decode()
    assert licence.number in page and "往来港澳通行证签注" in page
    assert holder.id_number not in page and holder.masked_id_number in page
    assert "陈*欣" in page and "陈嘉欣" not in page

    by_id = client.post("/licences/staff/", {"q": holder.id_number.lower()}).content.decode()
    assert licence.number in by_id and holder.id_number not in by_id
    lookup = AuditEvent.objects.get(action="licences.licence.lookup")
    assert lookup.target_id == str(holder.pk) and lookup.actor_id == world["officer"].pk
    assert holder.id_number not in str(lookup.changes)

    company: Any = CompanyFactory()
    issued = licence_issue(
        actor=SYSTEM,
        licence_type_code="business-licence",
        holder_company=company,
        department=licence.department,
    )
    by_uscc = client.post("/licences/staff/", {"q": company.uscc}).content.decode()
    assert issued.number in by_uscc and company.name in by_uscc


def test_search_refuses_bad_input_at_the_field(world):
    client = _client(world["officer"])
    id_number = world["holder"].id_number
    # A wrong check digit; one that happens to make a valid USCC (also 18 characters, searched
    # as a company) would be a different input, so such digits are skipped.
    mistyped = next(
        id_number[:17] + d
        for d in "0123456789"
        if d != id_number[-1] and not uscc.is_valid(id_number[:17] + d)
    )
    for query, message in [
        ("", "请输入证照编号、持证人身份证号码或统一社会信用代码。"),
        ("abc", "请输入完整的证照编号、18位身份证号码或18位统一社会信用代码。"),
        (mistyped, "身份证号码校验位不正确"),
    ]:
        response = client.post("/licences/staff/", {"q": query})
        assert response.status_code == 400
        body = response.content.decode()
        assert message in body and 'aria-invalid="true"' in body
    assert not AuditEvent.objects.filter(action="licences.licence.lookup").exists()


def test_revoke_with_a_reason_after_confirmation(world, client):
    staff = _client(world["officer"])
    licence = world["licence"]
    url = f"/licences/staff/{licence.number}/"
    assert "撤销证照" in staff.get(url).content.decode()

    review = staff.post(url, {"step": "review", "reason": "  以欺骗手段取得  "})
    assert review.status_code == 200
    assert "确认撤销" in review.content.decode() and "以欺骗手段取得" in review.content.decode()
    licence.refresh_from_db()
    assert licence.status == "valid" and not _bit(licence)  # nothing yet

    done = staff.post(url, {"step": "confirm", "reason": "以欺骗手段取得"}, follow=True)
    assert "证照已撤销" in done.content.decode()
    licence.refresh_from_db()
    assert licence.status == "revoked" and licence.revoked_reason == "以欺骗手段取得"
    assert _bit(licence)
    event = AuditEvent.objects.get(action="licences.licence.revoke", outcome="ok")
    assert event.actor_id == world["officer"].pk and event.target_id == str(licence.pk)
    # Third parties now see it revoked, on the page and through the API.
    assert licence_verify(licence.jws).result == "revoked"
    assert "已撤销" in client.get(f"/licences/verify/?id={licence.credential_id}").content.decode()
    answer = client.post(
        "/api/v1/licences/verify", {"credential": licence.jws}, content_type="application/json"
    )
    assert answer.json()["result"] == "revoked"
    # A second confirmation changes nothing more.
    staff.post(url, {"step": "confirm", "reason": "再次"})
    licence.refresh_from_db()
    assert licence.revoked_reason == "以欺骗手段取得"


def test_a_missing_reason_is_refused_at_the_field(world):
    staff = _client(world["officer"])
    licence = world["licence"]
    for step in ("review", "confirm"):
        response = staff.post(f"/licences/staff/{licence.number}/", {"step": step, "reason": "  "})
        assert response.status_code == 400
        assert "请填写撤销原因。" in response.content.decode()
    licence.refresh_from_db()
    assert licence.status == "valid" and not _bit(licence)
    with pytest.raises(ValidationFailed) as err:
        licence_revoke_by_staff(
            user=world["officer"], licence_id=licence.pk, reason="", actor=SYSTEM
        )
    assert err.value.field == "reason"


def test_another_department_gets_404_and_nothing_changes(world):
    licence = world["licence"]
    other = _client(world["other"])
    url = f"/licences/staff/{licence.number}/"
    assert other.get(url).status_code == 404
    assert other.post(url, {"step": "confirm", "reason": "越权"}).status_code == 404
    found = other.post("/licences/staff/", {"q": licence.number}).content.decode()
    assert 'data-testid="found-none"' in found and f"/staff/{licence.number}/" not in found
    assert licence.number not in other.get("/licences/staff/").content.decode()
    licence.refresh_from_db()
    assert licence.status == "valid" and not _bit(licence)
    # The service refuses too, and the refusal is in the audit trail (committed).
    with pytest.raises(NotFound):
        licence_revoke_by_staff(
            user=world["other"], licence_id=licence.pk, reason="越权", actor=SYSTEM
        )
    denied = AuditEvent.objects.get(action="licences.licence.revoke", outcome="denied")
    assert denied.target_id == str(licence.pk)
    licence.refresh_from_db()
    assert licence.status == "valid"


def test_without_the_permission_the_pages_are_refused(world):
    clerk = _client(world["clerk"])
    assert clerk.get("/licences/staff/").status_code == 403
    assert clerk.get(f"/licences/staff/{world['licence'].number}/").status_code == 403
    assert world["licence"].number not in clerk.get("/licences/staff/").content.decode()


def test_recent_licences_of_the_department_are_listed(world):
    page = _client(world["officer"]).get("/licences/staff/").content.decode()
    assert world["licence"].number in page


def test_licence_without_issuing_department_is_nobodys_to_revoke(world):
    orphan = licence_issue(
        actor=SYSTEM, licence_type_code="business-licence", holder_person=world["holder"]
    )
    assert orphan.department_id is None
    assert _client(world["officer"]).get(f"/licences/staff/{orphan.number}/").status_code == 404


def test_revoking_an_unknown_licence_is_refused_and_the_refusal_is_kept():
    with pytest.raises(LicenceError):
        licence_revoke(actor=SYSTEM, licence_id=999_999, reason="x")
    assert AuditEvent.objects.filter(
        action="licences.licence.revoke", outcome="failed", target_id="999999"
    ).exists()
