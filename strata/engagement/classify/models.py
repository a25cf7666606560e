"""The two classifiers over the committed artefacts in ``models/``.

Both answer `Labels` through one decision rule (`_decide`): the sentiment is the class with
the highest logit after the offsets chosen on validation, an intent is present when its logit
reaches the threshold chosen on validation, and each score is a probability with the decision
at 0.5 (softmax over the offset sentiment logits, ``sigmoid(logit − threshold)`` per intent).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .features import BUCKETS, linear_scores
from .labels import INTENTS, SENTIMENTS, Labels
from .text import clean

MODELS = Path(__file__).resolve().parent / "models"
F32 = npt.NDArray[np.float32]


def _decide(sentiment: F32, intents: F32, meta: dict[str, Any]) -> list[Labels]:
    offsets = np.asarray(meta["sentiment_offsets"], dtype=np.float32)
    thresholds = np.asarray(meta["intent_thresholds"], dtype=np.float32)
    s = sentiment.astype(np.float64) + offsets
    s = np.exp(s - s.max(axis=1, keepdims=True))
    s /= s.sum(axis=1, keepdims=True)
    margin = np.clip(intents.astype(np.float64) - thresholds, -30.0, 30.0)
    p = 1.0 / (1.0 + np.exp(-margin))
    out = []
    for row_s, row_i, row_m in zip(s, p, margin, strict=True):
        scores = {name: round(float(v), 4) for name, v in zip(SENTIMENTS, row_s, strict=True)}
        scores.update({name: round(float(v), 4) for name, v in zip(INTENTS, row_i, strict=True)})
        out.append(
            Labels(
                sentiment=SENTIMENTS[int(np.argmax(row_s))],
                intents=[name for name, m in zip(INTENTS, row_m, strict=True) if m >= 0],
                scores=scores,
            )
        )
    return out


class ListeningModel:
    """Speed first: a linear model over hashed n-grams, numpy only (see `features`)."""

    batch = 1024

    def __init__(self, directory: Path = MODELS) -> None:
        with np.load(directory / "listening.npz") as stored:
            self.weights: npt.NDArray[np.float16] = stored["weights"]
            self.bias: F32 = stored["bias"].astype(np.float32)
        if self.weights.shape != (BUCKETS, len(SENTIMENTS) + len(INTENTS)):
            raise ValueError(f"listening.npz holds weights of shape {self.weights.shape}")
        self.meta: dict[str, Any] = json.loads((directory / "listening.json").read_text())

    def logits(self, texts: Sequence[str]) -> F32:
        parts = [linear_scores(texts[i : i + self.batch], self.weights, self.bias) for i in range(0, len(texts), self.batch)]
        return np.concatenate(parts) if parts else np.zeros((0, self.weights.shape[1]), dtype=np.float32)

    def classify(self, texts: Sequence[str]) -> list[Labels]:
        scores = self.logits(texts)
        return _decide(scores[:, : len(SENTIMENTS)], scores[:, len(SENTIMENTS) :], self.meta)


class InboxModel:
    """Accuracy first: a fine-tuned MiniLM encoder with two heads, int8 ONNX, on one thread,
    blended with the listening model's logits in the share ``inbox.json`` names.

    Texts are ordered by length before batching, so that a batch pads to similar lengths, and
    the answers are put back in the caller's order. ONNX Runtime sessions and the tokenizer are
    safe to call from several threads at once.
    """

    batch = 32

    def __init__(self, directory: Path = MODELS, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.meta: dict[str, Any] = json.loads((directory / "inbox.json").read_text())
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(directory / "inbox.onnx"), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(directory / "inbox-tokenizer.json"))
        self.tokenizer.enable_truncation(int(self.meta["max_tokens"]))
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        # The encoder's logits plus a share of the listening model's, chosen on validation.
        self.blend = float(self.meta.get("listening_weight", 0.0))
        self.listening = ListeningModel(directory) if self.blend else None

    def logits(self, texts: Sequence[str]) -> tuple[F32, F32]:
        cleaned = [clean(t) for t in texts]
        order = sorted(range(len(cleaned)), key=lambda i: len(cleaned[i]))
        sentiment = np.zeros((len(texts), len(SENTIMENTS)), dtype=np.float32)
        intents = np.zeros((len(texts), len(INTENTS)), dtype=np.float32)
        for start in range(0, len(order), self.batch):
            idx = order[start : start + self.batch]
            encoded = self.tokenizer.encode_batch([cleaned[i] for i in idx])
            feed = {
                "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            }
            s, i = self.session.run(["sentiment", "intents"], feed)
            sentiment[idx] = s
            intents[idx] = i
        if self.listening is not None:
            fast = self.listening.logits(texts) * self.blend
            sentiment += fast[:, : len(SENTIMENTS)]
            intents += fast[:, len(SENTIMENTS) :]
        return sentiment, intents

    def classify(self, texts: Sequence[str]) -> list[Labels]:
        sentiment, intents = self.logits(texts)
        return _decide(sentiment, intents, self.meta)
