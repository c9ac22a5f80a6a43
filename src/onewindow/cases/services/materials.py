"""Materials (申请材料): what a service asks for, uploads checked by their content (magic
bytes, never the browser's content type), stored under a random name."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, audit_record
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services._common import (
    CaseFinished,
    CaseNotFound,
    actor_for,
    event,
    lock_case,
    save_case,
)
from onewindow.core.errors import ValidationFailed

DEFAULT_ACCEPT = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_MAX_MB = 10
HARD_MAX_MB = 50
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
TYPE_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}


@dataclass(frozen=True)
class MaterialSpec:
    code: str
    name: str
    name_en: str
    source: str
    required: bool
    accept: tuple[str, ...]
    max_mb: int
    resource: str = ""
    licence_type: str = ""

    @property
    def accept_label(self) -> str:
        return "、".join(TYPE_LABELS.get(t, t) for t in self.accept)


def material_specs(definition: dict[str, Any]) -> list[MaterialSpec]:
    out = []
    for item in (definition or {}).get("materials") or []:
        name = item.get("name") or {}
        if isinstance(name, str):
            name = {"zh": name}
        out.append(
            MaterialSpec(
                code=str(item.get("code", "")),
                name=str(name.get("zh") or item.get("code", "")),
                name_en=str(name.get("en") or ""),
                source=str(item.get("source") or "upload"),
                required=bool(item.get("required", item.get("source", "upload") == "upload")),
                accept=tuple(item.get("accept") or DEFAULT_ACCEPT),
                max_mb=min(int(item.get("max_mb") or DEFAULT_MAX_MB), HARD_MAX_MB),
                resource=str(item.get("resource") or ""),
                licence_type=str(item.get("licence_type") or ""),
            )
        )
    return out


def sniff_content_type(head: bytes) -> str | None:
    """The file's real type from its first bytes."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _spec(case: Case, code: str) -> MaterialSpec:
    for spec in material_specs(case.service_version.definition):
        if spec.code == code:
            return spec
    raise ValidationFailed(_("该事项没有这项材料。"), code="unknown_material", field="material")


def _read_checked(spec: MaterialSpec, upload: IO[bytes], *, size: int | None) -> tuple[bytes, str]:
    field = f"material.{spec.code}"
    if spec.source != "upload" and spec.source != "licence":
        raise ValidationFailed(
            _("该材料由部门共享获取，无需提交。"), code="not_uploadable", field=field
        )
    limit = spec.max_mb * 1024 * 1024
    if size is not None and size > limit:
        raise ValidationFailed(
            _("文件过大：%(name)s 不能超过 %(mb)s MB。") % {"name": spec.name, "mb": spec.max_mb},
            code="too_large",
            field=field,
        )
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationFailed(
            _("文件过大：%(name)s 不能超过 %(mb)s MB。") % {"name": spec.name, "mb": spec.max_mb},
            code="too_large",
            field=field,
        )
    if not content:
        raise ValidationFailed(_("文件是空的。"), code="empty", field=field)
    kind = sniff_content_type(content[:16])
    if kind is None or kind not in spec.accept:
        raise ValidationFailed(
            _("文件类型不符：%(name)s 只接受 %(types)s 文件。")
            % {"name": spec.name, "types": spec.accept_label},
            code="bad_type",
            field=field,
        )
    return content, kind


@transaction.atomic
def case_material_attach(
    *,
    user: Any,
    case_id: int,
    code: str,
    upload: IO[bytes],
    filename: str = "",
    size: int | None = None,
    actor: Actor | None = None,
) -> CaseMaterial:
    """Attach (or replace) one uploaded material of a draft, or of a case waiting for
    supplements."""
    case = lock_case(case_id)
    if case.created_by_id != user.pk:
        raise CaseNotFound()
    if case.status not in {Case.Status.DRAFT, Case.Status.SUPPLEMENT}:
        raise CaseFinished()
    spec = _spec(case, code)
    content, kind = _read_checked(spec, upload, size=size)
    now = timezone.now()
    name = f"cases/{now:%Y/%m}/{secrets.token_hex(16)}{EXTENSIONS[kind]}"
    stored = default_storage.save(name, ContentFile(content))
    if case.status == Case.Status.DRAFT:
        old = list(case.materials.filter(code=code, superseded=False))
        stale = [item.file for item in old if item.file]
        if stale:
            transaction.on_commit(lambda: _delete_files(stale))
        case.materials.filter(pk__in=[m.pk for m in old]).delete()
    else:
        case.materials.filter(code=code, superseded=False).update(superseded=True)
    material = CaseMaterial.objects.create(
        case=case,
        code=code,
        name=spec.name,
        source=CaseMaterial.Source.UPLOAD,
        file=stored,
        original_name=(filename or "")[-200:],
        content_type=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )
    if case.status == Case.Status.SUPPLEMENT:
        event(case, "material_supplemented", user=user, message=spec.name)
    case.submit_token = secrets.token_urlsafe(24)
    save_case(case, "submit_token")
    audit_record(
        actor=actor_for(user, actor),
        action="cases.material.attach",
        target=material,
        changes={"case": case.pk, "code": code, "size": len(content), "type": kind},
    )
    return material


@transaction.atomic
def case_material_remove(
    *, user: Any, case_id: int, material_id: int, actor: Actor | None = None
) -> None:
    case = lock_case(case_id)
    if case.created_by_id != user.pk:
        raise CaseNotFound()
    if case.status != Case.Status.DRAFT:
        raise CaseFinished()
    material = case.materials.filter(pk=material_id).first()
    if material is None:
        raise CaseNotFound()
    stored = material.file
    material.delete()
    if stored:
        transaction.on_commit(lambda: default_storage.delete(stored))
    case.submit_token = secrets.token_urlsafe(24)
    save_case(case, "submit_token")
    audit_record(
        actor=actor_for(user, actor),
        action="cases.material.remove",
        target=case,
        changes={"material": material_id},
    )


def missing_materials(case: Case, *, specs: list[MaterialSpec] | None = None) -> list[MaterialSpec]:
    """Required uploads the case has no current file for (exchange materials come from the
    departments; licence materials may be uploaded until the licence wallet exists)."""
    if specs is None:
        specs = material_specs(case.service_version.definition)
    required = [spec for spec in specs if spec.required and spec.source == "upload"]
    if not required:
        return []
    have = set(case.materials.filter(superseded=False).values_list("code", flat=True))
    return [spec for spec in required if spec.code not in have]
