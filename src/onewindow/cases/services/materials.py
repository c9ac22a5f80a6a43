"""Materials (申请材料): what a service asks for, uploads checked by their content (magic
bytes, never the browser's content type), stored under a random name; a material of source
``licence`` may instead reference one of the applicant's electronic licences (电子证照免提交),
checked when chosen and again at submission."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import Actor, AuditEntry, audit_record
from onewindow.cases import audit_events
from onewindow.cases.forms import question_label
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services._common import (
    CaseFinished,
    CaseNotFound,
    actor_for,
    event,
    lock_case,
    own_case,
    save_case,
)
from onewindow.core.errors import Conflict, FieldError, ValidationFailed
from onewindow.core.files import EXTENSIONS, TYPE_LABELS, sniff_content_type
from onewindow.licences.selectors import licence_related

if TYPE_CHECKING:
    from onewindow.identity.models import User

DEFAULT_ACCEPT = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_MAX_MB = 10
HARD_MAX_MB = 50


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
    # (form field, licence claim): answers that must say what the chosen licence says
    form_fields: tuple[tuple[str, str], ...] = ()

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
                form_fields=tuple(
                    (str(k), str(v)) for k, v in (item.get("form_fields") or {}).items()
                ),
            )
        )
    return out


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


def _replace_material(case: Case, *, spec: MaterialSpec, user: User, **fields: Any) -> CaseMaterial:
    """The case's current material for ``spec`` becomes this one: a draft's previous one is
    deleted (its file after the commit), a supplemented case keeps it as superseded. The
    check-your-answers token changes with it."""
    old = list(case.materials.filter(code=spec.code, superseded=False))
    if case.status == Case.Status.DRAFT:
        stale = [item.file for item in old if item.file]
        if stale:
            transaction.on_commit(lambda: _delete_files(stale))
        case.materials.filter(pk__in=[m.pk for m in old]).delete()
    else:
        case.materials.filter(pk__in=[m.pk for m in old]).update(superseded=True)
    material = CaseMaterial.objects.create(
        case=case, code=spec.code, name=spec.name, uploaded_by=user, **fields
    )
    if case.status == Case.Status.SUPPLEMENT:
        supplemented = _("补交了材料：%(name)s") % {"name": spec.name}
        event(case, "material_supplemented", user=user, message=supplemented)
    case.submit_token = secrets.token_urlsafe(24)
    save_case(case, "submit_token")
    return material


@transaction.atomic(durable=True)
def case_material_attach(
    *,
    user: User,
    case_id: int,
    code: str,
    upload: IO[bytes],
    filename: str = "",
    size: int | None = None,
    actor: Actor | None = None,
) -> CaseMaterial:
    """Attach (or replace) one uploaded material of a draft, or of a case waiting for
    supplements."""
    material, audit = material_attach_step(
        user=user, case_id=case_id, code=code, upload=upload, filename=filename, size=size
    )
    audit.record(actor=actor_for(user, actor))
    return material


def material_attach_step(
    *,
    user: User,
    case_id: int,
    code: str,
    upload: IO[bytes],
    filename: str = "",
    size: int | None = None,
) -> tuple[CaseMaterial, AuditEntry]:
    """:func:`case_material_attach` in the caller's transaction, without its audit row: the
    material and what its row says (the API's one-call submission puts it in its own)."""
    case = lock_case(case_id)
    own_case(case, user)
    if case.status not in {Case.Status.DRAFT, Case.Status.SUPPLEMENT}:
        raise CaseFinished()
    spec = _spec(case, code)
    content, kind = _read_checked(spec, upload, size=size)
    now = timezone.now()
    name = f"cases/{now:%Y/%m}/{secrets.token_hex(16)}{EXTENSIONS[kind]}"
    stored = default_storage.save(name, ContentFile(content))
    material = _replace_material(
        case,
        spec=spec,
        user=user,
        source=CaseMaterial.Source.UPLOAD,
        file=stored,
        original_name=(filename or "")[-200:],
        content_type=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    return material, AuditEntry(
        action=audit_events.MATERIAL_ATTACH,
        target=material,
        changes={"case": case.pk, "code": code, "size": len(content), "type": kind},
    )


@transaction.atomic(durable=True)
def case_material_remove(
    *, user: User, case_id: int, material_id: int, actor: Actor | None = None
) -> None:
    case = lock_case(case_id)
    own_case(case, user)
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
        action=audit_events.MATERIAL_REMOVE,
        target=case,
        changes={"material": material_id},
    )


def missing_materials(case: Case, *, specs: list[MaterialSpec] | None = None) -> list[MaterialSpec]:
    """Required materials the case has nothing current for: an upload needs a file, a licence
    material a chosen licence or an uploaded scan (exchange materials come from the
    departments)."""
    if specs is None:
        specs = material_specs(case.service_version.definition)
    required = [spec for spec in specs if spec.required and spec.source in {"upload", "licence"}]
    if not required:
        return []
    if case.pk is None:  # not inserted yet: nothing attached
        return required
    have = set(case.materials.filter(superseded=False).values_list("code", flat=True))
    return [spec for spec in required if spec.code not in have]


LICENCE_CONTENT_TYPE = "application/vc+jwt"


class MaterialsLocked(Conflict):
    code = "materials_locked"

    def __init__(self) -> None:
        super().__init__(_("只有草稿或待补正的办件可以更改材料。"))


def _licence_problem(verification: Any) -> tuple[str, Any] | None:
    """(code, message) when a licence may not serve as a material, else None."""
    from onewindow.licences.verification import ALTERED, VALID

    if verification.result == VALID:
        return None
    if "expired" in verification.reasons:
        return "licence_expired", _("该电子证照已过有效期，不能作为申请材料。")
    if verification.result == ALTERED:
        return "licence_altered", _("该电子证照未通过验证，不能作为申请材料。")
    return "licence_revoked", _("该电子证照已被撤销，不能作为申请材料。")


@transaction.atomic(durable=True)
def case_material_use_licence(
    *,
    user: User,
    case_id: int,
    code: str,
    licence_id: int,
    actor: Actor | None = None,
) -> CaseMaterial:
    """Present one of the applicant's licences for a material of source ``licence`` (of a
    draft, or of a case waiting for supplements) instead of uploading a scan. The licence
    must be the applicant's own (the company's, for an enterprise case), of the material's
    type and valid now (signature, status list, expiry)."""
    material, audit = material_use_licence_step(
        user=user, case_id=case_id, code=code, licence_id=licence_id
    )
    audit.record(actor=actor_for(user, actor))
    return material


def material_use_licence_step(
    *, user: User, case_id: int, code: str, licence_id: int
) -> tuple[CaseMaterial, AuditEntry]:
    """:func:`case_material_use_licence` in the caller's transaction, without its audit row:
    the material and what its row says (the API's one-call submission puts it in its own)."""
    from onewindow.licences.selectors import licence_check, licence_of_applicant

    case = lock_case(case_id)
    own_case(case, user)
    if case.status not in {Case.Status.DRAFT, Case.Status.SUPPLEMENT}:
        raise MaterialsLocked()
    spec = _spec(case, code)
    field = f"material.{spec.code}"
    if spec.source != "licence" or not spec.licence_type:
        raise ValidationFailed(
            _("该材料不能使用电子证照。"), code="not_licence_material", field=field
        )
    licence = licence_of_applicant(
        licence_id=licence_id,
        person=case.applicant_person if case.applicant_company_id is None else None,
        company=case.applicant_company,
    )
    if licence is None:
        raise ValidationFailed(
            _("没有找到该电子证照，请从您的证照中选择。"), code="licence_not_found", field=field
        )
    if licence.licence_type.code != spec.licence_type:
        raise ValidationFailed(
            _("证照类型不符：%(name)s 需要使用相应类型的电子证照。") % {"name": spec.name},
            code="licence_wrong_type",
            field=field,
        )
    problem = _licence_problem(licence_check(licence=licence))
    if problem is not None:
        raise ValidationFailed(problem[1], code=problem[0], field=field)
    mismatched = form_field_errors(spec=spec, licence=licence, answers=case.form_data)
    if mismatched:  # said at the material being chosen: the answers were given before it
        schema = case.service_version.form_schema
        details = "；".join(
            f"「{question_label(schema, e.field or '')}」{e.message}" for e in mismatched
        )
        raise ValidationFailed(
            _("该证照与申请表中填写的内容不一致：%(details)s") % {"details": details},
            code="licence_mismatch",
            field=field,
        )
    material = _replace_material(
        case,
        spec=spec,
        user=user,
        source=CaseMaterial.Source.LICENCE,
        licence=licence,
        original_name=licence.number,
        content_type=LICENCE_CONTENT_TYPE,
        sha256=hashlib.sha256(licence.jws.encode()).hexdigest(),
    )
    return material, AuditEntry(
        action=audit_events.MATERIAL_USE_LICENCE,
        target=material,
        changes={
            "case": case.pk,
            "code": code,
            "licence_type": spec.licence_type,
            "licence": licence.number,
        },
    )


def material_errors(case: Case, *, specs: list[MaterialSpec] | None = None) -> list[FieldError]:
    """Every material problem of the case, each at its material: required materials with
    neither a file nor a chosen licence, and chosen licences that no longer serve."""
    if specs is None:
        specs = material_specs(case.service_version.definition)
    errors = [
        FieldError(
            code="required",
            message=_("请上传：%(name)s") % {"name": spec.name},
            field=f"material.{spec.code}",
        )
        for spec in missing_materials(case, specs=specs)
    ]
    errors.extend(licence_material_errors(case, specs=specs))  # revoked since it was chosen?
    return errors


def licence_material_errors(
    case: Case, *, specs: list[MaterialSpec] | None = None
) -> list[FieldError]:
    """Chosen licences that no longer serve (revoked, expired or altered since they were
    chosen, or a different credential than the one chosen): one error at each material.
    A service without licence materials costs no query."""
    from onewindow.licences.selectors import licence_check

    if specs is None:
        specs = material_specs(case.service_version.definition)
    if case.pk is None or not any(spec.source == "licence" for spec in specs):
        return []
    errors = []
    chosen = case.materials.filter(
        superseded=False, source=CaseMaterial.Source.LICENCE, licence__isnull=False
    ).select_related(*licence_related("licence"))  # licence_check reads nothing more
    for material in chosen:
        licence = material.licence
        assert licence is not None
        problem = _licence_problem(licence_check(licence=licence))
        if problem is None and material.sha256 != hashlib.sha256(licence.jws.encode()).hexdigest():
            problem = ("licence_altered", _("该电子证照未通过验证，不能作为申请材料。"))
        if problem is not None:
            errors.append(
                FieldError(
                    code=problem[0],
                    message=_("%(name)s：%(problem)s请重新选择有效的证照或上传扫描件。")
                    % {"name": material.name, "problem": problem[1]},
                    field=f"material.{material.code}",
                )
            )
            continue
        spec = next((x for x in specs if x.code == material.code), None)
        if spec is not None:
            errors.extend(form_field_errors(spec=spec, licence=licence, answers=case.form_data))
    return errors


def form_field_errors(
    spec: MaterialSpec, licence: Any, answers: dict[str, Any]
) -> list[FieldError]:
    """Answers the material's ``form_fields`` tie to the chosen licence that say something
    else than the licence does: one error at each such question. A licence without the claim
    is not compared; an empty answer is the form's own business (it is required or not)."""
    errors = []
    for field, claim in spec.form_fields:
        stated = (licence.claims or {}).get(claim)
        answer = str(answers.get(field) or "").strip()
        if stated is None or not answer or answer == str(stated).strip():
            continue
        errors.append(
            FieldError(
                code="licence_mismatch",
                message=_("与所选电子证照「%(name)s」上的 %(stated)s 不一致，请核对。")
                % {"name": spec.name, "stated": stated},
                field=field,
            )
        )
    return errors
