"""The address book: add, edit, delete, default; the phone checked and encrypted, the region
from GB/T 2260; only the owner reaches an entry; the application form fills its mailing
address from it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.delivery.models import Address
from onewindow.delivery.services import address_create
from onewindow.delivery.services.addresses import MAX_ADDRESSES
from onewindow.identity.models import Department, Person
from onewindow.testing.delivery import MAIL_FORM, publish
from onewindow.testing.factories import PersonFactory, user_of

pytestmark = pytest.mark.django_db
GOOD: dict[str, Any] = {
    "recipient": "张三",
    "phone": "138 0013 8000",
    "region_code": "440106",
    "detail": "天河路100号",
}


def client_for(person: Any) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_add_an_address_encrypted_and_default(resident: Person):
    client = client_for(resident)
    response = client.post("/delivery/addresses/new/", GOOD)
    assert response.status_code == 302 and response["Location"] == "/delivery/addresses/"
    address = Address.objects.get()
    assert (address.phone, address.region_code, address.is_default) == (
        "13800138000",
        "440106",
        True,
    )
    assert address.full_address == "广东省广州市天河区天河路100号"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM delivery_address")
        assert "13800138000" not in cursor.fetchone()[0]
    event = AuditEvent.objects.get(action="delivery.address.create")
    assert "13800138000" not in str(event.changes)
    page = client.get("/delivery/addresses/").content.decode()
    assert "广东省广州市天河区天河路100号" in page and 'data-testid="default-badge"' in page


def test_bad_input_is_marked_at_each_field_and_nothing_is_saved(resident: Person):
    response = client_for(resident).post(
        "/delivery/addresses/new/",
        {"recipient": "", "phone": "12345", "region_code": "999999", "detail": "路"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    for message in (
        "请填写收件人",
        "手机号码应为以1开头的11位数字",
        "所在地区不是现行的行政区划代码",
        "请填写详细地址",
    ):
        assert message in text
    assert text.count('aria-invalid="true"') >= 4
    assert not Address.objects.exists() and not AuditEvent.objects.filter(
        action="delivery.address.create"
    )


def test_only_one_default_and_deleting_it_promotes_another(resident: Person):
    first = address_create(user=user_of(resident), **GOOD)
    second = address_create(
        user=user_of(resident), **{**GOOD, "detail": "体育西路1号"}, is_default=True
    )
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    client = client_for(resident)
    assert client.post(f"/delivery/addresses/{first.pk}/default/").status_code == 302
    assert list(Address.objects.filter(is_default=True)) == [first]
    assert client.post(f"/delivery/addresses/{first.pk}/delete/").status_code == 302
    second.refresh_from_db()
    assert second.is_default and not Address.objects.filter(pk=first.pk).exists()


def test_edit_keeps_what_was_not_changed(resident: Person):
    address = address_create(user=user_of(resident), **GOOD)
    client = client_for(resident)
    form = client.get(f"/delivery/addresses/{address.pk}/").content.decode()
    assert 'value="13800138000"' in form and 'value="440106" selected' in form
    response = client.post(
        f"/delivery/addresses/{address.pk}/",
        {**GOOD, "region_code": "440105", "detail": "江南大道中1号"},
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.full_address == "广东省广州市海珠区江南大道中1号" and address.is_default
    event = AuditEvent.objects.get(action="delivery.address.update")
    assert event.changes["fields"] == ["detail", "region_code"]


def test_another_residents_address_is_out_of_reach(resident: Person):
    address = address_create(user=user_of(resident), **GOOD)
    stranger = client_for(PersonFactory())
    url = f"/delivery/addresses/{address.pk}/"
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {**GOOD, "recipient": "李四"}).status_code == 404
    assert stranger.post(url + "default/").status_code == 404
    assert stranger.post(url + "delete/").status_code == 404
    address.refresh_from_db()
    assert address.recipient == "张三"
    assert "天河路100号" not in stranger.get("/delivery/addresses/").content.decode()


def test_the_book_has_a_limit(resident: Person):
    for n in range(MAX_ADDRESSES):
        address_create(user=user_of(resident), **{**GOOD, "detail": f"天河路{n + 1}号"})
    response = client_for(resident).post("/delivery/addresses/new/", GOOD)
    assert (
        response.status_code == 400
        and f"最多保存{MAX_ADDRESSES}个地址" in response.content.decode()
    )


def test_next_only_goes_back_to_this_site(resident: Person):
    client = client_for(resident)
    response = client.post("/delivery/addresses/new/?next=https://evil.example/", GOOD)
    assert response["Location"] == "/delivery/addresses/"
    response = client.post("/delivery/addresses/new/?next=/cases/", GOOD)
    assert response["Location"] == "/cases/"


def test_the_application_form_offers_the_address_book(resident: Person, department: Department):
    from onewindow.cases.services import case_draft_start

    publish(department, code="mail-service", originals=False, form=MAIL_FORM)
    draft = case_draft_start(user=user_of(resident), service_code="mail-service")
    client = client_for(resident)
    empty = client.get(f"/cases/drafts/{draft.pk}/form/")
    assert empty.status_code == 200 and 'data-testid="address-picker"' not in empty.content.decode()
    address_create(user=user_of(resident), **GOOD)
    page = client.get(f"/cases/drafts/{draft.pk}/form/").content.decode()
    assert 'data-testid="address-picker"' in page
    assert (
        'data-address="广东省广州市天河区天河路100号"' in page
        and 'data-phone="13800138000"' in page
    )


def test_home_page_links_the_address_book(resident: Person):
    page = client_for(resident).get("/").content.decode()
    assert 'data-testid="address-card"' in page and "/delivery/addresses/" in page


def test_an_empty_submission_asks_for_each_field(resident: Person):
    response = client_for(resident).post("/delivery/addresses/new/", {})
    assert response.status_code == 400
    text = response.content.decode()
    assert "请填写收件人" in text and "请填写手机号码" in text and "请选择所在地区" in text
    assert not Address.objects.exists()
