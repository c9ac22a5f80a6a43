"""Deterministic fictional residents and companies for the demo city.

Each generator is one ``random.Random`` stream: the same seed always gives the same people in
the same order, so seeding N and later topping up to M gives exactly what seeding M at once
would. Citizen IDs, phone numbers, USCCs and company names are unique within a stream.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from onewindow.core.identifiers import citizen_id_make, uscc_make
from onewindow.demo import data

T = TypeVar("T")

# A fixed "today" so that ages, and therefore IDs, do not depend on when the seed runs.
REFERENCE_DATE = datetime.date(2025, 1, 1)
# (youngest age, oldest age, share of the population)
AGE_BANDS = ((0, 17, 15), (18, 29, 19), (30, 44, 28), (45, 59, 22), (60, 90, 16))
DEMO_PHONE_PREFIX = "1380000"  # 138 0000 xxxx: reserved for the printed demo accounts


@dataclass(frozen=True, slots=True)
class ResidentRow:
    index: int
    name: str
    id_number: str
    phone: str
    birth_date: datetime.date
    gender: str  # "M" / "F"
    region_code: str  # from the ID
    real_name: bool  # verified real-name (else in-person verified at a window)


@dataclass(frozen=True, slots=True)
class CompanyRow:
    index: int
    uscc: str
    name: str
    region_code: str
    address: str
    established: datetime.date
    legal_rep_index: int  # index of a resident in the resident stream
    agent_index: int | None


def is_adult(row: ResidentRow) -> bool:
    """18 or older on the reference date (legal representatives must be)."""
    born = row.birth_date
    return (
        REFERENCE_DATE.year
        - born.year
        - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (born.month, born.day))
    ) >= 18


def _cumulative(weights: list[int]) -> list[int]:
    return list(itertools.accumulate(weights))


class _Picker(Generic[T]):
    """Weighted choice by bisecting cumulative weights (cheaper than random.choices)."""

    def __init__(self, items: list[T], weights: list[int]) -> None:
        self.items = items
        self.cum = _cumulative(weights)
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cum, rng.randrange(self.total))]


def resident_stream(seed: int) -> Iterator[ResidentRow]:
    """All demo residents in order. The first ones are the printed demo login accounts."""
    rng = random.Random(f"onewindow-demo-residents:{seed}")
    districts = _Picker(list(data.DISTRICTS), [d.weight for d in data.DISTRICTS])
    surnames = _Picker([s for s, _ in data.SURNAMES], [w for _, w in data.SURNAMES])
    bands = _Picker(list(AGE_BANDS), [b[2] for b in AGE_BANDS])
    used_ids: set[int] = set()
    used_phones: set[int] = set()
    for phone, _name, _code in data.DEMO_RESIDENTS:
        used_phones.add(int(phone))

    for index in itertools.count():
        demo = data.DEMO_RESIDENTS[index] if index < len(data.DEMO_RESIDENTS) else None
        if demo is not None:
            district = data.DISTRICT_BY_CODE[demo[2]]
            young, old = 25, 37  # born 1987-1999: the district's current code is valid
        else:
            district = districts.pick(rng)
            young, old, _share = bands.pick(rng)
        days = rng.randrange(young * 365, (old + 1) * 365)
        birth = REFERENCE_DATE - datetime.timedelta(days=days + 1)
        male = rng.random() < 0.5
        if demo is not None:
            male = demo[1][1:] in data.GIVEN_MALE
        if demo is None and rng.random() < data.MIGRANT_SHARE:
            region = rng.choice(data.MIGRANT_CODES)
        else:
            region = data.id_region_for(district, birth.year)
        prefix = f"{region}{birth:%Y%m%d}"
        while True:
            sequence = rng.randrange(500) * 2 + (1 if male else 0)
            key = int(f"{prefix}{sequence:03d}")
            if key not in used_ids:
                used_ids.add(key)
                break
        id_number = citizen_id_make(region, birth, sequence)
        if demo is not None:
            phone, name = demo[0], demo[1]
        else:
            while True:
                phone = rng.choice(data.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
                number = int(phone)
                if number not in used_phones and not phone.startswith(DEMO_PHONE_PREFIX):
                    used_phones.add(number)
                    break
            given = rng.choice(data.GIVEN_MALE if male else data.GIVEN_FEMALE)
            name = surnames.pick(rng) + given
        yield ResidentRow(
            index=index,
            name=name,
            id_number=id_number,
            phone=phone,
            birth_date=birth,
            gender="M" if sequence % 2 else "F",
            region_code=region,
            real_name=demo is not None or rng.random() < 0.9,
        )


_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the USCC alphabet (no I, O, S, V, Z)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check(body8: str) -> str:
    """GB 11714 check character of an organisation code (the 9 characters inside a USCC)."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body8, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def company_stream(seed: int, *, residents: int) -> Iterator[CompanyRow]:
    """Companies in order; legal representatives are drawn from the first ``residents``."""
    rng = random.Random(f"onewindow-demo-companies:{seed}")
    districts = _Picker(list(data.DISTRICTS), [d.weight for d in data.DISTRICTS])
    used_codes: set[str] = set()
    used_names: set[str] = set()
    for index in itertools.count():
        district = districts.pick(rng)
        while True:
            body = "MA" + "".join(rng.choice(_ORG_ALPHABET) for _ in range(6))
            org = body + org_code_check(body)
            if org not in used_codes:
                used_codes.add(org)
                break
        # 9 = registered by market regulation, 1 = enterprise (GB 32100)
        uscc = uscc_make(f"91{district.code}{org}")
        for attempt in itertools.count():
            brand = "".join(rng.sample(data.BRAND_CHARS, 2))
            industry, _category = rng.choice(data.INDUSTRIES)
            form = data.COMPANY_FORMS[0] if rng.random() < 0.85 else rng.choice(data.COMPANY_FORMS)
            where = "广州" if attempt < 5 else f"广州市{district.name}"
            name = f"{where}{brand}{industry}{form}"
            if name not in used_names:
                used_names.add(name)
                break
        established = REFERENCE_DATE - datetime.timedelta(days=rng.randrange(30, 25 * 365))
        address = (
            f"{data.CITY_NAME}{district.name}{rng.choice(data.ROADS)}{rng.randrange(1, 999)}号"
        )
        legal_rep = rng.randrange(residents)
        agent = rng.randrange(residents) if rng.random() < 0.3 else None
        if agent == legal_rep:
            agent = None
        yield CompanyRow(
            index=index,
            uscc=uscc,
            name=name,
            region_code=district.code,
            address=address,
            established=established,
            legal_rep_index=legal_rep,
            agent_index=agent,
        )
