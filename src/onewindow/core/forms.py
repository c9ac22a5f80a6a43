"""Form helpers shared by every app's HTML views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from onewindow.core.errors import ApplicationError


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's field errors back on the form (unknown fields: on the form itself)."""
    for error in exc.errors:
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error.message))


def form_attempt(form: forms.Form, move: Callable[[dict[str, Any]], object]) -> bool:
    """Run a use case with the form's cleaned data: True when it went through; on refusal the
    service's errors are on the form (at their fields where it has them) and it is False."""
    if not form.is_valid():
        return False
    try:
        move(form.cleaned_data)
    except ApplicationError as exc:
        apply_errors(form, exc)
        if not form.errors:
            form.add_error(None, str(exc.message))
        return False
    return True
