"""Form helpers shared by every app's HTML views."""

from __future__ import annotations

from django import forms

from onewindow.core.errors import ApplicationError


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's field errors back on the form (unknown fields: on the form itself)."""
    for error in exc.errors:
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error.message))
