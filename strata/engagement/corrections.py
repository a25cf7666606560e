"""People's corrections, written out for training the classifiers again (training/README.md,
`--corrections`): a CSV of `text,label` rows, where a label is a sentiment, an intent the text
has, or `not_<intent>` for one the model gave and a person took away."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from strata.engagement.actions import INTENTS
from strata.engagement.models import HeardItem


def rows(workspace_slug: str | None = None) -> Iterator[tuple[str, str]]:
    items = HeardItem.objects.filter(corrected_at__isnull=False, deleted_at__isnull=True).exclude(text="").order_by("pk")
    if workspace_slug:
        items = items.filter(workspace__slug=workspace_slug)
    for item in items.iterator():
        if item.corrected_sentiment:
            yield item.text, item.corrected_sentiment
        if item.corrected_intents is not None:
            for intent in INTENTS:
                yield item.text, intent if intent in item.corrected_intents else f"not_{intent}"


def write(out: Any, workspace_slug: str | None = None) -> int:
    """Write the CSV to `out` (anything with a write method); the number of rows."""
    writer = csv.writer(out)
    writer.writerow(["text", "label"])
    written = 0
    for row in rows(workspace_slug):
        writer.writerow(row)
        written += 1
    return written
