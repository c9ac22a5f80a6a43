"""Who is who: accounts, natural persons, legal persons, departments, staff and roles."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.fields import EncryptedTextField
from onewindow.core.masking import mask_citizen_id, mask_name, mask_phone


class User(AbstractUser):
    """A login account. Residents log in by phone + SMS code and have no usable password;
    staff and operators log in by password + TOTP; machine clients use bearer tokens."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("居民")
        STAFF = "staff", _("工作人员")
        OPERATOR = "operator", _("平台运维")
        MACHINE = "machine", _("系统")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.RESIDENT)
    display_name = models.CharField(max_length=100, blank=True)

    class Meta:
        permissions = [
            ("view_pii", "May see unmasked ID and phone numbers (audited, with purpose)"),
            ("operate_platform", "Platform operator: services, SMS outbox, audit"),
            ("verify_in_person", "May confirm a person's identity face to face (level 3)"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class AssuranceLevel(models.IntegerChoices):
    PHONE = 1, _("手机验证")
    REAL_NAME = 2, _("实名核验")
    IN_PERSON = 3, _("窗口面核")


class Person(models.Model):
    """A natural person (自然人). ID and phone are encrypted; look-ups use blind indexes."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")
        UNKNOWN = "", _("未知")

    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    id_number = EncryptedTextField(_("身份证号码"), blank=True)
    id_number_bidx = models.CharField(max_length=64, null=True, blank=True, unique=True)
    phone = EncryptedTextField(_("手机号码"), blank=True)
    phone_bidx = models.CharField(max_length=64, null=True, blank=True, unique=True)
    birth_date = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, blank=True)
    region_code = models.CharField(max_length=6, blank=True, db_index=True)
    # The last day the resident ID card is valid (有效期限), as public security reports it;
    # None when unknown (or valid for life).
    id_card_valid_until = models.DateField(_("身份证有效期至"), null=True, blank=True)
    assurance = models.PositiveSmallIntegerField(
        choices=AssuranceLevel.choices, default=AssuranceLevel.PHONE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_citizen_id(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def age(self) -> int | None:
        if not self.birth_date:
            return None
        today = datetime.date.today()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class Company(models.Model):
    """A legal person (法人): a company or other organisation with a USCC."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    legal_representative = models.CharField(_("法定代表人"), max_length=64)
    region_code = models.CharField(max_length=6, blank=True, db_index=True)
    address = models.CharField(max_length=255, blank=True)
    established = models.DateField(null=True, blank=True)
    # The establishment application (企业设立登记) whose approval created the company: one
    # company per case, so a retried approval finds the company it created the first time.
    established_by_case = models.CharField(max_length=32, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("法人")
        verbose_name_plural = _("法人")

    def __str__(self) -> str:
        return self.name


class CompanyAgent(models.Model):
    """A person who may act for a company: its legal representative, or an agent (经办人) the
    legal representative authorised (法定代表人授权经办人).

    An agent's grant is ``pending`` until the agent accepts it from their own account; it is
    in force while ``active`` and not past ``valid_until`` (the day it ends by itself), and
    ends at once when the legal representative revokes it (``revoked``). Only a grant in
    force lets the person start or act on the company's cases."""

    class Role(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_rep", _("法定代表人")
        AGENT = "agent", _("经办人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待经办人确认")
        ACTIVE = "active", _("有效")
        DECLINED = "declined", _("经办人已拒绝")
        REVOKED = "revoked", _("已撤销")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="agents")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="company_roles")
    role = models.CharField(max_length=16, choices=Role.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    valid_until = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="agent_grants"
    )
    granted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Declined or revoked.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "person"], name="uniq_company_agent")
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.company} ({self.role})"

    def in_force(self, on: datetime.date) -> bool:
        return self.status == self.Status.ACTIVE and (
            self.valid_until is None or self.valid_until >= on
        )

    def expired(self, on: datetime.date) -> bool:
        return self.valid_until is not None and self.valid_until < on


class Department(models.Model):
    """A government department or one of its offices, in a tree."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=150, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region_code = models.CharField(max_length=6, help_text="GB/T 2260")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Department]:
        chain: list[Department] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Role(models.Model):
    """A role such as window clerk, approver, department admin, community worker, operator.
    Its Django permissions say what it may do; a StaffRole says where."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=150, blank=True)
    permissions = models.ManyToManyField("auth.Permission", blank=True)
    grid_scoped = models.BooleanField(
        default=False, help_text="Community roles act only within their assigned grids."
    )

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="staff")
    title = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


class StaffRole(models.Model):
    """A role held by a staff member in a department (defaults to their own)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="holders")
    department = models.ForeignKey(Department, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "role", "department"], name="uniq_staff_role")
        ]

    def __str__(self) -> str:
        return f"{self.staff} as {self.role}"


class GridScope(models.Model):
    """A grid (网格) a community worker's role covers. Grids themselves live in the community
    app; here a grid is its code (GB/T 2260 street code + grid number)."""

    staff_role = models.ForeignKey(StaffRole, on_delete=models.CASCADE, related_name="grids")
    grid_code = models.CharField(max_length=32, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff_role", "grid_code"], name="uniq_grid_scope")
        ]

    def __str__(self) -> str:
        return self.grid_code


class ApiToken(models.Model):
    """A bearer token for a machine client (a department system). Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SmsLoginCode(models.Model):
    """A one-time login code sent to a phone. Only an HMAC of the code is stored; the phone
    and client IP are stored as blind indexes (enough to count sends, useless to read)."""

    phone_bidx = models.CharField(max_length=64, db_index=True)
    ip_bidx = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone_bidx", "created_at"])]

    def __str__(self) -> str:
        return f"sms code {self.pk}"


class LoginLockout(models.Model):
    """A username's staff-login lockouts in a row (identity.lockout; django-axes counts the
    failures, per username from any address). The n-th lasts AXES_COOLOFF_TIME × 2^(n-1), at
    most LOCKOUT_MAX_COOLOFF; a successful login, or a day without one, starts again at one."""

    username = models.CharField(max_length=150, unique=True)
    streak = models.PositiveIntegerField(default=1)
    locked_at = models.DateTimeField()
    locked_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.username} locked until {self.locked_until:%Y-%m-%d %H:%M}"
