"""factory_boy factories shared by the tests of every app."""

from __future__ import annotations

import datetime
from typing import Any, cast

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.core.identifiers import citizen_id_make, uscc_make
from onewindow.core.pii import id_number_index, phone_index
from onewindow.identity.models import (
    Company,
    Department,
    Person,
    Role,
    Staff,
    StaffRole,
    User,
)

TEST_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test secret (hex)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    kind = User.Kind.RESIDENT
    password = factory.django.Password("correct horse battery staple")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: ["张伟", "王芳", "李娜", "刘洋", "陈静"][n % 5])
    id_number = factory.Sequence(
        lambda n: citizen_id_make(
            "440106", datetime.date(1990, 1, 1) + datetime.timedelta(n), n % 1000
        )
    )
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    region_code = "440106"
    user = factory.SubFactory(UserFactory, kind=User.Kind.RESIDENT)

    @factory.lazy_attribute
    def id_number_bidx(obj: Any) -> str:
        return id_number_index(obj.id_number)

    @factory.lazy_attribute
    def phone_bidx(obj: Any) -> str:
        return phone_index(obj.phone)

    @factory.lazy_attribute
    def birth_date(obj: Any) -> datetime.date:
        return datetime.date(
            int(obj.id_number[6:10]), int(obj.id_number[10:12]), int(obj.id_number[12:14])
        )


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    region_code = "440100"


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("code",)

    code = "approver"
    name = "审批人员"


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff member with a confirmed TOTP device using the RFC 6238 test key."""

    class Meta:
        model = Staff
        skip_postgeneration_save = True

    user = factory.SubFactory(
        UserFactory, kind=User.Kind.STAFF, username=factory.Sequence(lambda n: f"staff{n}")
    )
    department = factory.SubFactory(DepartmentFactory)
    title = "科员"

    @factory.post_generation
    def totp(self: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False:
            TOTPDevice.objects.create(
                user=self.user, name="default", key=TEST_TOTP_KEY, confirmed=True
            )

    @factory.post_generation
    def roles(self: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        for role in extracted or []:
            StaffRole.objects.create(staff=self, role=role, department=self.department)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    uscc = factory.Sequence(lambda n: uscc_make(f"91440101MA{n:07d}"))
    name = factory.Sequence(lambda n: f"广州测试科技有限公司{n}")
    legal_representative = "张伟"
    region_code = "440101"


# Typed wrappers (factory_boy returns model instances at run time, but type checkers see the
# factory class).


def make_person(**kwargs: Any) -> Person:
    return cast(Person, PersonFactory(**kwargs))


def make_staff(**kwargs: Any) -> Staff:
    return cast(Staff, StaffFactory(**kwargs))


def make_role(**kwargs: Any) -> Role:
    return cast(Role, RoleFactory(**kwargs))


def user_of(person: Person) -> User:
    assert person.user is not None
    return person.user
