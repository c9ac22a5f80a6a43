"""The fake providers' data: deterministic, seasonal, with arrears and contribution gaps;
slow or failing when told to."""

from __future__ import annotations

import time

import pytest

from onewindow.bills.providers.base import ProviderError
from onewindow.bills.providers.fake import FakeProvider, fake_account_register

pytestmark = pytest.mark.django_db


def _year(provider: FakeProvider, account: str) -> dict[str, object]:
    return {
        f"2025-{m:02d}": provider.fetch(account_number=account, period=f"2025-{m:02d}")
        for m in range(1, 13)
    }


def test_seasonal_usage_and_determinism(summer) -> None:
    for code in ("gz-power", "gz-gas", "gd-mobile"):
        fake_account_register(provider_code=code, account_number="10001", holder_name="张小明")
    power = FakeProvider(code="gz-power", kind="electricity")
    gas = FakeProvider(code="gz-gas", kind="gas")
    usage = {p: b.bills[0].usage for p, b in _year(power, "10001").items()}  # type: ignore[attr-defined]
    assert usage["2025-07"] == usage["2025-08"] > usage["2025-06"] > usage["2025-04"]
    gas_usage = {p: b.bills[0].usage for p, b in _year(gas, "10001").items()}  # type: ignore[attr-defined]
    assert gas_usage["2025-01"] > gas_usage["2025-04"] > gas_usage["2025-07"]
    assert _year(power, "10001") == _year(
        FakeProvider(code="gz-power", kind="electricity"), "10001"
    )
    mobile = FakeProvider(code="gd-mobile", kind="mobile").fetch(
        account_number="10001", period="2026-07"
    )
    assert mobile.bills[0].usage is None and mobile.bills[0].amount >= 58


def test_contribution_records_have_occasional_gaps(summer) -> None:
    si = FakeProvider(code="gz-si", kind="social_insurance")
    paid = []
    for n in range(40):
        fake_account_register(provider_code="gz-si", account_number=f"SI{n:04d}", holder_name="某")
        for month in range(1, 13):
            record = si.fetch(account_number=f"SI{n:04d}", period=f"2025-{month:02d}")
            paid.append(record.contributions[0].paid)
    missing = paid.count(False) / len(paid)
    assert 0.03 < missing < 0.2  # about one month in eleven


def test_the_current_month_has_no_bill_yet_and_unknown_accounts_fail(summer) -> None:
    fake_account_register(provider_code="gz-water", account_number="4401", holder_name="张小明")
    water = FakeProvider(code="gz-water", kind="water")
    assert water.fetch(account_number="4401", period="2026-08").bills == ()
    with pytest.raises(ProviderError):
        water.fetch(account_number="9999", period="2026-07")
    assert water.verify_account(account_number="4401").holder_name == "张*明"
    assert water.verify_account(account_number="9999").found is False


def test_slow_and_failing_like_a_vendor() -> None:
    fake_account_register(provider_code="gz-water", account_number="4401", holder_name="张小明")
    started = time.monotonic()
    FakeProvider(code="gz-water", kind="water", delay=0.2).verify_account(account_number="4401")
    assert time.monotonic() - started >= 0.2
    with pytest.raises(ProviderError, match="service unavailable"):
        FakeProvider(code="gz-water", kind="water", fail=True).verify_account(account_number="4401")
