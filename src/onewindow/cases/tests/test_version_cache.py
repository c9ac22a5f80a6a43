"""The engine reads a published version once per worker; what can change about it (the
service's department, the version in force) is never served stale to the actions that
depend on it."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.catalog import versions
from onewindow.catalog.models import ServiceVersion
from onewindow.identity.models import Department, Person
from onewindow.testing.cases import ANSWERS
from onewindow.testing.factories import user_of

pytestmark = pytest.mark.django_db


def test_a_version_is_read_once_then_served_from_memory(
    parallel_service: ServiceVersion, django_assert_num_queries: Any
) -> None:
    versions.clear()
    with django_assert_num_queries(1):
        first = versions.service_version_cached(parallel_service.pk)
    with django_assert_num_queries(0):
        again = versions.service_version_cached(parallel_service.pk)
    assert again is first
    assert first.process_spec == parallel_service.process_spec
    assert first.service.department.code == parallel_service.service.department.code


def test_moving_a_service_to_another_department_is_seen_at_once(
    parallel_service: ServiceVersion,
) -> None:
    versions.service_version_cached(parallel_service.pk)
    service = parallel_service.service
    other = Department.objects.exclude(pk=service.department_id).first()
    assert other is not None
    service.department = other
    service.save(update_fields=["department"])
    assert versions.service_version_cached(parallel_service.pk).service.department_id == other.pk


def test_the_service_part_is_re_read_after_its_time_to_live(
    parallel_service: ServiceVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions.clear()
    cached = versions.service_version_cached(parallel_service.pk)
    other = Department.objects.exclude(pk=cached.service.department_id).first()
    assert other is not None
    # Another worker moved the service: this process hears no signal.
    type(cached.service).objects.filter(pk=cached.service_id).update(department=other)
    assert versions.service_version_cached(parallel_service.pk).service.department_id != other.pk
    clock = versions.time.monotonic() + versions.SERVICE_TTL + 1
    monkeypatch.setattr(versions.time, "monotonic", lambda: clock)
    refreshed = versions.service_version_cached(parallel_service.pk)
    assert refreshed.service.department_id == other.pk
    assert refreshed.process_spec == cached.process_spec
    assert cached.service.department_id != other.pk  # the shared object was not modified


def test_a_draft_submits_to_the_version_in_force_even_with_a_warm_cache(
    city: None, resident: Person, tmp_path: Any
) -> None:
    from onewindow.testing.cases import definition, publish

    first = publish(tmp_path, service=definition(materials=[]))
    code = first.service.code
    draft = services.case_draft_start(user=user_of(resident), service_code=code)
    stale = versions.service_version_cached(draft.service_version_id)
    newer = publish(tmp_path, service=definition(materials=[], conditions={"zh": "新版受理条件"}))
    assert newer.pk != draft.service_version_id
    # This worker did not hear of the new version (it was published by another process).
    versions._versions[draft.service_version_id] = (stale, versions.time.monotonic())
    assert (
        services.case_draft_save_form(user=user_of(resident), case_id=draft.pk, data=ANSWERS) == []
    )
    token = Case.objects.get(pk=draft.pk).submit_token
    case = services.case_submit(user=user_of(resident), case_id=draft.pk, token=token)
    assert case.service_version_id == newer.pk


def test_departments_of_new_tasks_are_read_once_and_renames_are_seen(
    parallel_service: ServiceVersion,
    resident: Person,
    staff: Any,
    django_assert_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The departments a completion opens tasks in come from memory after the first read; a
    rename saved in this process shows at once, one saved by another worker (no signal here)
    after the time to live."""
    from onewindow.testing.applying import act, apply

    versions.clear()
    with django_assert_num_queries(1):
        first = versions.departments_by_code({"gz-rsj", "gz-jyj", "nowhere"})
    assert set(first) == {"gz-rsj", "gz-jyj"}
    with django_assert_num_queries(0):
        assert versions.departments_by_code({"gz-rsj", "gz-jyj"})["gz-jyj"] is first["gz-jyj"]

    edu = Department.objects.get(code="gz-jyj")
    edu.name = "广州市教育局（新）"
    edu.save()  # in this process: the cache is cleared by the save signal
    case = apply(user_of(resident), "grad-employment-test")
    act(staff("rsj_clerk"), case, "accept")
    opened = case.events.filter(kind="task_opened", task__element_id="edu").get()
    assert opened.actor_label == "广州市教育局（新）"

    Department.objects.filter(code="gz-jyj").update(name="广州市教育局")  # another worker
    assert versions.departments_by_code({"gz-jyj"})["gz-jyj"].name == "广州市教育局（新）"
    clock = versions.time.monotonic() + versions.SERVICE_TTL + 1
    monkeypatch.setattr(versions.time, "monotonic", lambda: clock)
    assert versions.departments_by_code({"gz-jyj"})["gz-jyj"].name == "广州市教育局"
