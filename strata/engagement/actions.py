"""Every write of the engagement app: views, API, CLI and tasks call these."""

from __future__ import annotations

from django.utils.timezone import now

from strata.accounts.actions import ActionError
from strata.accounts.models import User
from strata.engagement.models import HeardItem

SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("question", "complaint", "praise", "purchase_intent", "spam")


def correct_labels(*, item: HeardItem, actor: User | None, sentiment: str | None = None, intents: list[str] | None = None) -> HeardItem:
    """A person's labels for an item, kept beside the model's (which are never overwritten) and
    used when the models are trained again (`strata classify --corrections`)."""
    if sentiment is None and intents is None:
        raise ActionError("give a sentiment, intents or both", field="sentiment")
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise ActionError(f"'{sentiment[:40]}' is not a sentiment: one of {', '.join(SENTIMENTS)}", field="sentiment")
    if intents is not None:
        unknown = [i for i in intents if i not in INTENTS]
        if unknown:
            raise ActionError(f"'{unknown[0][:40]}' is not an intent: any of {', '.join(INTENTS)}", field="intents")
        item.corrected_intents = sorted(set(intents), key=INTENTS.index)
    if sentiment is not None:
        item.corrected_sentiment = sentiment
    item.corrected_by, item.corrected_at = actor, now()
    item.refresh_shown()
    item.save(
        update_fields=[
            "corrected_sentiment",
            "corrected_intents",
            "corrected_by",
            "corrected_at",
            "shown_sentiment_key",
            "shown_intents_key",
        ]
    )
    return item
