from django import forms

from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.core.forms import apply_errors


class _Form(forms.Form):
    name = forms.CharField(required=False)


def test_apply_errors_puts_field_errors_on_their_field_and_the_rest_on_the_form():
    form = _Form(data={"name": "x"})
    assert form.is_valid()
    exc = ValidationFailed(
        errors=[
            FieldError(code="invalid", message="bad name", field="name"),
            FieldError(code="invalid", message="no such field", field="other"),
            FieldError(code="invalid", message="whole form", field=None),
        ]
    )
    apply_errors(form, exc)
    assert form.errors["name"] == ["bad name"]
    assert form.non_field_errors() == ["no such field", "whole form"]
