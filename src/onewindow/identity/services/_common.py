"""Helpers shared by the identity services."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError, FieldError, ValidationFailed

P = ParamSpec("P")
T = TypeVar("T")

_NAME_BAD = re.compile(r"[\d\x00-\x1f<>{}\[\]@#$%^&*=+|\\/:;\"!?？！]")


def normalize_person_name(value: str, *, field: str = "name") -> str:
    name = re.sub(r"\s+", " ", (value or "").strip()).replace("•", "·")
    if not name:
        raise ValidationFailed(_("请填写姓名。"), code="required", field=field)
    if len(name) > 64:
        raise ValidationFailed(_("姓名不能超过64个字符。"), code="too_long", field=field)
    if _NAME_BAD.search(name):
        raise ValidationFailed(_("姓名中含有不允许的字符。"), code="name_chars", field=field)
    return name


class Collector:
    """Gather field errors from several validations and raise them together."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def check(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        try:
            return func(*args, **kwargs)
        except ApplicationError as exc:
            self.errors.extend(exc.errors)
            return None

    def add(self, message: str | Promise, *, code: str, field: str | None) -> None:
        self.errors.append(FieldError(code=code, message=message, field=field))

    def raise_if_any(self) -> None:
        if self.errors:
            first = self.errors[0]
            raise ValidationFailed(
                first.message, code=first.code, field=first.field, errors=list(self.errors)
            )
