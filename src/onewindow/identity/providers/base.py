"""The real-name verification boundary: does this name belong to this citizen ID?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RealNameResult:
    matched: bool
    reference: str = ""  # the vendor's transaction id, kept for the audit trail
    reason: str = ""


class RealNameVerifier(Protocol):
    name: str

    def verify(self, *, name: str, id_number: str) -> RealNameResult: ...


class RealNameUnavailable(Exception):
    """The verification service could not be reached; the resident may try again later."""
