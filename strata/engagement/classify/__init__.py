"""Sentiment and intents for everything Strata hears, on the CPU, from committed artefacts.

    from strata.engagement.classify import inbox_model, listening_model
    labels = inbox_model.classify(["@acme my order never came, where is it?"])
    labels[0].sentiment, labels[0].intents, labels[0].scores

`inbox_model` (accuracy first) labels what a person will read; `listening_model` (speed first)
runs over whole streams. Each loads once per process, on first use, under a lock; both are
safe to call from several threads. Nothing is downloaded: the models are files in ``models/``,
written by ``training/train.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

from .labels import INTENTS, SENTIMENTS, Labels

__all__ = ["INTENTS", "SENTIMENTS", "Classifier", "Labels", "inbox_model", "listening_model"]


class Classifier(Protocol):
    def classify(self, texts: Sequence[str]) -> list[Labels]: ...


M = TypeVar("M", bound=Classifier)


class _Lazy(Generic[M]):
    def __init__(self, load: Callable[[], M]) -> None:
        self._load = load
        self._model: M | None = None
        self._lock = threading.Lock()

    def get(self) -> M:
        model = self._model
        if model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
                model = self._model
        return model

    def classify(self, texts: Sequence[str]) -> list[Labels]:
        """Labels for `texts`, in their order. Any string is accepted (cut, cleaned first)."""
        return self.get().classify(texts)


def _inbox() -> Classifier:
    from .models import InboxModel

    return InboxModel()


def _listening() -> Classifier:
    from .models import ListeningModel

    return ListeningModel()


inbox_model: _Lazy[Classifier] = _Lazy(_inbox)
listening_model: _Lazy[Classifier] = _Lazy(_listening)
