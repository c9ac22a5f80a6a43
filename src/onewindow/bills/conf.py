"""Which bill providers the city has, and the sync's knobs; settings override the defaults.

``BILLS_PROVIDERS`` maps a provider code to ``{"name", "kind", "adapter", ...options}``;
``adapter`` is ``fake`` (the demo city's generated data), ``alipay_ebpp`` (Alipay's
electronic-bill query, water/electricity/gas) or ``openapi`` (the OneWindow bill-provider
interface, docs/bill-provider-openapi.yaml)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from onewindow.bills.providers.base import BillProvider

DEFAULT_PROVIDERS: dict[str, dict[str, Any]] = {
    "gz-water": {"name": "广州市自来水有限公司", "kind": "water", "adapter": "fake"},
    "gz-power": {"name": "广州供电局", "kind": "electricity", "adapter": "fake"},
    "gz-gas": {"name": "广州燃气集团", "kind": "gas", "adapter": "fake"},
    "gz-si": {"name": "广州市社会保险基金管理中心", "kind": "social_insurance", "adapter": "fake"},
    "gz-hf": {"name": "广州住房公积金管理中心", "kind": "housing_fund", "adapter": "fake"},
    "gd-mobile": {"name": "中国移动广东公司", "kind": "mobile", "adapter": "fake"},
}


@dataclass(frozen=True)
class ProviderInfo:
    code: str
    name: str
    kind: str
    adapter: str
    options: dict[str, Any]


def providers() -> dict[str, ProviderInfo]:
    table = getattr(settings, "BILLS_PROVIDERS", None) or DEFAULT_PROVIDERS
    return {
        code: ProviderInfo(
            code=code,
            name=str(entry["name"]),
            kind=str(entry["kind"]),
            adapter=str(entry.get("adapter", "fake")),
            options={k: v for k, v in entry.items() if k not in {"name", "kind", "adapter"}},
        )
        for code, entry in table.items()
    }


def provider_info(code: str) -> ProviderInfo | None:
    return providers().get(code)


def provider_name(code: str) -> str:
    info = provider_info(code)
    return info.name if info else code


def provider(code: str) -> BillProvider:
    """The adapter for ``code``. LookupError: no such provider here."""
    info = provider_info(code)
    if info is None:
        raise LookupError(code)
    if info.adapter == "fake":
        from onewindow.bills.providers.fake import FakeProvider

        return FakeProvider(
            code=code,
            kind=info.kind,
            delay=float(info.options.get("delay", setting("BILLS_FAKE_DELAY", 0.0))),
            fail=bool(info.options.get("fail")) or code in setting("BILLS_FAKE_FAILING", ()),
        )
    if info.adapter == "alipay_ebpp":
        from onewindow.bills.providers.alipay_ebpp import AlipayEbppProvider

        return AlipayEbppProvider.from_options(code=code, kind=info.kind, options=info.options)
    if info.adapter == "openapi":
        from onewindow.bills.providers.openapi import OpenApiProvider

        return OpenApiProvider.from_options(code=code, kind=info.kind, options=info.options)
    raise LookupError(code)


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def sync_interval() -> datetime.timedelta:
    return datetime.timedelta(seconds=float(setting("BILLS_SYNC_INTERVAL", 6 * 3600)))


def circuit_threshold() -> int:
    return int(setting("BILLS_CIRCUIT_THRESHOLD", 5))


def circuit_cooloff() -> datetime.timedelta:
    return datetime.timedelta(seconds=float(setting("BILLS_CIRCUIT_COOLOFF", 600)))


def backoff(failures: int) -> datetime.timedelta:
    """Wait before the next try after ``failures`` consecutive failures: 30 s doubling, at
    most 30 minutes."""
    base = float(setting("BILLS_BACKOFF_BASE", 30))
    cap = float(setting("BILLS_BACKOFF_MAX", 1800))
    return datetime.timedelta(seconds=min(cap, base * 2 ** max(0, failures - 1)))


def months_back() -> int:
    """How many months of history a new binding fetches."""
    return int(setting("BILLS_HISTORY_MONTHS", 12))
