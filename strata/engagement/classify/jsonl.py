"""JSON Lines in, labels out: what `strata classify` does, and ingest's batch call.

Every input line gets exactly one output object, in order: the labels, or ``{"error": ...}``
for a line that is not a JSON object with a string ``text``. Lines are read in batches so
that the model sees many texts per call; a batch is written before the next is read, so a
long stream runs in bounded memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from . import Classifier

BATCH = 256


def _text(line: bytes) -> str | dict[str, str]:
    try:
        value = json.loads(line.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return {"error": "not a JSON object"}
    if not isinstance(value, dict):
        return {"error": "not a JSON object"}
    text = value.get("text")
    if not isinstance(text, str):
        return {"error": "no text: each line needs a string field 'text'"}
    return text


def classify_lines(lines: Iterable[bytes], model: Classifier, batch: int = BATCH) -> Iterator[dict[str, object]]:
    """Yield one answer per line of `lines`, in order."""
    pending: list[str | dict[str, str]] = []

    def flush() -> Iterator[dict[str, object]]:
        texts = [p for p in pending if isinstance(p, str)]
        labels = iter(model.classify(texts))
        for p in pending:
            yield next(labels).as_json() if isinstance(p, str) else dict(p)
        pending.clear()

    for line in lines:
        pending.append(_text(line))
        if len(pending) >= batch:
            yield from flush()
    yield from flush()
