"""Reads of natural and legal persons: look-ups, and who may act for which company."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.translation import gettext_lazy

from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import normalize_citizen_id, normalize_phone
from onewindow.core.pii import id_number_index, phone_index
from onewindow.identity.models import Company, CompanyAgent, Person, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def person_for_user(user: User | AnonymousUser | None) -> Person | None:
    """The real-name record behind an account, read once per account object: a request's
    ``request.user`` keeps it (as ``user.person`` does), so the pages and sections that ask
    again in the same request cost no more queries. An account with no record yet is asked
    again each time (the record may be created during the request)."""
    if user is None or not user.is_authenticated:
        return None
    related = Person._meta.get_field("user").remote_field  # the reverse side: user.person
    assert isinstance(user, User)
    if related.is_cached(user):
        cached = related.get_cached_value(user)
        if isinstance(cached, Person):
            return cached
    person = Person.objects.filter(user_id=user.pk).first()
    if person is not None:
        related.set_cached_value(user, person)
    return person


def person_get(*, pk: int) -> Person | None:
    """The person (with their account, if any)."""
    return Person.objects.select_related("user").filter(pk=pk).first()


def person_find_by_phone(*, phone: str) -> Person | None:
    """Exact look-up through the blind index (the column itself is ciphertext)."""
    try:
        phone = normalize_phone(phone)
    except ValidationFailed:
        return None
    return Person.objects.filter(phone_bidx=phone_index(phone)).first()


def person_find_by_id_number(*, id_number: str) -> Person | None:
    try:
        id_number = normalize_citizen_id(id_number)
    except ValidationFailed:
        return None
    return Person.objects.filter(id_number_bidx=id_number_index(id_number)).first()


def person_find_by_id_number_bidx(*, id_number_bidx: str) -> Person | None:
    """The person whose citizen ID has this blind index (``core.pii.id_number_index``): for
    callers that hold the index rather than the number (a case party's row)."""
    if not id_number_bidx:
        return None
    return Person.objects.filter(id_number_bidx=id_number_bidx).first()


def company_get(*, pk: int) -> Company | None:
    """The company, or None."""
    return Company.objects.filter(pk=pk).first()


def company_get_by_uscc(*, uscc: str) -> Company | None:
    return Company.objects.filter(uscc=(uscc or "").strip().upper()).first()


def _valid_agents(on: datetime.date | None = None) -> Q:
    """Grants in force on the day: accepted (or a legal representative's), not revoked, and
    not past their last day."""
    day = on or timezone.localdate()
    return Q(status=CompanyAgent.Status.ACTIVE) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def companies_for_person(*, person: Person, on: datetime.date | None = None) -> QuerySet[Company]:
    """Companies this person may act for today (legal representative or an agent whose
    authorisation is accepted, not revoked and not expired)."""
    agent_ids = CompanyAgent.objects.filter(_valid_agents(on), person=person).values("company_id")
    return Company.objects.filter(pk__in=agent_ids).order_by("name")


def company_ids_for_person(*, person_id: int, on: datetime.date | None = None) -> set[int]:
    """The ids of the companies the person may act for on the day (see companies_for_person)."""
    return set(
        CompanyAgent.objects.filter(_valid_agents(on), person_id=person_id).values_list(
            "company_id", flat=True
        )
    )


def company_people_in_force(*, company_id: int, on: datetime.date | None = None) -> list[Person]:
    """The people who may act for the company on the day: its legal representative and its
    agents whose authorisation is in force."""
    ids = CompanyAgent.objects.filter(_valid_agents(on), company_id=company_id).values("person_id")
    return list(Person.objects.filter(pk__in=ids).order_by("pk"))


def person_may_act_for(
    *, person: Person, company: Company, on: datetime.date | None = None
) -> bool:
    return CompanyAgent.objects.filter(_valid_agents(on), person=person, company=company).exists()


def company_agents(*, company: Company) -> QuerySet[CompanyAgent]:
    return company.agents.select_related("person").order_by("role", "pk")


@dataclass(frozen=True)
class CompanyRole:
    """A company a person acts for, as they see it under 我的企业."""

    company: Company
    role: str  # CompanyAgent.Role
    role_label: str
    valid_until: datetime.date | None
    grant_id: int


@dataclass(frozen=True)
class AgentGrant:
    """An agent's authorisation as the legal representative or the agent sees it."""

    id: int
    company: Company
    person_name: str  # the agent's name, in full (the representative named them)
    masked_id_number: str
    granted_by_name: str
    valid_until: datetime.date | None
    status: str  # pending, active, expired, declined, revoked
    status_label: str
    granted_at: datetime.datetime | None
    ended_at: datetime.datetime | None


_GRANT_LABELS = {
    "pending": gettext_lazy("待经办人确认"),
    "active": gettext_lazy("有效"),
    "expired": gettext_lazy("已过期"),
    "declined": gettext_lazy("经办人已拒绝"),
    "revoked": gettext_lazy("已撤销"),
}


def _grant(row: CompanyAgent, today: datetime.date) -> AgentGrant:
    status = str(row.status)
    if status in {CompanyAgent.Status.PENDING, CompanyAgent.Status.ACTIVE} and row.expired(today):
        status = "expired"
    return AgentGrant(
        id=row.pk,
        company=row.company,
        person_name=row.person.name,
        masked_id_number=row.person.masked_id_number,
        granted_by_name=row.granted_by.name if row.granted_by else "",
        valid_until=row.valid_until,
        status=status,
        status_label=str(_GRANT_LABELS[status]),
        granted_at=row.granted_at,
        ended_at=row.ended_at,
    )


def company_roles_for_person(
    *, person: Person, on: datetime.date | None = None
) -> list[CompanyRole]:
    """The companies the person acts for today, legal representative first."""
    rows = (
        CompanyAgent.objects.filter(_valid_agents(on), person=person)
        .select_related("company")
        .order_by("role", "company__name")
    )
    order: dict[str, int] = {CompanyAgent.Role.LEGAL_REPRESENTATIVE: 0, CompanyAgent.Role.AGENT: 1}
    return sorted(
        (
            CompanyRole(
                company=row.company,
                role=row.role,
                role_label=str(CompanyAgent.Role(row.role).label),
                valid_until=row.valid_until,
                grant_id=row.pk,
            )
            for row in rows
        ),
        key=lambda r: (order.get(r.role, 2), r.company.name),
    )


def company_represented_by(*, person: Person, uscc: str) -> Company | None:
    """The company with this code, if the person is its legal representative."""
    return Company.objects.filter(
        uscc=(uscc or "").strip().upper(),
        agents__person=person,
        agents__role=CompanyAgent.Role.LEGAL_REPRESENTATIVE,
        agents__status=CompanyAgent.Status.ACTIVE,
    ).first()


def agent_grants_of_company(
    *, company: Company, on: datetime.date | None = None
) -> list[AgentGrant]:
    """Every agent authorisation of the company, newest first (for its legal representative)."""
    today = on or timezone.localdate()
    rows = (
        CompanyAgent.objects.filter(company=company, role=CompanyAgent.Role.AGENT)
        .select_related("company", "person", "granted_by")
        .order_by("-granted_at", "-pk")
    )
    return [_grant(row, today) for row in rows]


def agent_grants_pending_for(
    *, person: Person, on: datetime.date | None = None
) -> list[AgentGrant]:
    """Authorisations waiting for this person's acceptance (not yet expired)."""
    today = on or timezone.localdate()
    rows = (
        CompanyAgent.objects.filter(
            person=person,
            role=CompanyAgent.Role.AGENT,
            status=CompanyAgent.Status.PENDING,
            valid_until__gte=today,
        )
        .select_related("company", "person", "granted_by")
        .order_by("-granted_at", "-pk")
    )
    return [_grant(row, today) for row in rows]


def user_ids_of(*, person_ids: Iterable[int] = (), company_ids: Iterable[int] = ()) -> set[int]:
    """The accounts of these persons and of everyone acting (or having acted) for these
    companies: whose pages a change to them alters. One query."""
    persons, companies = list(person_ids), list(company_ids)
    if not persons and not companies:
        return set()
    who = Q(pk__in=persons) if persons else Q()
    if companies:
        who |= Q(company_roles__company_id__in=companies)
    return set(
        Person.objects.filter(who, user_id__isnull=False)
        .values_list("user_id", flat=True)
        .distinct()
    )


def person_for_user_id(*, user_id: int) -> Person | None:
    """The natural person behind an account (a resident's, or a company agent's), if any."""
    return Person.objects.filter(user_id=user_id).first()


@dataclass(frozen=True)
class PersonRow:
    """What rules about residents read of one person, without the row itself."""

    pk: int
    user_id: int | None
    name: str
    phone: str
    birth_date: datetime.date | None
    region_code: str
    id_card_valid_until: datetime.date | None


_ROW_FIELDS = ("pk", "user_id", "name", "phone", "birth_date", "region_code", "id_card_valid_until")


def _person_row(person: Person, *, phone: bool = True) -> PersonRow:
    return PersonRow(
        pk=person.pk,
        user_id=person.user_id,
        name=person.name,
        phone=str(person.phone or "") if phone else "",
        birth_date=person.birth_date,
        region_code=person.region_code,
        id_card_valid_until=person.id_card_valid_until,
    )


def person_rows_after(*, after_pk: int, limit: int, phone: bool = True) -> list[PersonRow]:
    """Up to ``limit`` residents with an account, in primary-key order after ``after_pk``: a
    sweep over the population walks it one batch at a time and never holds it all. Without
    ``phone`` the (encrypted) phone number is neither read nor decrypted (``phone=""``)."""
    fields = _ROW_FIELDS if phone else tuple(f for f in _ROW_FIELDS if f != "phone")
    rows = (
        Person.objects.filter(pk__gt=after_pk, user__isnull=False)
        .order_by("pk")
        .only(*fields)[:limit]
    )
    return [_person_row(row, phone=phone) for row in rows]


def person_row_get(*, pk: int) -> PersonRow | None:
    person = Person.objects.filter(pk=pk).only(*_ROW_FIELDS).first()
    return _person_row(person) if person is not None else None


def person_rows_get(*, pks: Collection[int]) -> dict[int, PersonRow]:
    """The rows of these persons (with their phone numbers), by primary key, in one query;
    a person not found is left out."""
    if not pks:
        return {}
    rows = Person.objects.filter(pk__in=list(pks)).only(*_ROW_FIELDS)
    return {row.pk: _person_row(row) for row in rows}


# --- a window of the population, narrowed in the database --------------------------------------

# The fields of a PersonRow a reader may ask for (the primary key always comes).
ROW_FIELDS = frozenset(_ROW_FIELDS) - {"pk"}
# How a bound compares a field with its value (``isnull``: value True or False).
BOUND_OPS = frozenset({"eq", "in", "lt", "lte", "gt", "gte", "isnull"})
_LOOKUPS = {"eq": "exact", "in": "in", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte"}


@dataclass(frozen=True)
class PersonBound:
    """One condition on a field of a person's row: ``field`` of :data:`ROW_FIELDS` compared
    by ``op`` (of :data:`BOUND_OPS`) with ``value`` (a date, a string, a list of strings for
    ``in``, True/False for ``isnull``). A comparison with a field that is empty (NULL) is
    false, as in SQL."""

    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class PersonWindow:
    rows: list[PersonRow]  # the residents of the window that meet every bound, in pk order
    walked: int  # how many residents the window holds (met the bounds or not)
    last_pk: int  # the window's last resident (``after_pk`` for an empty window)


def _bound_q(bound: PersonBound) -> Q:
    if bound.field not in ROW_FIELDS or bound.op not in BOUND_OPS:
        raise ValueError(f"unknown bound {bound!r}")
    if bound.op == "isnull":
        return Q(**{f"{bound.field}__isnull": bool(bound.value)})
    return Q(**{f"{bound.field}__{_LOOKUPS[bound.op]}": bound.value})  # false on NULL


def person_rows_window(
    *,
    after_pk: int,
    limit: int,
    fields: Collection[str] = ROW_FIELDS - {"phone"},
    where: Sequence[PersonBound] = (),
) -> PersonWindow:
    """The next ``limit`` residents with an account after ``after_pk`` (primary-key order):
    a sweep over the population walks it window by window and never holds it all. Of the
    window only the residents meeting every bound of ``where`` are read, and of them only
    ``fields`` (the others are empty: ``""`` or None); the window itself is the same
    whatever the bounds, so a cursor moves by ``limit`` residents each time.

    One statement: the window is read once by the database, which judges the bounds and
    counts it, and sends back only the residents meeting them (and the window's last, for
    its key)."""
    unknown = set(fields) - ROW_FIELDS
    if unknown:
        raise ValueError(f"unknown person fields {sorted(unknown)}")
    wanted = [f for f in _ROW_FIELDS if f in fields]
    try:
        sql, params, columns = _window_sql_cached(connection.vendor, tuple(wanted), tuple(where))
    except TypeError:  # a bound whose value cannot be a key (a list): compiled each time
        sql, params, columns = _window_sql(tuple(wanted), tuple(where))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, after_pk, limit])
        found = cursor.fetchall()
    if not found:
        return PersonWindow(rows=[], walked=0, last_pk=after_pk)
    walked, last = int(found[0][-2]), int(found[0][-1])
    rows = []
    for values in found:
        if not values[-3]:  # the window's last resident, outside the bounds
            continue
        row = {name: _converted(values[i], column) for i, (name, column) in enumerate(columns)}
        rows.append(
            PersonRow(
                pk=int(row["pk"]),
                user_id=row.get("user_id"),
                name=row.get("name") or "",
                phone=str(row.get("phone") or ""),
                birth_date=row.get("birth_date"),
                region_code=row.get("region_code") or "",
                id_card_valid_until=row.get("id_card_valid_until"),
            )
        )
    return PersonWindow(rows=rows, walked=walked, last_pk=last)


@functools.lru_cache(maxsize=64)
def _window_sql_cached(
    vendor: str, wanted: tuple[str, ...], where: tuple[PersonBound, ...]
) -> tuple[str, tuple[Any, ...], tuple[tuple[str, Col], ...]]:
    """:func:`_window_sql`, compiled once for a sweep's fields and bounds (the same for
    each of its windows)."""
    return _window_sql(wanted, where)


def _window_sql(
    wanted: tuple[str, ...], where: tuple[PersonBound, ...]
) -> tuple[str, tuple[Any, ...], tuple[tuple[str, Col], ...]]:
    """The window's statement (its parameters then ``after_pk`` and ``limit``): the bounds
    compiled by the ORM (so their values are what the fields store), each row flagged with
    whether it meets them, counted and its last key taken over the window."""
    table = Person._meta.db_table
    qn = connection.ops.quote_name
    narrowed = Person.objects.all()
    for bound in where:
        narrowed = narrowed.filter(_bound_q(bound))
    compiler = narrowed.query.get_compiler(connection=connection)
    bounds, params = compiler.compile(narrowed.query.where) if where else ("", [])
    by_name = {f.attname: f for f in Person._meta.concrete_fields}
    columns = [("pk", Person._meta.pk.get_col(table))]
    columns += [(name, by_name[name].get_col(table)) for name in wanted]
    selected = ", ".join(f"{qn(table)}.{qn(col.target.column)}" for _, col in columns)
    key = qn(Person._meta.pk.column)
    account = qn(Person._meta.get_field("user").column)
    hit = f"CASE WHEN {bounds} THEN 1 ELSE 0 END" if bounds else "1"
    inner = (
        f"SELECT {selected}, {hit} AS ow_hit FROM {qn(table)} "  # noqa: S608 (names, %s)
        f"WHERE {qn(table)}.{key} > %s AND {qn(table)}.{account} IS NOT NULL "
        f"ORDER BY {qn(table)}.{key} LIMIT %s"
    )
    sql = (
        f"SELECT * FROM (SELECT w.*, COUNT(*) OVER () AS ow_walked, MAX(w.{key}) OVER () "  # noqa: S608
        f"AS ow_last FROM ({inner}) w) t WHERE t.ow_hit = 1 OR t.{key} = t.ow_last "
        f"ORDER BY t.{key}"
    )
    return sql, tuple(params), tuple(columns)


def _converted(value: Any, column: Col) -> Any:
    """A value as the ORM gives it (the backend's and the field's converters: decrypted,
    a date on SQLite)."""
    for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
        value = convert(value, column, connection)
    return value
