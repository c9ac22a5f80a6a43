"""The rating form as the pages show it: one radio group of the five levels per dimension of
the subject's channel (overall first), the reasons of a bad rating, the resident's words —
and what a posted form says, for ``rating_submit``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from onewindow.ratings.models import Dimension, Reason
from onewindow.ratings.rules import LEVELS, TEXT_MAX, dimensions_for, is_bad


@dataclass
class Choice:
    value: str
    label: str
    checked: bool
    bad: bool = False


@dataclass
class Group:
    name: str  # the form field: d_<dimension>
    key: str  # the dimension
    label: str
    choices: list[Choice]
    error: str = ""


@dataclass
class RatingForm:
    groups: list[Group]
    reasons: list[Choice]
    text: str = ""
    text_max: int = TEXT_MAX
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def reasons_error(self) -> str:
        return self.errors.get("reasons", "")

    @property
    def text_error(self) -> str:
        return self.errors.get("text", "")


def _field(dimension: str) -> str:
    return f"d_{dimension}"


def posted(data: QueryDict, *, channel: str) -> dict[str, Any]:
    """The keyword arguments of ``rating_submit`` a posted form gives."""
    dimensions = {
        d.value: data.get(_field(d.value), "")
        for d in dimensions_for(channel)
        if data.get(_field(d.value), "")
    }
    return {
        "level": data.get(_field(Dimension.OVERALL), ""),
        "dimensions": dimensions,
        "reasons": data.getlist("reasons"),
        "text": data.get("text", ""),
    }


def rating_form(
    *, channel: str, data: QueryDict | None = None, errors: Mapping[str, str] | None = None
) -> RatingForm:
    """The form, empty (nothing preselected) or as posted, with the errors by field
    (``level``, ``dimensions.<name>``, ``reasons``, ``text``)."""
    errors = dict(errors or {})
    groups = []
    for dimension in dimensions_for(channel):
        name = _field(dimension.value)
        chosen = data.get(name, "") if data is not None else ""
        error = errors.get(f"dimensions.{dimension.value}", "")
        if dimension == Dimension.OVERALL:
            error = errors.get("level", "") or error
        groups.append(
            Group(
                name=name,
                key=dimension.value,
                label=str(dimension.label),
                choices=[
                    Choice(
                        value=str(level.value),
                        label=str(level.label),
                        checked=chosen == str(level.value),
                        bad=is_bad(level.value),
                    )
                    for level in LEVELS
                ],
                error=error,
            )
        )
    picked = set(data.getlist("reasons")) if data is not None else set()
    reasons = [Choice(value=r.value, label=str(r.label), checked=r.value in picked) for r in Reason]
    text = data.get("text", "") if data is not None else ""
    return RatingForm(groups=groups, reasons=reasons, text=text, errors=errors)
