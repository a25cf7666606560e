"""What the classifiers answer: one sentiment, zero or more intents, and the scores behind them."""

from __future__ import annotations

from dataclasses import dataclass, field

SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("question", "complaint", "praise", "purchase_intent", "spam")


@dataclass(frozen=True)
class Labels:
    sentiment: str
    intents: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"sentiment": self.sentiment, "intents": list(self.intents), "scores": dict(self.scores)}
