"""The package upload page: operators only; shows problems (nothing published) or the
published versions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.catalog.models import Service, ServiceVersion
from onewindow.catalog.packages.process import engine
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import make_staff
from onewindow.testing.packages import files_for, service, zip_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(engine() is None, reason="case engine not available yet"),
]
URL = "/admin/catalog/service/upload/"


def admin_client(*, operator: bool) -> Client:
    staff = make_staff()
    staff.user.is_staff = True
    staff.user.save()
    staff.user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="catalog", codename__in=["view_service", "change_service"]
        )
    )
    if operator:
        staff.user.kind = "operator"
        staff.user.save()
        staff.user.user_permissions.add(Permission.objects.get(codename="operate_platform"))
    return staff_client(staff.user)


def upload(client: Client, data: bytes):
    return client.post(URL, {"package": SimpleUploadedFile("pkgs.zip", data, "application/zip")})


def test_operator_publishes_a_zip(city):
    client = admin_client(operator=True)
    assert client.get(URL).status_code == 200
    response = upload(client, zip_of({"hk-macau-reendorsement": files_for()}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "往来港澳通行证再次签注" in body and "第 1 版" in body
    version = ServiceVersion.objects.get()
    assert version.published_by is not None
    again = upload(client, zip_of({"": files_for()})).content.decode()
    assert "内容未变化" in again and ServiceVersion.objects.count() == 1


def test_broken_zip_shows_problems_and_publishes_nothing(city):
    client = admin_client(operator=True)
    archive = zip_of(
        {
            "hk-macau-reendorsement": files_for(),
            "broken": files_for(service(code="broken", department="gz-nope")),
        }
    )
    response = upload(client, archive)
    assert response.status_code == 422
    assert "pkgs.zip:broken/service.yaml:" in response.content.decode()
    assert "部门 gz-nope 不存在" in response.content.decode()
    assert not Service.objects.exists()
    assert upload(client, b"not a zip").status_code == 422


def test_staff_without_the_operator_permission_is_refused(city):
    client = admin_client(operator=False)
    assert client.get(URL).status_code == 403
    assert upload(client, zip_of({"": files_for()})).status_code == 403
    assert not Service.objects.exists()


def test_anonymous_is_sent_to_login(db):
    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
