"""What the exchange tells other apps about its work for a case.

``case_lookup_done`` is sent once a case's service task has looked a resource up through the
exchange (``exchange.lookup``), inside the action's transaction, with ``lookup=`` a
:class:`CaseLookup`: the cases app writes the case's timeline entry from it. The values looked
up are never in it. A receiver that raises fails the step (the engine retries it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal

case_lookup_done = Signal()


@dataclass(frozen=True)
class CaseLookup:
    case_id: int
    resource_code: str
    resource_name: str  # the catalogue's name of the resource (its code when unknown)
    department_name: str  # the department that holds it ('' when unknown)
    found: bool  # a record was found for at least one subject
    reference: str  # the call log's reference of the first call (EX0000000001), or ''
    key: str  # the number the applicant gave to look up under (a key look-up), or ''
    step: str  # the service task's element id
