"""Labels for what was heard: the classifiers' sentiment and intents, and a person's corrections.

What a person reads from the brand's own conversations (notifications, replies, the threads
they belong to) gets the inbox model, accuracy first; what listening hears on streams and
timelines gets the listening model, speed first. Items are labelled after they are stored
(ingest.read_source, step 4) and by a sweep of anything left unlabelled, so that a crash between
storing and labelling costs nothing but a moment."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from strata.engagement.classify import inbox_model, listening_model
from strata.engagement.models import HeardItem, Source

BATCH = 256
# Heard by listening rather than addressed to the brand: the event stream (no source) and the
# timelines of the queries' hashtags and the public timeline.
LISTENED = Q(source__isnull=True) | Q(source__kind__in=[Source.Kind.HASHTAGS, Source.Kind.PUBLIC])


def label_unlabelled(limit: int = 5000) -> int:
    """Label items that have text and no label yet, oldest first; the number labelled."""
    done = 0
    for listened, model in ((False, inbox_model), (True, listening_model)):
        wanted = HeardItem.objects.filter(sentiment="", deleted_at__isnull=True).exclude(text="")
        wanted = wanted.filter(LISTENED) if listened else wanted.exclude(LISTENED)
        while done < limit:
            batch = list(wanted.order_by("pk")[: min(BATCH, limit - done)])
            if not batch:
                break
            results = model.classify([item.text for item in batch])
            with transaction.atomic():
                for item, result in zip(batch, results, strict=True):
                    item.sentiment, item.intents, item.scores = result.sentiment, list(result.intents), dict(result.scores)
                    item.refresh_shown()
                    item.save(update_fields=["sentiment", "intents", "scores", "shown_sentiment_key", "shown_intents_key"])
            done += len(batch)
    return done
