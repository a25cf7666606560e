"""NUL characters: PostgreSQL cannot store them in text, so a request that carries one (a path, a
query parameter, a string in a JSON body) is refused before any query runs; a query that failed
inside the database would also spoil the transaction it ran in."""

from __future__ import annotations

from typing import Any

MESSAGE = "the request holds a NUL character (U+0000), which Strata cannot store; remove it"


def holds_nul(value: Any) -> bool:
    """Whether a string anywhere in `value` (a JSON document: dicts, lists, strings) holds NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_nul(v) for v in value)
    return False
