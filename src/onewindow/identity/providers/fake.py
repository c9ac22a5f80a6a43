"""A fake real-name gateway: any well-formed name with a valid citizen ID matches, except
ID numbers a test has put in ``rejected`` (to play a name/ID mismatch)."""

from __future__ import annotations

import re
import uuid
from typing import ClassVar

from onewindow.identity.providers.base import RealNameResult

NAME_RE = re.compile(r"^[\u3400-\u9fff·]{2,20}$|^[A-Za-z][A-Za-z .'-]{1,63}$")


class FakeRealNameVerifier:
    name = "fake"
    rejected: ClassVar[set[str]] = set()

    def verify(self, *, name: str, id_number: str) -> RealNameResult:
        if not NAME_RE.match(name) or id_number in self.rejected:
            return RealNameResult(matched=False, reason="name and ID do not match")
        return RealNameResult(matched=True, reference=f"fake-{uuid.uuid4().hex[:12]}")
