"""Bulk data for the hotline benchmark: ``rows`` requests (诉求) in every state of the closed
loop, with the departments' parts in them (``Assignment``), written with ``COPY`` on
PostgreSQL (``bulk_create`` in big batches elsewhere, for the smoke test).

The rows look like what the platform writes: the text, kind, category and district of each
come from the shipped training set (``catalog/interaction/training.jsonl``); the lead
department is the dispatch catalogue's answer for the category in that district; deadlines
follow the time limits (signing within hours, answering within working days); a share of
the orders in hand is past its deadline; contact fields hold real ciphertext and distinct
blind indexes. Of 1,000: 10 wait for dispatch (some returned by a department), 20 were
dispatched and wait to be signed for (a few objected to), 60 are in hand (a few asking for
more time), 30 are answered and wait for the visit, 780 are concluded, 30 merged, 70 closed
(answered on the phone or withdrawn). Generated order numbers start with ``B`` (the
platform's own are all digits), so a second run tops up instead of starting again.
"""

from __future__ import annotations

import datetime
import functools
import random
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

PREFIX = "B"
CHUNK = 50_000
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "catalog" / "interaction" / "training.jsonl"

STATUSES = (
    # status, share of 1,000, age of the request in hours (from, to)
    ("registered", 10, (0, 36)),
    ("dispatched", 20, (1, 72)),
    ("signed", 60, (24, 600)),
    ("answered", 30, (72, 720)),
    ("concluded", 780, (120, 26_280)),
    ("merged", 30, (24, 26_280)),
    ("closed", 70, (1, 26_280)),
)
CHANNELS = (("phone", 55), ("web", 25), ("api", 12), ("grid", 6), ("open311", 2))
URGENT_SHARE = 0.03
CO_SHARE = 0.08
ANONYMOUS_SHARE = 0.05
CONFIDENTIAL_SHARE = 0.04
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
ANSWER = "经核查，已安排专人处理，并将加强日常巡查。如仍有问题，请再次联系12345。"

REQUEST_COLUMNS = (
    "id", "number", "client_key", "kind", "channel", "status", "urgency", "category_id",
    "title", "content", "region_code", "street_code", "community_code", "address",
    "latitude", "longitude", "person_id", "contact_name", "contact_phone", "phone_bidx",
    "anonymous", "confidential", "case_number", "merged_into_id", "department_id",
    "registered_by_id", "registered_at", "dispatch_due_at", "answer_due", "answered_at",
    "answer", "visit_due", "solved", "satisfaction", "concluded_at", "reopen_count",
    "return_count", "chased_at", "supervised", "escalated_at", "published", "updated_at",
)  # fmt: skip
ASSIGNMENT_COLUMNS = (
    "id", "request_id", "department_id", "role", "status", "sign_due_at", "answer_due",
    "signed_at", "signed_by_id", "answered_at", "answer", "reason", "created_at",
)  # fmt: skip
EXTENSION_COLUMNS = (
    "id", "assignment_id", "working_days", "reason", "status", "asked_by_id", "asked_at",
    "decided_by_id", "decided_at", "decision_note",
)  # fmt: skip
ENCRYPTED = ("contact_name", "contact_phone")


def generated_requests() -> int:
    from onewindow.interaction.models import Request

    return Request.objects.filter(number__startswith=PREFIX).count()


class _Scene:
    """What the rows point at: categories, the dispatch catalogue, residents, staff."""

    def __init__(self) -> None:
        from onewindow.identity.models import Department, Person, User
        from onewindow.interaction.models import Category, DispatchRule
        from onewindow.interaction.routing.corpus import corpus_read

        leaves = dict(Category.objects.filter(active=True, children=None).values_list("code", "pk"))
        self.corpus = [r for r in corpus_read(CORPUS) if r.category in leaves]
        if not self.corpus:
            raise SystemExit("no hotline categories: seed the hotline first")
        self.category_ids = leaves
        self.rules: dict[tuple[int, str], int] = {
            (c, region): d
            for c, region, d in DispatchRule.objects.filter(
                active=True, street_code=""
            ).values_list("category_id", "region_code", "department_id")
        }
        self.departments = list(
            Department.objects.filter(code__startswith="gz-").values_list("pk", flat=True)
        )
        self.people = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:5000])
        self.operators = list(
            User.objects.filter(kind="staff").order_by("pk").values_list("pk", flat=True)[:50]
        )
        if not self.departments or not self.operators:
            raise SystemExit("no departments or staff: seed the demo city first")

    def department(self, category_id: int, region: str) -> int | None:
        return self.rules.get((category_id, region)) or self.rules.get((category_id, ""))


@functools.lru_cache(maxsize=20_000)
def _due(day: datetime.date, working_days: int) -> datetime.date:
    from onewindow.core.calendar import add_working_days

    return add_working_days(day, working_days, estimate=True) if working_days else day


def _weighted(rng: random.Random, table: tuple[tuple[Any, ...], ...]) -> Any:
    return rng.choices(table, weights=[row[1] for row in table])[0]


def _rows(
    scene: _Scene, *, first: int, count: int, start_id: int, start_part: int, seed: int
) -> tuple[list[dict], list[dict], list[dict]]:
    """``count`` requests numbered from ``first`` (ids from ``start_id``), their parts (ids
    from ``start_part``) and pending extensions."""
    from django.utils import timezone

    from onewindow.core.pii import phone_index

    rng = random.Random(f"{seed}:{first}")
    now = timezone.now()
    requests: list[dict] = []
    parts: list[dict] = []
    extensions: list[dict] = []
    part_id = start_part
    for n in range(count):
        rid = start_id + n
        status, _share, (low, high) = _weighted(rng, STATUSES)
        source = rng.choice(scene.corpus)
        urgent = rng.random() < URGENT_SHARE
        at = now - datetime.timedelta(hours=rng.uniform(low, high))
        day = timezone.localdate(at)
        category_id = scene.category_ids[source.category]
        region = source.district
        street = f"{region}{rng.randint(1, 20):03d}"
        channel = _weighted(rng, CHANNELS)[0]
        anonymous = rng.random() < ANONYMOUS_SHARE
        phone = f"13{rng.randint(0, 999_999_999):09d}"
        limit_days = 1 if urgent else (0 if source.kind in ("consultation", "help") else 13)
        answer_due = _due(day, limit_days if limit_days or rng.random() < 0.5 else 3)
        department = scene.department(category_id, region)
        row: dict[str, Any] = {
            "id": rid,
            "number": f"{PREFIX}{day:%Y%m%d}{first + n:08d}",
            "client_key": "",
            "kind": source.kind,
            "channel": channel,
            "status": status,
            "urgency": "urgent" if urgent else "normal",
            "category_id": category_id,
            "title": source.text[:30],
            "content": source.text,
            "region_code": region,
            "street_code": street,
            "community_code": f"{street}{rng.randint(1, 30):03d}",
            "address": f"{rng.randint(1, 300)}号",
            "latitude": Decimal(f"{23.13 + rng.uniform(-0.3, 0.3):.6f}"),
            "longitude": Decimal(f"{113.26 + rng.uniform(-0.3, 0.3):.6f}"),
            "person_id": (
                rng.choice(scene.people) if scene.people and channel in ("web", "api") else None
            ),
            "contact_name": "" if anonymous else f"{rng.choice(SURNAMES)}先生",
            "contact_phone": "" if anonymous else phone,
            "phone_bidx": "" if anonymous else phone_index(phone),
            "anonymous": anonymous,
            "confidential": not anonymous and rng.random() < CONFIDENTIAL_SHARE,
            "case_number": "",
            "merged_into_id": None,
            "department_id": None,
            "registered_by_id": (
                rng.choice(scene.operators) if channel in ("phone", "grid") else None
            ),
            "registered_at": at,
            "dispatch_due_at": at + datetime.timedelta(hours=2 if urgent else 24),
            "answer_due": answer_due,
            "answered_at": None,
            "answer": "",
            "visit_due": None,
            "solved": None,
            "satisfaction": "",
            "concluded_at": None,
            "reopen_count": 0,
            "return_count": 0,
            "chased_at": None,
            "supervised": False,
            "escalated_at": None,
            "published": False,
            "updated_at": at,
        }
        requests.append(row)
        if status == "merged":
            row["merged_into_id"] = rid - rng.randint(1, n) if n else None
            row["status"] = "merged" if n else "concluded"
        if status == "closed":
            row.update(answer=ANSWER, answered_at=at, concluded_at=at)
        if status == "registered" and rng.random() < 0.1 and department is not None:
            # returned by the department it was sent to: back in the queue
            row["return_count"] = 1
            parts.append(_part(part_id, row, department, "returned", at, rng))
            part_id += 1
        if status not in ("dispatched", "signed", "answered", "concluded") or department is None:
            continue
        row["department_id"] = department
        sent = at + datetime.timedelta(minutes=rng.uniform(5, 360))
        part_status = {"dispatched": "pending", "signed": "signed"}.get(status, "answered")
        if status == "dispatched" and rng.random() < 0.02:
            part_status = "objected"
        lead = _part(part_id, row, department, part_status, sent, rng)
        parts.append(lead)
        part_id += 1
        if status == "signed" and rng.random() < 0.01:
            extensions.append(_extension(len(extensions), lead, scene, sent, rng))
        if rng.random() < CO_SHARE:
            co = rng.choice(scene.departments)
            if co != department:
                parts.append(_part(part_id, row, co, part_status, sent, rng, role="co"))
                part_id += 1
        if status in ("answered", "concluded"):
            answered = lead["answered_at"]
            row.update(answer=ANSWER, answered_at=answered, updated_at=answered)
            row["visit_due"] = _due(timezone.localdate(answered), 3)
        if status == "concluded":
            concluded = row["answered_at"] + datetime.timedelta(days=rng.uniform(0.5, 3))
            solved = rng.random() < 0.85
            row.update(
                concluded_at=concluded,
                updated_at=concluded,
                solved=solved,
                satisfaction="satisfied" if solved else "dissatisfied",
                reopen_count=0 if solved else int(rng.random() < 0.3),
            )
        row["supervised"] = status == "signed" and rng.random() < 0.02
    return requests, parts, extensions


def _part(
    pk: int,
    request: dict,
    department: int,
    status: str,
    sent: datetime.datetime,
    rng: random.Random,
    *,
    role: str = "lead",
) -> dict[str, Any]:
    signed = sent + datetime.timedelta(hours=rng.uniform(0.2, 20))
    answered = signed + datetime.timedelta(days=rng.uniform(0.5, 12))
    done = status in ("signed", "answered")
    return {
        "id": pk,
        "request_id": request["id"],
        "department_id": department,
        "role": role,
        "status": status,
        "sign_due_at": sent + datetime.timedelta(hours=2 if request["urgency"] == "urgent" else 24),
        "answer_due": request["answer_due"],
        "signed_at": signed if done else None,
        "signed_by_id": None,
        "answered_at": answered if status == "answered" else None,
        "answer": ANSWER if status == "answered" else "",
        "reason": "不属于本部门职责" if status in ("objected", "returned") else "",
        "created_at": sent,
    }


def _extension(
    index: int, part: dict, scene: _Scene, sent: datetime.datetime, rng: random.Random
) -> dict[str, Any]:
    return {
        "id": None,
        "assignment_id": part["id"],
        "working_days": rng.randint(3, 10),
        "reason": "需协调多个部门现场核查",
        "status": "pending",
        "asked_by_id": rng.choice(scene.operators),
        "asked_at": sent + datetime.timedelta(days=rng.uniform(1, 5)),
        "decided_by_id": None,
        "decided_at": None,
        "decision_note": "",
    }


def _next_ids() -> tuple[int, int]:
    from django.db.models import Max

    from onewindow.interaction.models import Assignment, Request

    top_request = Request.objects.aggregate(m=Max("pk"))["m"] or 0
    top_part = Assignment.objects.aggregate(m=Max("pk"))["m"] or 0
    return top_request + 1, top_part + 1


def _copy(table: str, columns: tuple[str, ...], rows: list[dict], cipher: Any) -> None:
    from django.db import connection

    if rows and rows[0].get("id", 0) is None:
        columns = tuple(c for c in columns if c != "id")  # the table numbers them
    encrypted = [i for i, c in enumerate(columns) if c in ENCRYPTED]
    with connection.cursor() as cur:
        raw = cur.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                values = [row[c] for c in columns]
                for i in encrypted:
                    values[i] = cipher(columns[i], values[i])
                copy.write_row(values)


def _ciphertext() -> Any:
    """The encrypted column's value for a plain one (each distinct value of a column encrypted
    once, by that column's own field: each binds its ciphertext to its own name)."""
    from django.db import connection

    from onewindow.interaction.models import Request

    fields = {name: Request._meta.get_field(name) for name in ENCRYPTED}
    cache: dict[tuple[str, str], str] = {}

    def encrypt(column: str, value: str) -> str:
        if not value:
            return ""
        if (column, value) not in cache:
            cache[column, value] = str(fields[column].get_db_prep_value(value, connection))
        return cache[column, value]

    return encrypt


def _bulk_create(requests: list[dict], parts: list[dict], extensions: list[dict]) -> None:
    from onewindow.interaction.models import Assignment, Extension, Request

    Request.objects.bulk_create([Request(**r) for r in requests], batch_size=2000)
    Assignment.objects.bulk_create([Assignment(**p) for p in parts], batch_size=2000)
    Extension.objects.bulk_create(
        [Extension(**{k: v for k, v in e.items() if k != "id"}) for e in extensions]
    )


def _chunks(have: int, target: int) -> Iterator[tuple[int, int]]:
    while have < target:
        size = min(CHUNK, target - have)
        yield have, size
        have += size


def generate(*, rows: int, seed: int = 2025, progress: bool = True) -> dict[str, Any]:
    """Top the generated requests up to ``rows``; returns how many there are and the seconds
    it took."""
    from django.db import connection, transaction

    started = time.perf_counter()
    have = generated_requests()
    if have >= rows:
        return {"requests": have, "seconds": 0.0}
    scene = _Scene()
    postgres = connection.vendor == "postgresql"
    cipher = _ciphertext()
    counts = {"parts": 0, "extensions": 0}
    for first, size in _chunks(have, rows):
        start_id, start_part = _next_ids()
        requests, parts, extensions = _rows(
            scene, first=first, count=size, start_id=start_id, start_part=start_part, seed=seed
        )
        with transaction.atomic():
            if postgres:
                _copy("interaction_request", REQUEST_COLUMNS, requests, cipher)
                _copy("interaction_assignment", ASSIGNMENT_COLUMNS, parts, cipher)
                _copy("interaction_extension", EXTENSION_COLUMNS, extensions, cipher)
            else:
                _bulk_create(requests, parts, extensions)
        counts["parts"] += len(parts)
        counts["extensions"] += len(extensions)
        if progress:
            done = first + size
            print(f"  {done:,} requests ({time.perf_counter() - started:.0f} s)", flush=True)
    if postgres:
        with connection.cursor() as cur:
            for table in ("interaction_request", "interaction_assignment"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
            cur.execute("ANALYZE interaction_request")
            cur.execute("ANALYZE interaction_assignment")
            cur.execute("ANALYZE interaction_extension")
    return {
        "requests": generated_requests(),
        "added_parts": counts["parts"],
        "added_extensions": counts["extensions"],
        "seconds": round(time.perf_counter() - started, 1),
    }
