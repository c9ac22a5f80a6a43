"""What the licences app tells other apps.

``licence_issued`` is sent inside the transaction that issues a licence, once per new licence
(a retry that returns the licence issued the first time sends nothing), with ``licence=`` an
:class:`IssuedLicence`. Receivers run in that transaction: what they write commits with the
licence, and a receiver that raises undoes the issue (the case engine retries its step)."""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal

licence_issued = Signal()


@dataclass(frozen=True)
class IssuedLicence:
    id: int
    number: str
    licence_type: str  # the type's code
    case_id: int | None  # the case whose process issued it
    holder_person_id: int | None
    holder_company_id: int | None


# Sent inside the transaction that revokes a licence, once (revoking it again sends nothing),
# with ``licence=`` a :class:`RevokedLicence`: the citizen page tells its holder.
licence_revoked = Signal()


@dataclass(frozen=True)
class RevokedLicence:
    id: int
    number: str
    licence_type: str
    case_id: int | None
    holder_person_id: int | None
    holder_company_id: int | None
    reason: str
