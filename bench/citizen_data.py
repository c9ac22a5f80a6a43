"""Bulk data for the citizen-page benchmark: a city of ``residents`` real-name accounts with
``cases`` cases between them (some in progress with an open task, some waiting for a
supplement, most concluded) and two in-app messages each, written by set-based SQL on
PostgreSQL in chunks (the ORM would take hours for 5 M rows).

The rows are what the platform itself writes: encrypted fields hold real ciphertext (one
value encrypted by the field once and reused), blind indexes are distinct per row, every
foreign key points at a real row of the demo city (services, departments). Generated rows
are marked (usernames ``bench-c<n>``) so a second run tops up instead of starting again.
"""

from __future__ import annotations

import time
from typing import Any

CHUNK = 50_000
DISTRICTS = (
    "440103",
    "440104",
    "440105",
    "440106",
    "440111",
    "440112",
    "440113",
    "440114",
    "440115",
    "440117",
    "440118",
)
USER_PREFIX = "bench-c"


def _ciphertexts() -> dict[str, str]:
    """Real ciphertext for the encrypted columns (the field encrypts once; rows reuse it)."""
    from django.db import connection

    from onewindow.identity.models import Person
    from onewindow.notify.models import Message

    def encrypted(model: Any, field: str, value: str) -> str:
        return str(model._meta.get_field(field).get_db_prep_value(value, connection))

    return {
        "id_number": encrypted(Person, "id_number", "440106199001011234"),
        "phone": encrypted(Person, "phone", "13900000000"),
        "body": encrypted(Message, "body", "您申请的居住证（办件编号B1）有新进展：已受理。"),
    }


def generated_residents() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM identity_user WHERE username LIKE %s", [USER_PREFIX + "%"]
        )
        return int(cur.fetchone()[0])


def generate(*, residents: int, cases_per_resident: int, progress: bool = True) -> dict[str, Any]:
    """Top the city up to ``residents`` generated residents, each with
    ``cases_per_resident`` cases and two messages. Returns counts and seconds."""
    from django.db import connection, transaction

    have = generated_residents()
    started = time.perf_counter()
    if have >= residents:
        return {"residents": have, "generated": 0, "seconds": 0.0}
    secret = _ciphertexts()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT sv.id, s.id FROM catalog_serviceversion sv "
            "JOIN catalog_service s ON s.id = sv.service_id ORDER BY sv.id"
        )
        versions = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT id FROM identity_department ORDER BY id")
        departments = [row[0] for row in cur.fetchall()]
    if not versions or not departments:
        raise SystemExit("seed the demo city first (services and departments)")
    for start in range(have, residents, CHUNK):
        end = min(residents, start + CHUNK)
        with transaction.atomic(), connection.cursor() as cur:
            _chunk(cur, start, end, cases_per_resident, secret, versions, departments)
        if progress:
            rate = (end - have) / max(time.perf_counter() - started, 1e-6)
            print(f"  residents {end:,}/{residents:,} ({rate:,.0f}/s)", flush=True)
    with connection.cursor() as cur:
        for table in ("identity_user", "identity_person", "cases_case", "cases_casetask"):
            cur.execute(f"ANALYZE {table}")
        cur.execute("ANALYZE notify_message")
    return {
        "residents": residents,
        "generated": residents - have,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _chunk(
    cur: Any,
    start: int,
    end: int,
    per: int,
    secret: dict[str, str],
    versions: list[int],
    departments: list[int],
) -> None:
    districts = "ARRAY[" + ",".join(f"'{d}'" for d in DISTRICTS) + "]"
    cur.execute(
        f"""
        WITH new_users AS (
          INSERT INTO identity_user (password, is_superuser, username, first_name, last_name,
            email, is_staff, is_active, date_joined, kind, display_name)
          SELECT '!', false, %(prefix)s || g, '', '', '', false, true, now(), 'resident', ''
          FROM generate_series(%(start)s, %(end)s - 1) g
          RETURNING id, username
        )
        INSERT INTO identity_person (name, id_number, id_number_bidx, phone, phone_bidx,
          birth_date, gender, region_code, assurance, created_at, updated_at, user_id)
        SELECT '居民' || substr(u.username, length(%(prefix)s) + 1), %(idn)s,
          'bench-id-' || u.id, %(phone)s, 'bench-ph-' || u.id,
          date '1945-01-01' + ((u.id * 7919) %% 28000)::int,
          CASE WHEN u.id %% 2 = 0 THEN 'M' ELSE 'F' END,
          ({districts})[1 + (u.id %% {len(DISTRICTS)})::int], 2, now(), now(), u.id
        FROM new_users u
        """,  # noqa: S608 - only generated literals are interpolated
        {
            "prefix": USER_PREFIX,
            "start": start,
            "end": end,
            "idn": secret["id_number"],
            "phone": secret["phone"],
        },
    )
    version_array = "ARRAY[" + ",".join(str(v) for v in versions) + "]::bigint[]"
    # Of every 20 cases: 2 in progress (an open task), 1 waiting for a supplement, the rest
    # concluded (approved, a few rejected or withdrawn); spread over the last three years.
    cur.execute(
        f"""
        INSERT INTO cases_case (number, form_data, status, step, deadline, submitted_at,
          concluded_at, outcome_note, idempotency_key, request_digest, submit_token,
          lock_version, created_at, updated_at, applicant_person_id, created_by_id,
          service_version_id, step_attempts, step_error)
        SELECT 'BN' || p.id || '-' || k, '{{}}'::jsonb,
          CASE WHEN (p.id + k) %% 20 IN (0, 1) THEN 'in_progress'
               WHEN (p.id + k) %% 20 = 2 THEN 'supplement'
               WHEN (p.id + k) %% 20 = 3 THEN 'rejected'
               WHEN (p.id + k) %% 20 = 4 THEN 'withdrawn'
               ELSE 'approved' END,
          'review',
          (now() - ((p.id * k) %% 1000) * interval '1 day')::date + 20,
          now() - ((p.id * k) %% 1000) * interval '1 day',
          CASE WHEN (p.id + k) %% 20 > 2
               THEN now() - ((p.id * k) %% 1000) * interval '1 day' + interval '5 days' END,
          '', '', '', '', 0,
          now() - ((p.id * k) %% 1000) * interval '1 day',
          now() - ((p.id * k) %% 1000) * interval '1 day' + interval '5 days',
          p.id, p.user_id,
          ({version_array})[1 + ((p.id * 31 + k * 17) %% {len(versions)})::int], 0, ''
        FROM identity_person p CROSS JOIN generate_series(1, %(per)s) k
        WHERE p.user_id IN (SELECT id FROM identity_user
                            WHERE username LIKE %(prefix_like)s
                              AND substr(username, length(%(prefix)s) + 1)::int
                                  BETWEEN %(start)s AND %(end)s - 1)
        """,  # noqa: S608
        {
            "per": per,
            "prefix": USER_PREFIX,
            "prefix_like": USER_PREFIX + "%",
            "start": start,
            "end": end,
        },
    )
    department_array = "ARRAY[" + ",".join(str(d) for d in departments) + "]::bigint[]"
    cur.execute(
        f"""
        INSERT INTO cases_casetask (uid, element_id, name, role_code, candidate_groups,
          status, decision, comment, due_date, overdue, escalated, created_at, case_id,
          department_id, findings)
        SELECT 'bench-' || c.id, 'review', '审查', 'approver', '[]'::jsonb,
          CASE WHEN c.status = 'supplement' THEN 'waiting' ELSE 'open' END, '', '',
          c.deadline, false, false, c.submitted_at, c.id,
          ({department_array})[1 + (c.id % {len(departments)})::int], '{{}}'::jsonb
        FROM cases_case c
        WHERE c.status IN ('in_progress', 'supplement') AND c.number LIKE 'BN%'
          AND c.id > (SELECT coalesce(max(case_id), 0) FROM cases_casetask
                      WHERE uid LIKE 'bench-%')
        """  # noqa: S608
    )
    cur.execute(
        """
        INSERT INTO notify_message (kind, title, body, link, source_key, created_at, read_at,
          recipient_id, reason)
        SELECT 'case', '办件进展', %(body)s, '', 'bench:' || u.id || ':' || k,
          now() - k * interval '3 days', CASE WHEN k = 2 THEN now() END, u.id, ''
        FROM identity_user u CROSS JOIN generate_series(1, 2) k
        WHERE u.username LIKE %(prefix_like)s
          AND substr(u.username, length(%(prefix)s) + 1)::int BETWEEN %(start)s AND %(end)s - 1
        """,
        {
            "body": secret["body"],
            "prefix": USER_PREFIX,
            "prefix_like": USER_PREFIX + "%",
            "start": start,
            "end": end,
        },
    )


def sample_users(count: int, *, seed: int = 7) -> list[int]:
    """Random generated residents (TABLESAMPLE-free: ids are dense within the prefix)."""
    import random

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT min(id), max(id) FROM identity_user WHERE username LIKE %s",
            [USER_PREFIX + "%"],
        )
        low, high = cur.fetchone()
    rng = random.Random(seed)
    return sorted(rng.sample(range(low, high + 1), min(count, high - low + 1)))


def session_cookies(user_ids: list[int], *, verified: bool = False) -> list[str]:
    """A logged-in session for each user, as a Cookie header value; ``verified``: with the
    user's authenticator verified for the session (what staff pages ask for)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from onewindow.identity.models import User

    cookies = []
    for user in User.objects.filter(pk__in=user_ids).iterator():
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if verified:
            device = TOTPDevice.objects.filter(user=user).first()
            if device is None:
                raise SystemExit(f"{user.username} has no authenticator")
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    return cookies
