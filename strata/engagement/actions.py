"""Every write of the engagement app: views, API, CLI and tasks call these."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.timezone import now

from strata.accounts.actions import ActionError
from strata.accounts.models import User
from strata.engagement.listening.matcher import Matcher, QuerySpec
from strata.engagement.models import HeardItem
from strata.strategy.plan.query import MAX_LENGTH as MAX_QUERY
from strata.strategy.plan.query import QueryError, parse

SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("question", "complaint", "praise", "purchase_intent", "spam")
MAX_TRIAL_TEXT = 10_000


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


@dataclass(frozen=True)
class Trial:
    matches: bool
    error: str = ""
    line: int = 0  # of the error, in the query, 1-based
    column: int = 0


def try_query(*, query: str, text: str, language: str | None = None, text_languages: list[str] | None = None) -> Trial:
    """Whether `query` matches `text`, as listening would decide; or where the query is wrong.
    Nothing is stored: this is the query form's "try it" and the API's test endpoint."""
    if len(query) > MAX_QUERY or len(text) > MAX_TRIAL_TEXT:
        raise ActionError(f"a query may be at most {MAX_QUERY} characters and the text {MAX_TRIAL_TEXT}", field="query")
    try:
        parse(query)
    except QueryError as exc:
        line = query.count("\n", 0, exc.offset) + 1
        column = exc.offset - (query.rfind("\n", 0, exc.offset) + 1) + 1
        return Trial(False, exc.problem, line, column)
    matched = Matcher([QuerySpec("query", query, language or None)]).match(text, text_languages or None)
    return Trial(bool(matched))
