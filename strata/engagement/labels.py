"""Labels for what was heard: the inbox model's sentiment and intents, and a person's corrections.

Items are labelled after they are stored (ingest.read_source, step 4) and by a sweep of anything
left unlabelled, so that a crash between storing and labelling costs nothing but a moment."""

from __future__ import annotations

from django.db import transaction

from strata.engagement.models import HeardItem

BATCH = 256


def label_unlabelled(limit: int = 5000) -> int:
    """Label items that have text and no label yet, oldest first; the number labelled."""
    from strata.engagement.classify import inbox_model

    done = 0
    while done < limit:
        batch = list(HeardItem.objects.filter(sentiment="").exclude(text="").order_by("pk")[:BATCH])
        if not batch:
            break
        results = inbox_model.classify([item.text for item in batch])
        with transaction.atomic():
            for item, result in zip(batch, results, strict=True):
                item.sentiment, item.intents, item.scores = result.sentiment, list(result.intents), dict(result.scores)
                item.refresh_shown()
                item.save(update_fields=["sentiment", "intents", "scores", "shown_sentiment_key", "shown_intents_key"])
        done += len(batch)
    return done
