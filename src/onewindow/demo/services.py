"""Seeding the demo city: structure, residents and companies, in one transaction with one
audit row. Residents are bulk-inserted in batches without per-row audit rows or accounts (a
resident gets a User when they first log in)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import transaction

from onewindow.audit.services import Actor, audit_record
from onewindow.demo import audit_events
from onewindow.demo.city import DemoAccount, city_structure_seed
from onewindow.demo.companies import demo_companies_seed
from onewindow.demo.exchange import demo_exchange_seed
from onewindow.demo.population import (
    CompanyRow,
    ResidentRow,
    company_stream,
    is_adult,
    resident_stream,
)
from onewindow.demo.wallet import demo_wallets_seed
from onewindow.identity.services import (
    CompanySeed,
    PersonSeed,
    companies_bulk_seed,
    persons_bulk_seed,
)

BATCH = 5000
T = TypeVar("T")
Progress = Callable[[int], None]


@dataclass
class SeedReport:
    seed: int
    residents_requested: int
    companies_requested: int
    residents_added: int = 0
    companies_added: int = 0
    departments_added: int = 0
    roles_added: int = 0
    staff_added: int = 0
    licences_added: int = 0
    exchange_calls_added: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.residents_added,
                self.companies_added,
                self.departments_added,
                self.roles_added,
                self.staff_added,
                self.licences_added,
                self.exchange_calls_added,
            )
        )


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _person(row: ResidentRow) -> PersonSeed:
    return PersonSeed(
        name=row.name,
        id_number=row.id_number,
        phone=row.phone,
        birth_date=row.birth_date,
        gender=row.gender,
        region_code=row.region_code,
        in_person=not row.real_name,
    )


def _seed_residents(
    *, seed: int, count: int, wanted: set[int], progress: Progress | None
) -> tuple[int, dict[int, ResidentRow]]:
    """Insert residents 0..count-1 that are not there yet. Returns how many were added and the
    rows whose indexes are in ``wanted`` (legal representatives and agents of companies)."""
    added = 0
    found: dict[int, ResidentRow] = {}
    checking = True  # the seeded residents are a prefix of the stream: check until a gap
    for batch in _batches(itertools.islice(resident_stream(seed), count), BATCH):
        found.update((row.index, row) for row in batch if row.index in wanted)
        seeded = persons_bulk_seed(people=[_person(row) for row in batch], check_present=checking)
        checking = checking and seeded.present == len(batch)
        added += seeded.inserted
        if progress is not None:
            progress(len(batch))
    return added, found


REP_FALLBACKS = 8  # a minor drawn as legal representative: take the next adult among these


def _adult_or_next(rows: dict[int, ResidentRow], index: int, count: int) -> ResidentRow | None:
    for candidate in range(index, min(index + REP_FALLBACKS, count)):
        row = rows.get(candidate)
        if row is not None and is_adult(row):
            return row
    return None


def _seed_companies(
    *,
    companies: list[CompanyRow],
    residents: dict[int, ResidentRow],
    resident_count: int,
    progress: Progress | None,
) -> int:
    added = 0
    for batch in _batches(companies, BATCH):
        seeds = []
        for c in batch:
            rep = _adult_or_next(residents, c.legal_rep_index, resident_count)
            agent = residents.get(c.agent_index) if c.agent_index is not None else None
            seeds.append(
                CompanySeed(
                    uscc=c.uscc,
                    name=c.name,
                    region_code=c.region_code,
                    address=c.address,
                    established=c.established,
                    legal_representative=rep.name if rep else "",
                    representative_id_number=rep.id_number if rep else "",
                    agent_id_number=agent.id_number if agent else "",
                )
            )
        added += companies_bulk_seed(companies=seeds)
        if progress is not None:
            progress(len(batch))
    return added


@transaction.atomic(durable=True)
def demo_city_seed(
    *,
    residents: int,
    companies: int,
    seed: int,
    progress: Callable[[str, int], Progress] | None = None,
) -> SeedReport:
    """Create (or top up) the demo city. Running it again with the same arguments adds
    nothing and writes no audit row."""
    report = SeedReport(seed=seed, residents_requested=residents, companies_requested=companies)
    structure = city_structure_seed(seed=seed)
    report.departments_added = structure.departments
    report.roles_added = structure.roles
    report.staff_added = structure.staff
    report.accounts = structure.accounts

    company_rows = (
        list(itertools.islice(company_stream(seed, residents=max(residents, 1)), companies))
        if residents
        else []
    )
    wanted: set[int] = set()
    for c in company_rows:
        # a legal representative must be an adult: keep a few following rows as fallbacks
        wanted.update(range(c.legal_rep_index, min(c.legal_rep_index + REP_FALLBACKS, residents)))
        if c.agent_index is not None:
            wanted.add(c.agent_index)
    report.residents_added, rows = _seed_residents(
        seed=seed,
        count=residents,
        wanted=wanted,
        progress=progress("residents", residents) if progress else None,
    )
    report.companies_added = _seed_companies(
        companies=company_rows,
        residents=rows,
        resident_count=residents,
        progress=progress("companies", len(company_rows)) if progress else None,
    )
    report.companies_added += demo_companies_seed()  # the printed residents' companies
    report.licences_added = demo_wallets_seed(seed=seed)
    report.exchange_calls_added = demo_exchange_seed().calls
    if report.changed:
        audit_record(
            actor=Actor.system("seed_demo"),
            action=audit_events.SEED,
            target_type="demo.city",
            target_id=str(seed),
            changes={
                "seed": seed,
                "residents_added": report.residents_added,
                "companies_added": report.companies_added,
                "departments_added": report.departments_added,
                "staff_added": report.staff_added,
                "licences_added": report.licences_added,
                "exchange_calls_added": report.exchange_calls_added,
            },
            purpose="demo city seed",
        )
    return report
