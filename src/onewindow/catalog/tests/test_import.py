"""service_packages_import: all or nothing, versions by checksum, audit rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from onewindow.audit.models import AuditEvent
from onewindow.catalog.models import Service, ServiceVersion
from onewindow.catalog.packages.process import engine
from onewindow.catalog.selectors import service_version_current
from onewindow.catalog.services import PackageInvalid, service_packages_import
from onewindow.testing.packages import bpmn, files_for, service, write_package, zip_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(engine() is None, reason="case engine not available yet"),
]


def test_import_publishes_version_1_with_compiled_process(city, actor, tmp_path: Path):
    folder = write_package(tmp_path, files_for(process=bpmn()))
    [version] = service_packages_import(actor=actor, paths=[folder])
    service = Service.objects.get(code="hk-macau-reendorsement")
    assert service.current == version and version.number == 1
    assert service.department.code == "gz-gaj" and service.name == "往来港澳通行证再次签注"
    assert version.process_spec and version.form_schema["type"] == "object"
    assert version.user_tasks["approve"]["assignees"] == [
        {"group": "approver", "department": "gz-gaj", "role": "approver"}
    ]
    event = AuditEvent.objects.get(action="catalog.service.publish")
    assert event.target_id == str(version.pk)


def test_a_package_without_bpmn_gets_the_default_process(city, actor, tmp_path: Path):
    [version] = service_packages_import(actor=actor, paths=[write_package(tmp_path, files_for())])
    assert version.bpmn_is_default and "gz-gaj:approver" in version.bpmn
    assert version.user_tasks["approve"]["assignees"][0]["role"] == "approver"


def test_unchanged_package_creates_no_new_version(city, actor, tmp_path: Path):
    folder = write_package(tmp_path, files_for())
    service_packages_import(actor=actor, paths=[folder])
    assert service_packages_import(actor=actor, paths=[folder]) == []
    assert ServiceVersion.objects.count() == 1
    assert AuditEvent.objects.filter(action="catalog.service.publish").count() == 1


def test_changed_package_becomes_version_2_and_version_1_stays(city, actor, tmp_path: Path):
    folder = write_package(tmp_path, files_for())
    [first] = service_packages_import(actor=actor, paths=[folder])
    changed = service(time_limit={"statutory_days": 10, "promised_days": 5})
    write_package(tmp_path, files_for(changed))
    [second] = service_packages_import(actor=actor, paths=[folder])
    assert second.number == 2
    assert service_version_current(code="hk-macau-reendorsement") == second
    first.refresh_from_db()
    assert first.definition["time_limit"]["promised_days"] == 7  # pinned cases keep theirs


def test_a_batch_with_one_broken_package_publishes_nothing(city, actor, tmp_path: Path):
    good = write_package(tmp_path, files_for())
    other = write_package(tmp_path, files_for(service(code="marriage-registration")))
    broken = write_package(tmp_path, files_for(service(code="broken", department="gz-nope")))
    with pytest.raises(PackageInvalid) as error:
        service_packages_import(actor=actor, paths=[good, other, broken])
    assert any("部门 gz-nope 不存在" in p.message for p in error.value.problems)
    assert Service.objects.count() == 0 and ServiceVersion.objects.count() == 0
    assert not AuditEvent.objects.filter(action="catalog.service.publish").exists()


def test_a_failure_while_publishing_rolls_everything_back(city, actor, tmp_path, monkeypatch):
    from onewindow.catalog import services as catalog_services

    first = write_package(tmp_path, files_for())
    second = write_package(tmp_path, files_for(service(code="marriage-registration")))
    real = catalog_services.audit_record
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(catalog_services, "audit_record", failing)
    with pytest.raises(RuntimeError):
        service_packages_import(actor=actor, paths=[first, second])
    assert ServiceVersion.objects.count() == 0 and Service.objects.count() == 0


def test_same_code_twice_in_one_batch_is_refused(city, actor, tmp_path: Path):
    files = files_for()
    archive = zip_of({"hk-macau-reendorsement": files, "": files})
    with pytest.raises(PackageInvalid) as error:
        service_packages_import(actor=actor, zip=archive)
    assert any("在本批次中重复" in p.message for p in error.value.problems)


def test_import_command_prints_published_and_unchanged(city, tmp_path: Path, capsys):
    folder = write_package(tmp_path, files_for())
    call_command("service_import", str(folder))
    assert "已发布 hk-macau-reendorsement 第 1 版" in capsys.readouterr().out
    call_command("service_import", str(folder))
    assert "未变化 hk-macau-reendorsement（仍为第 1 版）" in capsys.readouterr().out


def test_import_command_exits_1_and_prints_problems(city, tmp_path: Path, capsys):
    broken = write_package(tmp_path, files_for(service(department="gz-nope")))
    with pytest.raises(SystemExit) as exit_info:
        call_command("service_import", str(broken))
    assert exit_info.value.code == 1
    assert "部门 gz-nope 不存在" in capsys.readouterr().out
    assert not Service.objects.exists()


def test_service_new_scaffold_passes_validation_and_imports(city, actor, tmp_path: Path):
    call_command(
        "service_new", "pet-registration", department="gz-gaj", name="犬只登记", dir=str(tmp_path)
    )
    call_command("service_validate", str(tmp_path / "pet-registration"))
    [version] = service_packages_import(actor=actor, paths=[tmp_path / "pet-registration"])
    assert version.service.name == "犬只登记"
