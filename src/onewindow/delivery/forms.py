"""Forms of the delivery pages. They only collect the values and say what is missing; the
services check them (phone, GB/T 2260 region, lengths) and name each wrong field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.core.numbers import AsciiIntegerField
from onewindow.delivery.regions import region_choices


def _required(message: Any) -> dict[str, Any]:
    return {"required": message}


class RegionField(forms.ChoiceField):
    """A select of the city's districts; any other code is checked by the services against
    the whole GB/T 2260 list (so an address elsewhere is still possible over the API)."""

    def valid_value(self, value: Any) -> bool:
        return True


class DestinationForm(forms.Form):
    """Recipient, mobile, district and street address (address book entry, corrected
    address, re-shipment)."""

    recipient = forms.CharField(
        label=_("收件人"), max_length=64, error_messages=_required(_("请填写收件人。"))
    )
    phone = forms.CharField(
        label=_("手机号码"), max_length=20, error_messages=_required(_("请填写手机号码。"))
    )
    region_code = RegionField(label=_("所在地区"), required=False)
    detail = forms.CharField(
        label=_("详细地址"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_required(_("请填写详细地址（街道、门牌号）。")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = region_choices()
        initial = self.initial.get("region_code") or (
            self.data.get("region_code") if self.data else ""
        )
        if initial and initial not in {code for code, _name in choices}:
            from onewindow.delivery.regions import region_get

            region = region_get(str(initial))
            if region is not None:
                choices = [(region.code, region.name), *choices]
        field = self.fields["region_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("请选择")), *choices]

    def check_with(self, check: Any) -> None:
        """After ``is_valid()`` failed: run the service's checks on the raw values too, so
        every wrong field is marked at once, not only the empty ones."""
        from onewindow.core.errors import ValidationFailed

        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return
        values = {name: str(self.data.get(name, "")) for name in self.fields}
        try:
            check(
                recipient=values["recipient"],
                phone=values["phone"],
                detail=values["detail"],
                region_code=values["region_code"],
            )
        except ValidationFailed as exc:
            for error in exc.errors:
                if error.field in self.fields and error.field not in self.errors:
                    self.add_error(error.field, str(error.message))


class AddressForm(DestinationForm):
    is_default = forms.BooleanField(label=_("设为默认地址"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region_code"]
        region.required = True  # an address book entry always has its district
        region.error_messages["required"] = _("请选择所在地区。")


class CorrectionForm(DestinationForm):
    from_book = AsciiIntegerField(required=False, widget=forms.HiddenInput)


class PickupForm(forms.Form):
    address = forms.TypedChoiceField(
        label=_("取件地址"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择取件地址。"),
            "invalid_choice": _("请选择取件地址。"),
        },
    )
    window = forms.ChoiceField(
        label=_("上门时间"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择可预约的取件时间。"),
            "invalid_choice": _("请选择可预约的取件时间。"),
        },
    )

    def __init__(
        self,
        *args: Any,
        addresses: list[tuple[int, str]],
        windows: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].choices = addresses  # type: ignore[attr-defined]
        self.fields["window"].choices = windows  # type: ignore[attr-defined]
