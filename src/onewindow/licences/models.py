"""Electronic licences (电子证照): types, signing keys, status lists and issued licences."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Algorithm(models.TextChoices):
    EDDSA = "EdDSA", "Ed25519"
    SM2 = "SM2", "SM2"


class LicenceType(models.Model):
    """A kind of licence; code and names come from ``catalog/vocabulary.yaml``."""

    code = models.SlugField(max_length=64, unique=True)
    name_zh = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(max_length=200, blank=True)
    algorithm = models.CharField(max_length=8, choices=Algorithm.choices, default=Algorithm.EDDSA)
    # From the catalogue (``catalog.packages.licence_outcome``): "none", an ISO 8601 period,
    # "granted" or {"by_age": …}; null when the vocabulary declares none.
    validity = models.JSONField(_("有效期规则"), null=True, blank=True)
    # The department that grants this type by law, when it is one (else the service's).
    issuer_code = models.CharField(_("发证部门编码"), max_length=64, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("证照类型")

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


class SigningKey(models.Model):
    """An issuer key. The private key is encrypted at rest; a retired key signs nothing new
    but stays published so that the licences it signed still verify."""

    kid = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=8, choices=Algorithm.choices)
    public_key = models.BinaryField()
    private_key_encrypted = models.TextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["algorithm"],
                condition=models.Q(active=True),
                name="licences_one_active_key_per_alg",
            )
        ]

    def __str__(self) -> str:
        return self.kid


class StatusList(models.Model):
    """A Bitstring Status List (revocation). Bit ``i`` set means the licence at index ``i``
    is revoked; index 0 is the most significant bit of the first byte."""

    SIZE = 131072  # bits: 16 KiB, the minimum the specification recommends for privacy

    name = models.SlugField(max_length=32, unique=True)
    bits = models.BinaryField()
    next_index = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name

    def is_set(self, index: int) -> bool:
        data = bytes(self.bits)
        return bool(data[index // 8] & (0x80 >> (index % 8)))


class Licence(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        REVOKED = "revoked", _("已撤销")

    credential_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("证照编号"), max_length=32, unique=True)
    licence_type = models.ForeignKey(LicenceType, on_delete=models.PROTECT, related_name="+")
    holder_person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    holder_company = models.ForeignKey(
        "identity.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    # The issuing department (发证部门): its staff may revoke the licence. Set at issue time
    # (from the case's service unless given), so a later change of the service's department
    # does not move the licence.
    department = models.ForeignKey(
        "identity.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发证部门"),
    )
    # The issuing authority's name as signed (``issuer.name`` of the credential); blank on
    # licences issued before it was recorded, which were signed with the platform's name.
    issuer_name = models.CharField(_("发证机关"), max_length=100, blank=True)
    issue_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    claims = models.JSONField(default=dict)
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)
    kid = models.CharField(max_length=64)
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_index = models.PositiveIntegerField()
    jws = models.TextField()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("电子证照")
        permissions = [
            ("revoke_licence", "May revoke licences issued by their department (audited)"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="licences_one_licence_per_bit"
            ),
            models.CheckConstraint(
                condition=models.Q(holder_person__isnull=False)
                | models.Q(holder_company__isnull=False),
                name="licences_has_holder",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def state(self) -> str:
        """What a person is told: "revoked", "expired" (past its last valid day) or
        "valid". The public verification (signature, status list) stays in
        ``verification``."""
        from django.utils import timezone

        if self.status == self.Status.REVOKED:
            return "revoked"
        if self.valid_until is not None and self.valid_until < timezone.now():
            return "expired"
        return "valid"
