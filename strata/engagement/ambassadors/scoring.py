"""The ambassador score: pure functions of what a person did in the last WINDOW days.

Four parts, each from 0 to 1:

- frequency  F = min(1, ln(1 + W) / ln(1 + FULL_WEIGHT)), where W is their interactions weighted
             by kind (WEIGHTS: a quote or mention 3, a repost, reply or post about the brand 2,
             a like 1): doing more counts, with diminishing returns; W = 30 is full.
- recency    R = 0.5 ** (days since their newest interaction / HALF_LIFE_DAYS): halves every
             30 days, so someone active this week beats someone last seen in spring.
- sentiment  S = (positive − negative) / labelled, from the labels as shown (a person's
             correction wins), in −1 … +1; 0 when nothing they wrote is labelled (likes and
             reposts carry no words). It counts as (1 + S) / 2: neutral is a half.
- reach      P = min(1, log10(1 + followers) / 5): 100,000 followers is full. None when the
             platform did not say (Mastodon today): the other parts then share its weight.

score = 100 × (0.40 F + 0.25 R + 0.20 (1 + S) / 2 + 0.15 P) / (sum of the weights used)

A person is a *candidate* only when W ≥ MIN_WEIGHT (more than one like), they said no more
negative things than positive ones, and something of theirs was positive: a positive label, a
like or a repost. A frequent complainer scores high on frequency but is never a candidate."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

WINDOW = dt.timedelta(days=90)
RECENT = dt.timedelta(days=30)  # "in the last 30 days", and the 30 days before, for the trend
HALF_LIFE_DAYS = 30.0
FULL_WEIGHT = 30.0
FULL_FOLLOWERS_LOG10 = 5.0  # 100,000 followers
MIN_WEIGHT = 3.0
WEIGHTS = {"quote": 3.0, "mention": 3.0, "repost": 2.0, "reply": 2.0, "post": 2.0, "like": 1.0}
SHARES = ("quote", "repost", "mention", "post")  # what spreads the word to their own followers
PART_WEIGHTS = {"frequency": 0.40, "recency": 0.25, "sentiment": 0.20, "reach": 0.15}


@dataclass(frozen=True)
class Tally:
    """What one person did in the window, as counted in SQL (tally.py)."""

    kinds: dict[str, int]  # interactions by kind
    positive: int = 0
    negative: int = 0
    labelled: int = 0  # items with any sentiment shown, neutral included
    last_at: dt.datetime | None = None

    @property
    def interactions(self) -> int:
        return sum(self.kinds.values())

    @property
    def weighted(self) -> float:
        return sum(WEIGHTS.get(kind, 0.0) * n for kind, n in self.kinds.items())


@dataclass(frozen=True)
class Score:
    score: float  # 0 … 100
    frequency: float
    recency: float
    sentiment: float  # −1 … +1
    reach: float | None


def frequency(weighted: float) -> float:
    return min(1.0, math.log1p(max(weighted, 0.0)) / math.log1p(FULL_WEIGHT))


def recency(last_at: dt.datetime | None, at: dt.datetime) -> float:
    if last_at is None:
        return 0.0
    days = max((at - last_at).total_seconds(), 0.0) / 86400
    return float(0.5 ** (days / HALF_LIFE_DAYS))


def sentiment(positive: int, negative: int, labelled: int) -> float:
    return (positive - negative) / labelled if labelled else 0.0


def reach(followers: int | None) -> float | None:
    if followers is None:
        return None
    return min(1.0, math.log10(1 + max(followers, 0)) / FULL_FOLLOWERS_LOG10)


def combine(frequency: float, recency: float, sentiment: float, reach: float | None) -> float:
    """The score from its parts; an unknown reach leaves its weight out rather than count as 0."""
    parts = {"frequency": frequency, "recency": recency, "sentiment": (1 + sentiment) / 2, "reach": reach}
    used = {name: value for name, value in parts.items() if value is not None}
    total = sum(PART_WEIGHTS[name] for name in used)
    return round(100 * sum(PART_WEIGHTS[name] * value for name, value in used.items()) / total, 1)


def score(tally: Tally, *, at: dt.datetime, followers: int | None) -> Score:
    f, r = frequency(tally.weighted), recency(tally.last_at, at)
    s, p = sentiment(tally.positive, tally.negative, tally.labelled), reach(followers)
    return Score(score=combine(f, r, s, p), frequency=f, recency=r, sentiment=s, reach=p)


def is_candidate(tally: Tally) -> bool:
    """Engages often enough, and positively (see the module's docstring)."""
    endorsed = tally.kinds.get("like", 0) + tally.kinds.get("repost", 0)
    return tally.weighted >= MIN_WEIGHT and tally.negative <= tally.positive and (tally.positive > 0 or endorsed > 0)


def trend(interactions: int, shares: int, interactions_before: int, shares_before: int) -> str:
    """Are they still sharing? The last 30 days against the 30 days before, in words."""
    if not interactions and not interactions_before:
        return "Nothing in the last 60 days."
    now_words = f"{_times(shares, 'Shared')} in the last 30 days ({_count(interactions, 'interaction')})"
    if shares > shares_before:
        return f"{now_words}, up from {shares_before}."
    if shares < shares_before:
        return f"{now_words}, down from {shares_before}."
    if interactions < interactions_before:
        return f"{now_words}: as often as before, but fewer interactions ({interactions_before} before)."
    return f"{now_words}: as often as in the 30 days before."


def _times(n: int, verb: str) -> str:
    if n == 0:
        return f"{verb} nothing"
    return f"{verb} once" if n == 1 else f"{verb} {n} times"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
