"""Names of the administrative divisions (GB/T 2260) a page or a message shows for a
region code: the districts of the city the platform serves. A city other than Guangzhou
sets ``REGION_NAMES`` (code → name) in its settings."""

from __future__ import annotations

from django.conf import settings

# GB/T 2260: the districts of Guangzhou.
GUANGZHOU_DISTRICTS: dict[str, str] = {
    "440103": "荔湾区",
    "440104": "越秀区",
    "440105": "海珠区",
    "440106": "天河区",
    "440111": "白云区",
    "440112": "黄埔区",
    "440113": "番禺区",
    "440114": "花都区",
    "440115": "南沙区",
    "440117": "从化区",
    "440118": "增城区",
}


def region_names() -> dict[str, str]:
    return dict(getattr(settings, "REGION_NAMES", None) or GUANGZHOU_DISTRICTS)


def region_name(code: str, default: str | None = None) -> str:
    """The district of a region code (its first six digits); ``default`` (the code itself
    when not given) for a code the table does not know."""
    name = region_names().get((code or "")[:6])
    if name is not None:
        return name
    return code if default is None else default
