"""Forms of the hotline pages: they collect the values; the services check them and name each
wrong field (``errors_apply``)."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError
from onewindow.core.regions import region_names
from onewindow.interaction.models import Kind, Urgency
from onewindow.interaction.selectors import category_choices
from onewindow.interaction.services import Contact, Filing, Location, Upload
from onewindow.interaction.services.intake import MAX_ATTACHMENTS

# the service's field names that the forms show under another one
FIELD_ALIASES = {"category": "category_code"}


def client_key_new() -> str:
    """A fresh key for one rendering of a filing form."""
    return secrets.token_urlsafe(24)


def client_key_for(user: Any, raw: str) -> str:
    """The stored submission key: the form's (or API caller's) key, bound to the account, so
    one account's key never answers with another's request."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    owner = getattr(user, "pk", None) or "anonymous"
    return hashlib.sha256(f"{owner}:{raw}".encode()).hexdigest()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


def _optional_decimal(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": _("请填写数字。")},
    )


class DescribeForm(forms.Form):
    """What the problem is and where: the first step (checked against the knowledge base and
    open requests nearby before anything is filed)."""

    kind = forms.CharField(label=_("诉求类型"), required=False, widget=forms.Select)
    category_code = forms.CharField(label=_("问题分类"), required=False, widget=forms.Select)
    region_code = forms.CharField(label=_("所在区"), required=False, widget=forms.Select)
    street_code = forms.CharField(
        label=_("街道代码（选填）"),
        required=False,
        max_length=9,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    community_code = forms.CharField(
        label=_("社区代码（选填）"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    content = forms.CharField(
        label=_("诉求内容"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请写明时间、地点和具体问题，至少 5 个字。"),
    )
    client_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices()

    def _choices(self) -> None:
        # the choices are offered, not enforced here: the service checks each value and
        # says what is wrong with it at its field
        please = ("", _("请选择"))
        self._offer("kind", [please, *Kind.choices])
        self._offer("category_code", [("", _("不确定，由工作人员分类")), *category_choices()])
        self._offer("region_code", [please, *region_names().items()])

    def _offer(self, name: str, choices: list[Any]) -> None:
        widget = self.fields[name].widget
        assert isinstance(widget, forms.Select)
        widget.choices = choices

    def value(self, name: str) -> str:
        """The field's value as the requester gave it (cleaned when it validated)."""
        if self.is_bound:
            cleaned = getattr(self, "cleaned_data", {})
            if name in cleaned:
                return str(cleaned[name] if cleaned[name] is not None else "")
            return str(self.data.get(name, ""))
        value = self.initial.get(name, "")
        return str(value if value is not None else "")


class FilingForm(DescribeForm):
    """The whole filing: the first step's fields and where exactly, photos, and how the
    requester wants to be treated."""

    title = forms.CharField(label=_("标题（选填）"), required=False, max_length=100)
    address = forms.CharField(
        label=_("详细地址"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        help_text=_("例如：天河区天河路 123 号东门"),
    )
    latitude = _optional_decimal(_("纬度"))
    longitude = _optional_decimal(_("经度"))
    attachments = MultipleFileField(
        label=_("照片或文件（选填）"),
        required=False,
        help_text=_("最多 %(n)s 个 JPG、PNG 或 PDF 文件，每个不超过 10 MB。")
        % {"n": MAX_ATTACHMENTS},
    )
    anonymous = forms.BooleanField(
        label=_("匿名提交"),
        required=False,
        help_text=_("匿名提交的诉求不会留下您的姓名和电话，办理结果也不会通过短信或站内信告诉您。"),
    )
    confidential = forms.BooleanField(
        label=_("对承办部门保密"),
        required=False,
        help_text=_("承办部门看不到您的姓名和电话，由热线工作人员转达。"),
    )
    case_number = forms.CharField(
        label=_("涉及办件编号（选填）"),
        required=False,
        max_length=32,
        help_text=_("投诉某个办件时填写，例如办件回执上的编号。"),
    )


class ConsoleForm(FilingForm):
    """The operator's form while on the phone: the caller's words, the caller, and either
    the answer given at once or the registration for dispatch."""

    contact_name = forms.CharField(label=_("来电人姓名"), required=False, max_length=64)
    contact_phone = forms.CharField(
        label=_("来电号码"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False, choices=Urgency.choices)
    query = forms.CharField(label=_("知识库检索"), required=False, max_length=200)
    answer = forms.CharField(
        label=_("答复内容"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("直接答复咨询或求助时填写；可选用知识库中的回答后修改。"),
    )
    article_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("attachments", "title"):
            self.fields.pop(name)


class ArticleForm(forms.Form):
    department_id = forms.TypedChoiceField(
        label=_("所属部门"),
        coerce=int,
        error_messages={
            "required": _("请选择所属部门。"),
            "invalid_choice": _("请选择所属部门。"),
        },
    )
    title = forms.CharField(label=_("问题"), required=False, max_length=200)
    answer = forms.CharField(
        label=_("答复"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    category_code = forms.ChoiceField(label=_("问题分类"), required=False)
    keywords = forms.CharField(
        label=_("关键词（选填）"),
        required=False,
        max_length=200,
        help_text=_("用空格分开，例如：公积金 提取 租房"),
    )
    published = forms.BooleanField(label=_("公开给居民查询"), required=False, initial=True)
    valid_until = forms.DateField(
        label=_("有效期至（选填）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请填写有效的日期。")},
    )

    def __init__(self, *args: Any, departments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = self.fields["department_id"]
        assert isinstance(department, forms.TypedChoiceField)
        department.choices = (
            [("", _("请选择")), *departments] if len(departments) != 1 else departments
        )
        category = self.fields["category_code"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [("", _("不分类")), *category_choices()]


def errors_apply(form: forms.Form, exc: ApplicationError, *, files: list[Any] = ()) -> None:  # type: ignore[assignment]
    """Put a service's field errors on the form's fields: ``attachments.2`` on the
    attachments (naming the file), ``category`` on the category select; anything else the
    form does not show on the form itself."""
    for error in exc.errors or ():
        field = FIELD_ALIASES.get(error.field or "", error.field or "")
        message = str(error.message)
        if field.startswith("attachments."):
            index = int(field.split(".", 1)[1]) if field.split(".", 1)[1].isdigit() else -1
            if 0 <= index < len(files):
                message = f"{files[index].name}：{message}"
            field = "attachments"
        if field == "join_number":
            field = ""
        form.add_error(field if field in form.fields else None, message)


def filing_from(data: dict[str, Any], *, uploads: list[Any] = (), client_key: str = "") -> Filing:  # type: ignore[assignment]
    """The service's filing from a form's cleaned data."""
    latitude: Decimal | None = data.get("latitude")
    longitude: Decimal | None = data.get("longitude")
    return Filing(
        kind=data.get("kind") or "",
        content=data.get("content") or "",
        title=data.get("title") or "",
        category_code=data.get("category_code") or "",
        urgency=data.get("urgency") or Urgency.NORMAL,
        location=Location(
            region_code=data.get("region_code") or "",
            street_code=data.get("street_code") or "",
            community_code=data.get("community_code") or "",
            address=data.get("address") or "",
            latitude=latitude,
            longitude=longitude,
        ),
        contact=Contact(name=data.get("contact_name") or "", phone=data.get("contact_phone") or ""),
        anonymous=bool(data.get("anonymous")),
        confidential=bool(data.get("confidential")),
        case_number=data.get("case_number") or "",
        attachments=[Upload(name=f.name or "", content=f.read()) for f in uploads],
        client_key=client_key,
    )
