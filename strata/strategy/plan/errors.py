"""Errors that make a file unreadable as a plan, each pinned to a file, line and column."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class PlanError:
    file: str
    line: int
    column: int
    path: str  # where in the plan, e.g. "channels[acme-bsky].purpose"; "" for the whole file
    message: str

    def __post_init__(self) -> None:
        # One error, one line: messages quoted from YAML or values may carry line breaks.
        object.__setattr__(self, "message", " ".join(self.message.split()))

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}:{self.column}: {where}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class PlanInvalid(Exception):
    """The text cannot be read as a plan. Carries every error found, not only the first."""

    def __init__(self, errors: list[PlanError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
