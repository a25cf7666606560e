"""Bytes of an export → text → CSV records with the line each starts on.

Exports arrive as UTF-8, with or without the byte order mark spreadsheets write, or as UTF-16
(Google Analytics and Excel's "Unicode text" write it, with a byte order mark). NUL cannot be
stored (strata/nul.py) and never belongs in a CSV file, so a text holding one is refused.

GA4 puts comment lines ("# Start date: 20250301") before each table and a blank line between
tables; `records` skips them, but only between records, so a quoted cell keeps what it holds."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from strata.analytics.imports.limits import MAX_UNZIPPED
from strata.analytics.imports.problems import refuse

DELIMITERS = (",", ";", "\t")
# Python's csv module stops at a cell over 131,072 characters with an error that names no cell;
# the text is already bounded, so let it read any cell.
csv.field_size_limit(max(csv.field_size_limit(), MAX_UNZIPPED))


def decode(data: bytes, name: str) -> str:
    """The text of an export, or FileRefused saying why it is not text Strata reads."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"  # the byte order mark says which end comes first, and is dropped
    elif len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        encoding = "utf-16-le"  # UTF-16 without a mark: every other byte of ASCII text is 0
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1 if encoding == "utf-8-sig" else 0
        raise refuse(name, "the file is not UTF-8 or UTF-16 text; export it again, or save it as CSV UTF-8", line) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise refuse(name, "the line holds a NUL character (U+0000): this is not a CSV file", line)
    return text


def delimiter(line: str) -> str:
    """The separator the header uses most: a header names columns, it holds no commas of its
    own, so counting there is safer than guessing from the cells (which may hold any)."""
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass(frozen=True)
class Record:
    line: int  # where the record starts, counting from 1
    cells: list[str]
    new_table: bool  # a comment or blank line came before it: it may be a table's header


class _Lines:
    """The physical lines of a text for csv.reader, numbered; between records (`between`),
    comment and blank lines are skipped and remembered as a break between tables."""

    def __init__(self, text: str, comments: bool) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self._comments = comments
        self.number = 0
        self.start = 0
        self.between = True
        self.broke = True  # the first record begins a table

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        while True:
            line = next(self._lines)
            self.number += 1
            if not self.between:
                return line
            if not line.strip() or (self._comments and line.lstrip().startswith("#")):
                self.broke = True
                continue
            self.between = False
            self.start = self.number
            return line


def records(text: str, name: str, *, comments: bool = False) -> Iterator[Record]:
    """Every record of `text` with its first line; FileRefused where the CSV cannot be read."""
    first = next((line for line in text.splitlines() if line.strip() and not (comments and line.lstrip().startswith("#"))), "")
    lines = _Lines(text, comments)
    reader = csv.reader(lines, delimiter=delimiter(first))
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise refuse(name, f"this line cannot be read as CSV: {exc}", lines.start or lines.number) from None
        new_table, lines.broke, lines.between = lines.broke, False, True
        if cells:
            yield Record(lines.start, [c.strip() for c in cells], new_table)


def header_key(name: str) -> str:
    """A column's name as Strata compares it: lower case, single spaces, no stray marks."""
    return " ".join(name.replace("\ufeff", "").strip().strip('"').lower().split())
