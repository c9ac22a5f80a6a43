"""Fake providers, one per kind, for the demo city and tests: realistic, deterministic monthly
data for the accounts in their book (``FakeAccount``) — seasonal usage (electricity peaks in
summer, gas in winter), an occasional unpaid month (arrears), social-insurance and
housing-fund contribution records with an occasional missing month. ``delay`` and ``fail``
make one slow or failing like a vendor."""

from __future__ import annotations

import datetime
import hashlib
import time
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from onewindow.bills.providers.base import (
    AccountCheck,
    BillBatch,
    BillRecord,
    ContributionRecord,
    ProviderError,
)

CENT = Decimal("0.01")
# Guangzhou-like residential prices (yuan per unit).
WATER_PRICE = Decimal("3.46")
GAS_PRICE = Decimal("3.45")
ELECTRICITY_TIERS = ((Decimal("260"), Decimal("0.59")), (Decimal("600"), Decimal("0.64")))
ELECTRICITY_TOP = Decimal("0.89")
# Month → usage factor.
SUMMER = {
    1: 0.9,
    2: 0.85,
    3: 0.9,
    4: 1.0,
    5: 1.25,
    6: 1.6,
    7: 2.0,
    8: 2.0,
    9: 1.6,
    10: 1.15,
    11: 0.95,
    12: 0.9,
}
WINTER = {
    1: 1.8,
    2: 1.7,
    3: 1.35,
    4: 1.1,
    5: 0.9,
    6: 0.75,
    7: 0.7,
    8: 0.7,
    9: 0.8,
    10: 0.95,
    11: 1.25,
    12: 1.7,
}
EMPLOYERS = ("广州市天河软件园有限公司", "广州城市建设投资集团", "广东岭南文化传媒有限公司")


def fake_account_register(*, provider_code: str, account_number: str, holder_name: str) -> None:
    """Put an account in a fake provider's book (demo city and tests)."""
    from onewindow.bills.models import FakeAccount

    FakeAccount.objects.update_or_create(
        provider_code=provider_code,
        account_number=account_number,
        defaults={"holder_name": holder_name},
    )


def _holder(provider_code: str, account_number: str) -> str | None:
    from onewindow.bills.models import FakeAccount

    row = FakeAccount.objects.filter(
        provider_code=provider_code, account_number=account_number
    ).first()
    return row.holder_name if row else None


def _roll(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big")


def _yuan(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def mask_holder(name: str) -> str:
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class FakeProvider:
    def __init__(self, *, code: str, kind: str, delay: float = 0.0, fail: bool = False) -> None:
        self.code = code
        self.kind = kind
        self.delay = delay
        self.fail = fail

    def _vendor(self) -> None:
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise ProviderError(f"{self.code}: service unavailable (fake)")

    def verify_account(self, *, account_number: str) -> AccountCheck:
        self._vendor()
        holder = _holder(self.code, account_number)
        if holder is None:
            return AccountCheck(found=False)
        return AccountCheck(found=True, holder_name=mask_holder(holder))

    def fetch(self, *, account_number: str, period: str) -> BillBatch:
        self._vendor()
        if _holder(self.code, account_number) is None:
            raise ProviderError(f"{self.code}: unknown account")
        year, month = int(period[:4]), int(period[5:])
        today = timezone.localdate()
        if (year, month) >= (today.year, today.month):
            return BillBatch()  # a month's bill is issued after the month ends
        if self.kind in ("social_insurance", "housing_fund"):
            return BillBatch(contributions=(self._contribution(account_number, year, month),))
        return BillBatch(bills=(self._bill(account_number, year, month, today),))

    def _bill(self, account: str, year: int, month: int, today: datetime.date) -> BillRecord:
        seed = _roll(self.code, account)
        usage: Decimal | None
        if self.kind == "water":
            usage = Decimal(8 + seed % 13) * Decimal(str(SUMMER[month] ** 0.3))
            usage = usage.quantize(Decimal("1"))
            amount = usage * WATER_PRICE
            unit = "m³"
        elif self.kind == "electricity":
            usage = (Decimal(140 + seed % 120) * Decimal(str(SUMMER[month]))).quantize(Decimal("1"))
            amount, left, floor = Decimal(0), usage, Decimal(0)
            for ceiling, price in ELECTRICITY_TIERS:
                step = min(left, ceiling - floor)
                amount += step * price
                left -= step
                floor = ceiling
            amount += left * ELECTRICITY_TOP
            unit = "kWh"
        elif self.kind == "gas":
            usage = (Decimal(9 + seed % 10) * Decimal(str(WINTER[month]))).quantize(Decimal("1"))
            amount = usage * GAS_PRICE
            unit = "m³"
        else:  # mobile: a plan and some extra
            usage, unit = None, ""
            plan = (Decimal("58"), Decimal("88"), Decimal("128"))[seed % 3]
            amount = plan + Decimal(_roll(account, year, month) % 2000) / 100
        issue_year, issue_month = _next_month(year, month)
        due_on = datetime.date(issue_year, issue_month, 25)
        # Paid unless the month is still open, or one of the occasional arrears.
        arrears = _roll(self.code, account, year, month, "arrears") % 9 == 0
        paid = due_on < today - datetime.timedelta(days=5) and not arrears
        if (issue_year, issue_month) == (today.year, today.month):
            paid = False
        return BillRecord(
            external_id=f"{self.code}-{account}-{year}{month:02d}",
            period=f"{year}-{month:02d}",
            amount=_yuan(amount),
            due_on=due_on,
            paid=paid,
            usage=usage,
            usage_unit=unit,
        )

    def _contribution(self, account: str, year: int, month: int) -> ContributionRecord:
        seed = _roll(self.code, account)
        base = Decimal(5000 + (seed % 15) * 500)
        gap = _roll(self.code, account, year, month, "gap") % 11 == 0
        if self.kind == "social_insurance":
            personal, employer = base * Decimal("0.105"), base * Decimal("0.215")
        else:
            personal = employer = base * Decimal("0.12")
        return ContributionRecord(
            period=f"{year}-{month:02d}",
            base=base,
            personal_amount=_yuan(personal),
            employer_amount=_yuan(employer),
            employer_name=EMPLOYERS[seed % len(EMPLOYERS)],
            paid=not gap,
        )
