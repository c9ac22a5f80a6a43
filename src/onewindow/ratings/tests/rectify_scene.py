"""The rectification tests' scene, made with the models: two departments, a rectifier in
each (a role granting rectify_ratings there), a member of staff who handled the case but
may not rectify, the platform office (review_rating_appeals), a resident who rated, and
subjects with their ratings; a bad rating's rectification opened as the rating's
submission opens it (``rectification_open_for`` inside its transaction)."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from onewindow.identity.models import Department, Person, Role, User
from onewindow.ratings.models import Level, Rating, Rectification, Subject
from onewindow.ratings.services.rectify_open import rectification_open_for
from onewindow.testing.clients import staff_client
from onewindow.testing.factories import DepartmentFactory, make_person, make_staff

CST = datetime.timezone(datetime.timedelta(hours=8))
_numbers = itertools.count(1)


def role_with(code: str, name: str, *codenames: str) -> Role:
    role, _ = Role.objects.get_or_create(code=code, defaults={"name": name})
    role.permissions.add(
        *Permission.objects.filter(content_type__app_label="ratings", codename__in=codenames)
    )
    return role


@dataclass
class Scene:
    dept_a: Department
    dept_b: Department
    office: Department
    rectifier_a: User
    rectifier_b: User
    handler_a: User  # handled the case; no rectify_ratings
    reviewer: User  # the platform office
    resident: Person

    @property
    def rater(self) -> User:
        assert self.resident.user is not None
        return self.resident.user

    def client(self, user: User) -> Any:
        return staff_client(user)


def scene_make() -> Scene:
    dept_a = cast(Department, DepartmentFactory(code="rt-scjgj", name="测试区市场监督管理局"))
    dept_b = cast(Department, DepartmentFactory(code="rt-rsj", name="测试区人力资源和社会保障局"))
    office = cast(Department, DepartmentFactory(code="rt-zsj", name="测试市政务服务数据管理局"))
    rectifier = role_with("rating_rectifier", "差评整改员", "rectify_ratings")
    reviewer = role_with("rating_reviewer", "好差评管理员", "review_rating_appeals")
    return Scene(
        dept_a=dept_a,
        dept_b=dept_b,
        office=office,
        rectifier_a=make_staff(department=dept_a, roles=[rectifier]).user,
        rectifier_b=make_staff(department=dept_b, roles=[rectifier]).user,
        handler_a=make_staff(department=dept_a).user,
        reviewer=make_staff(department=office, roles=[reviewer]).user,
        resident=make_person(name="陈小明", phone="13800138001"),
    )


def subject_make(
    scene: Scene,
    *,
    department: Department | None = None,
    service_code: str = "rt-getihu",
    service_name: str = "个体工商户设立登记",
    rater: Person | None = None,
    concluded_at: datetime.datetime | None = None,
) -> Subject:
    number = next(_numbers)
    person = rater or scene.resident
    return Subject.objects.create(
        kind=Subject.Kind.CASE,
        ref=f"rt-{number}",
        number=f"RT{number:06d}",
        title=service_name,
        channel=Subject.Channel.ONLINE,
        service_code=service_code,
        service_name=service_name,
        department=department or scene.dept_a,
        handled_by=scene.handler_a,
        rater=person.user,
        person=person,
        concluded_at=concluded_at or timezone.now(),
    )


def rating_make(
    scene: Scene,
    *,
    level: int = Level.DISSATISFIED,
    real_name: bool = True,
    now: datetime.datetime | None = None,
    **subject: Any,
) -> Rating:
    """A rating (and, for a bad one, its rectification opened at ``now``)."""
    target = subject_make(scene, **subject)
    with transaction.atomic():
        rating = Rating.objects.create(
            subject=target,
            level=level,
            dimensions={"overall": level, "efficiency": level, "guide": 3},
            reasons=["too_slow", "many_trips"] if level <= Level.DISSATISFIED else [],
            text="材料交了三次，每次都说缺东西。" if level <= Level.DISSATISFIED else "",
            rated_by=target.rater,
            real_name=real_name,
        )
        if now is not None:
            Rating.objects.filter(pk=rating.pk).update(created_at=now)
            rating.refresh_from_db()
        if rating.bad:
            rectification_open_for(rating=rating, now=now)
    return rating


def rectification_make(scene: Scene, **kwargs: Any) -> Rectification:
    rating = rating_make(scene, **kwargs)
    row = Rectification.objects.get(rating=rating)
    if kwargs.get("now") is not None:
        Rectification.objects.filter(pk=row.pk).update(created_at=kwargs["now"])
        row.refresh_from_db()
    return row
