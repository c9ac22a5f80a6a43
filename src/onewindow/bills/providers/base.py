"""The bill-provider Protocol and the typed data that crosses it.

Every adapter (the fakes, Alipay's electronic bills, the published OneWindow bill-provider
interface) answers with these frozen values. Whatever a provider sends is checked here
(``bill_from``, ``contribution_from``) before it can become a bill: an item that fails is a
``Rejected`` with the reason and an excerpt of what came, and is quarantined by the sync."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

KINDS = ("social_insurance", "housing_fund", "water", "electricity", "gas", "mobile")
BILLED_KINDS = ("water", "electricity", "gas", "mobile")
CONTRIBUTION_KINDS = ("social_insurance", "housing_fund")
USAGE_UNITS = {"water": "m³", "electricity": "kWh", "gas": "m³", "mobile": ""}
# The most a single month's bill of each kind may plausibly be (yuan); above it, quarantine.
MAX_AMOUNT = {
    "water": Decimal("5000"),
    "electricity": Decimal("20000"),
    "gas": Decimal("5000"),
    "mobile": Decimal("5000"),
    "social_insurance": Decimal("50000"),
    "housing_fund": Decimal("50000"),
}
MAX_USAGE = Decimal("100000")
PERIOD_RE = re.compile(r"(20[0-9]{2})-?(0[1-9]|1[0-2])", re.ASCII)
AMOUNT_RE = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,2})?", re.ASCII)
EXCERPT = 2000


class ProviderError(Exception):
    """The provider could not be reached, was too slow, or answered with an error."""


class ProviderTimeout(ProviderError):
    """The provider did not answer in time: whatever it sends later is dropped unread."""


class ProviderMalformed(ProviderError):
    """The provider answered something that is not its protocol (quarantined whole)."""

    def __init__(self, reason: str, excerpt: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.excerpt = excerpt[:EXCERPT]


@dataclass(frozen=True)
class AccountCheck:
    """The provider's answer about an account number: whether it exists and whose it is
    (the holder's name, possibly masked like 张*明)."""

    found: bool
    holder_name: str = ""
    address: str = ""


@dataclass(frozen=True)
class BillRecord:
    external_id: str
    period: str  # YYYY-MM
    amount: Decimal
    due_on: datetime.date | None
    paid: bool
    currency: str = "CNY"
    usage: Decimal | None = None
    usage_unit: str = ""


@dataclass(frozen=True)
class ContributionRecord:
    period: str  # YYYY-MM
    base: Decimal
    personal_amount: Decimal
    employer_amount: Decimal
    employer_name: str = ""
    paid: bool = True


@dataclass(frozen=True)
class Rejected:
    reason: str
    excerpt: str


@dataclass(frozen=True)
class BillBatch:
    """What one fetch brought: the items that passed the checks and those that did not."""

    bills: tuple[BillRecord, ...] = ()
    contributions: tuple[ContributionRecord, ...] = ()
    rejected: tuple[Rejected, ...] = field(default_factory=tuple)
    # Set by a provider that lists only what is still to pay (Alipay's electronic bills):
    # every unpaid bill of this month that the answer no longer lists has been paid.
    outstanding_of: str | None = None


class BillProvider(Protocol):
    code: str
    kind: str

    def verify_account(self, *, account_number: str) -> AccountCheck: ...

    def fetch(self, *, account_number: str, period: str) -> BillBatch: ...


def excerpt_of(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text[:EXCERPT]


def period_of(value: Any) -> str | None:
    """'2026-11' or '202611' → '2026-11'; anything else None."""
    if not isinstance(value, str):
        return None
    match = PERIOD_RE.fullmatch(value.strip())
    return f"{match.group(1)}-{match.group(2)}" if match else None


def amount_of(value: Any) -> Decimal | None:
    """A plain amount in yuan ('12.34', 12.34 as JSON number) with at most two decimals."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = repr(value)
    if not isinstance(value, str) or AMOUNT_RE.fullmatch(value.strip()) is None:
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        return None


def date_of(value: Any) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"[0-9]{8}", text, re.ASCII):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


class Reject(Exception):
    pass


def _period_plausible(period: str | None, today: datetime.date) -> str:
    if period is None:
        raise Reject("账期格式不正确")
    year, month = int(period[:4]), int(period[5:])
    if (year, month) > (today.year, today.month) or year < today.year - 10:
        raise Reject("账期不在合理范围内")
    return period


def bill_from(
    raw: Any, *, kind: str, account_number: str, today: datetime.date, period: str | None = None
) -> BillRecord | Rejected:
    """Check one bill item as a provider sent it (dict with ``id``, ``account_number``,
    ``period``, ``amount``, ``currency``, ``due_on``, ``paid``, ``usage``, ``usage_unit``)."""
    try:
        if not isinstance(raw, dict):
            raise Reject("账单不是对象")
        if str(raw.get("account_number", account_number)) != account_number:
            raise Reject("账单户号与绑定户号不一致")
        currency = raw.get("currency", "CNY")
        if currency != "CNY":
            raise Reject(f"币种不是人民币：{str(currency)[:8]}")
        got_period = _period_plausible(period_of(raw.get("period")), today)
        if period is not None and got_period != period:
            raise Reject("账单账期与查询账期不一致")
        amount = amount_of(raw.get("amount"))
        if amount is None:
            raise Reject("金额格式不正确")
        if amount < 0 or amount > MAX_AMOUNT[kind]:
            raise Reject(f"金额超出合理范围：{amount}")
        external_id = raw.get("id")
        if not isinstance(external_id, str) or not 0 < len(external_id) <= 64:
            raise Reject("账单编号缺失")
        due_raw = raw.get("due_on")
        due_on = date_of(due_raw) if due_raw not in (None, "") else None
        if due_raw not in (None, "") and due_on is None:
            raise Reject("缴费截止日期格式不正确")
        paid = raw.get("paid", False)
        if not isinstance(paid, bool):
            raise Reject("缴费状态不正确")
        usage = None
        unit = ""
        if raw.get("usage") not in (None, ""):
            usage = amount_of(raw.get("usage"))
            if usage is None or usage < 0 or usage > MAX_USAGE:
                raise Reject("用量不正确")
            unit = str(raw.get("usage_unit") or USAGE_UNITS.get(kind, ""))[:8]
    except Reject as exc:
        return Rejected(reason=str(exc), excerpt=excerpt_of(raw))
    return BillRecord(
        external_id=external_id,
        period=got_period,
        amount=amount,
        due_on=due_on,
        paid=paid,
        usage=usage,
        usage_unit=unit,
    )


def contribution_from(
    raw: Any, *, kind: str, account_number: str, today: datetime.date
) -> ContributionRecord | Rejected:
    """Check one month of a contribution record (``period``, ``base``, ``personal_amount``,
    ``employer_amount``, ``employer_name``, ``paid``)."""
    try:
        if not isinstance(raw, dict):
            raise Reject("缴费记录不是对象")
        if str(raw.get("account_number", account_number)) != account_number:
            raise Reject("缴费记录账号与绑定账号不一致")
        if raw.get("currency", "CNY") != "CNY":
            raise Reject("币种不是人民币")
        period = _period_plausible(period_of(raw.get("period")), today)
        values = [amount_of(raw.get(k)) for k in ("base", "personal_amount", "employer_amount")]
        if any(v is None for v in values):
            raise Reject("缴费金额格式不正确")
        base, personal, employer = (v for v in values if v is not None)
        if min(base, personal, employer) < 0 or max(base, personal, employer) > MAX_AMOUNT[kind]:
            raise Reject("缴费金额超出合理范围")
        paid = raw.get("paid", True)
        if not isinstance(paid, bool):
            raise Reject("缴费状态不正确")
        employer_name = raw.get("employer_name", "")
        if not isinstance(employer_name, str):
            raise Reject("单位名称不正确")
    except Reject as exc:
        return Rejected(reason=str(exc), excerpt=excerpt_of(raw))
    return ContributionRecord(
        period=period,
        base=base,
        personal_amount=personal,
        employer_amount=employer,
        employer_name=employer_name[:120],
        paid=paid,
    )


def batch_from(
    *,
    bills: Any,
    contributions: Any,
    kind: str,
    account_number: str,
    today: datetime.date,
    period: str | None = None,
) -> BillBatch:
    """Sort a provider's lists into checked records and rejected items. ProviderMalformed
    if a list is not a list at all."""
    if bills is None:
        bills = []
    if contributions is None:
        contributions = []
    if not isinstance(bills, list) or not isinstance(contributions, list):
        raise ProviderMalformed("账单列表格式不正确", excerpt_of({"bills": bills}))
    good_bills: list[BillRecord] = []
    good_contributions: list[ContributionRecord] = []
    rejected: list[Rejected] = []
    for raw in bills:
        item = bill_from(raw, kind=kind, account_number=account_number, today=today, period=period)
        (rejected if isinstance(item, Rejected) else good_bills).append(item)  # type: ignore[arg-type]
    for raw in contributions:
        one = contribution_from(raw, kind=kind, account_number=account_number, today=today)
        (rejected if isinstance(one, Rejected) else good_contributions).append(one)  # type: ignore[arg-type]
    return BillBatch(
        bills=tuple(good_bills), contributions=tuple(good_contributions), rejected=tuple(rejected)
    )


def names_match(real_name: str, holder_name: str) -> bool:
    """Whether the provider's holder name is the resident's real name: equal, or the same
    length with every unmasked character equal (providers mask names as 张*明)."""
    real, holder = real_name.strip(), holder_name.strip()
    if not real or not holder or len(real) != len(holder):
        return False
    if "*" not in holder:
        return real == holder
    if holder.count("*") == len(holder):
        return False
    return all(h == "*" or h == r for h, r in zip(holder, real, strict=True))
