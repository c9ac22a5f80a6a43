"""Departments, roles, staff, role assignments and grid scopes."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.services import Actor, audit_record
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_region
from onewindow.identity import audit_events
from onewindow.identity.models import Department, GridScope, Role, Staff, StaffRole, User

# GB/T 2260 province-level codes (the first two digits of every region code).
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "  # noqa: SIM905
    "61 62 63 64 65 71 81 82".split()
)


def normalize_gb2260(value: str, *, field: str = "region_code") -> str:
    code = normalize_region(value, field=field)
    if code[:2] not in PROVINCES:
        raise ValidationFailed(
            _("行政区划代码的前两位不是有效的省级代码（GB/T 2260）。"),
            code="region_unknown",
            field=field,
        )
    return code


@transaction.atomic(durable=True)
def department_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    region_code: str,
    parent: Department | None = None,
    name_en: str = "",
) -> Department:
    region_code = normalize_gb2260(region_code)
    code = (code or "").strip()
    if not code:
        raise ValidationFailed(_("请填写部门编码。"), code="required", field="code")
    if Department.objects.filter(code=code).exists():
        raise ValidationFailed(_("部门编码已存在。"), code="duplicate", field="code")
    if not (name or "").strip():
        raise ValidationFailed(_("请填写部门名称。"), code="required", field="name")
    department = Department.objects.create(
        code=code, name=name.strip(), name_en=name_en, parent=parent, region_code=region_code
    )
    audit_record(
        actor=actor,
        action=audit_events.DEPARTMENT_CREATE,
        target=department,
        changes={"code": code, "parent": parent.pk if parent else None},
    )
    return department


def _permissions(codes: Iterable[str]) -> list[Permission]:
    perms = []
    for full in codes:
        app_label, _sep, codename = full.partition(".")
        perm = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if perm is None:
            raise ValidationFailed(
                _("未知权限：%(perm)s") % {"perm": full}, code="unknown_perm", field="permissions"
            )
        perms.append(perm)
    return perms


@transaction.atomic(durable=True)
def role_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    permissions: Iterable[str] = (),
    grid_scoped: bool = False,
    name_en: str = "",
) -> Role:
    """Create (or update, if the code exists) a role with Django permissions like
    ``"identity.view_pii"``."""
    perms = _permissions(permissions)
    role, created = Role.objects.update_or_create(
        code=code, defaults={"name": name, "name_en": name_en, "grid_scoped": grid_scoped}
    )
    role.permissions.set(perms)
    audit_record(
        actor=actor,
        action=audit_events.ROLE_CREATE if created else audit_events.ROLE_UPDATE,
        target=role,
        changes={"permissions": sorted(permissions), "grid_scoped": grid_scoped},
    )
    return role


@transaction.atomic(durable=True)
def staff_create(
    *,
    actor: Actor,
    username: str,
    display_name: str,
    department: Department,
    title: str = "",
    password: str | None = None,
    kind: str = User.Kind.STAFF,
) -> Staff:
    if kind not in {User.Kind.STAFF, User.Kind.OPERATOR}:
        raise ValidationFailed(_("账号类型无效。"), code="invalid_choice", field="kind")
    username = (username or "").strip()
    if not username:
        raise ValidationFailed(_("请填写用户名。"), code="required", field="username")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(_("用户名已存在。"), code="duplicate", field="username")
    user = User(username=username, display_name=display_name, kind=kind)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    staff = Staff.objects.create(user=user, department=department, title=title)
    audit_record(
        actor=actor,
        action=audit_events.STAFF_CREATE,
        target=staff,
        changes={"user": user.pk, "department": department.pk, "kind": kind},
    )
    return staff


@transaction.atomic(durable=True)
def staff_totp_enrol(*, actor: Actor, staff: Staff, key: str | None = None) -> TOTPDevice:
    """Give a staff member a confirmed TOTP device (replacing any earlier one). The
    device's ``config_url`` is the otpauth:// URI to show as a QR code once."""
    TOTPDevice.objects.filter(user=staff.user).delete()
    kwargs = {"key": key} if key else {}
    device = TOTPDevice.objects.create(user=staff.user, name="default", confirmed=True, **kwargs)
    audit_record(actor=actor, action=audit_events.STAFF_TOTP_ENROL, target=staff)
    return device


@transaction.atomic(durable=True)
def staff_role_assign(
    *,
    actor: Actor,
    staff: Staff,
    role: Role,
    department: Department | None = None,
    grid_codes: Iterable[str] = (),
) -> StaffRole:
    """Give a staff member a role in a department (their own by default). Grid-scoped roles
    (community workers) act only in the grids given. Assigning twice changes nothing."""
    department = department or staff.department
    staff_role, created = StaffRole.objects.get_or_create(
        staff=staff, role=role, department=department
    )
    grids = sorted({code.strip() for code in grid_codes if code.strip()})
    if grids and not role.grid_scoped:
        raise ValidationFailed(
            _("该角色不按网格划分，不能指定网格。"), code="not_grid_scoped", field="grid_codes"
        )
    added = [
        code
        for code in grids
        if GridScope.objects.get_or_create(staff_role=staff_role, grid_code=code)[1]
    ]
    if created or added:
        audit_record(
            actor=actor,
            action=audit_events.STAFF_ROLE_ASSIGN,
            target=staff_role,
            changes={
                "staff": staff.pk,
                "role": role.code,
                "department": department.pk,
                "grids_added": added,
            },
        )
    return staff_role


@transaction.atomic(durable=True)
def staff_role_revoke(*, actor: Actor, staff_role: StaffRole) -> None:
    audit_record(
        actor=actor,
        action=audit_events.STAFF_ROLE_REVOKE,
        target=staff_role,
        changes={"staff": staff_role.staff_id, "role": staff_role.role_id},
    )
    staff_role.delete()


@transaction.atomic(durable=True)
def grid_scope_set(*, actor: Actor, staff_role: StaffRole, grid_codes: Iterable[str]) -> None:
    """Replace the grids a grid-scoped role covers."""
    if not staff_role.role.grid_scoped:
        raise ValidationFailed(
            _("该角色不按网格划分，不能指定网格。"), code="not_grid_scoped", field="grid_codes"
        )
    wanted = {code.strip() for code in grid_codes if code.strip()}
    current = set(staff_role.grids.values_list("grid_code", flat=True))
    staff_role.grids.exclude(grid_code__in=wanted).delete()
    for code in sorted(wanted - current):
        GridScope.objects.create(staff_role=staff_role, grid_code=code)
    if wanted != current:
        audit_record(
            actor=actor,
            action=audit_events.GRID_SCOPE_SET,
            target=staff_role,
            changes={"added": sorted(wanted - current), "removed": sorted(current - wanted)},
        )
