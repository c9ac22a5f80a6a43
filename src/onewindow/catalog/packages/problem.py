"""A problem found in a service package, printed as ``file:line: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str
    warning: bool = False  # shown, but the package can still be published

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file}: {self.message}"


def as_problem(other: object) -> Problem:
    """Accept the engine's Problem (same fields) and return ours."""
    return Problem(
        file=str(getattr(other, "file", "")),
        line=getattr(other, "line", None),
        message=str(getattr(other, "message", other)),
        warning=bool(getattr(other, "warning", False)),
    )
