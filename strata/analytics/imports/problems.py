"""What an import found wrong, and where: a line that is skipped, or a file that is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strata.accounts.actions import ActionError


@dataclass(frozen=True)
class Problem:
    file: str  # the file's name; inside a zip, "export.zip/imported_sources.csv"; "" for the API
    line: int  # the line in the file, counting from 1; for the API, the item counting from 1; 0: the file as a whole
    field: str  # the column at fault, as the file names it; "" for the whole line
    message: str  # what was expected, in plain words

    def __str__(self) -> str:
        where = self.file or "item"
        if self.line:
            where = f"{where}:{self.line}" if self.file else f"item {self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class FileRefused(ActionError):
    """The file cannot be imported at all (too large, not CSV, no usable table, not one line
    that can be imported): nothing is written. `errors` says each reason with its place; the
    API's error handler lists them."""

    def __init__(self, message: str, errors: list[Problem]) -> None:
        super().__init__(message, field="file")
        self.errors = errors


def refuse(file: str, message: str, line: int = 0) -> FileRefused:
    """The file refused for one reason, said with its place."""
    problem = Problem(file, line, "", message)
    return FileRefused(str(problem), [problem])
