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

    Where ``inbox.json`` names ``intent_heads``, the intents come from a second set of heads
    (``training/heads.py``): per intent, a linear model over the encoder's pooled embedding and
    the listening model's hashed n-grams, plus a share of the encoder's intent logits (the
    listening model's intent columns are not read: their share is folded into the heads). Both
    n-gram models read one featurisation of the batch.

    Texts are ordered by length before batching, so that a batch pads to similar lengths, and
    the answers are put back in the caller's order. ONNX Runtime sessions and the tokenizer are
    safe to call from several threads at once.
    """

    batch = 32

    def __init__(self, directory: Path = MODELS, threads: int = 1, *, heads: bool = True) -> None:
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
        listening = ListeningModel(directory) if self.blend else None
        n_fast = len(SENTIMENTS) + len(INTENTS) if listening is not None else 0
        parts = [listening.weights] if listening is not None else []
        biases = [listening.bias] if listening is not None else []
        # ``heads=False``: the blended logits alone (training/heads.py fits the heads on them).
        spec = self.meta.get("intent_heads") if heads else None
        self.heads: tuple[F32, F32, F32] | None = None
        if spec:
            with np.load(directory / str(spec["file"])) as stored:
                pooled = stored["pooled"].astype(np.float32)
                parts.append(stored["ngrams"].astype(np.float16))
                biases.append(np.zeros(len(INTENTS), dtype=np.float32))
                self.heads = (pooled, stored["bias"].astype(np.float32), np.asarray(spec["previous_weight"], dtype=np.float32))
            if pooled.shape[1] != len(INTENTS) or parts[-1].shape != (BUCKETS, len(INTENTS)):
                raise ValueError(f"{spec['file']} holds heads of shapes {pooled.shape} and {parts[-1].shape}")
        # Training asks for the pooled embeddings without heads; Strata only with them.
        pooled_out = next((o for o in self.session.get_outputs() if o.name == "pooled"), None)
        self._width = int(pooled_out.shape[1]) if pooled_out is not None else 0
        wanted = self.heads is not None or (not heads and pooled_out is not None)
        self.outputs_wanted = ["sentiment", "intents"] + (["pooled"] if wanted else [])
        self._fast_columns = n_fast
        # The listening model's columns, then the heads': one featurisation for both.
        self._ngrams: tuple[npt.NDArray[np.float16], F32] | None = (
            (np.concatenate(parts, axis=1), np.concatenate(biases)) if parts else None
        )

    def outputs(self, texts: Sequence[str]) -> tuple[F32, F32, F32 | None]:
        """The sentiment and intent logits, and the pooled embeddings (with heads, or ``heads=False``
        for training, which then gets the intents blended as without heads)."""
        cleaned = [clean(t) for t in texts]
        order = sorted(range(len(cleaned)), key=lambda i: len(cleaned[i]))
        sentiment = np.zeros((len(texts), len(SENTIMENTS)), dtype=np.float32)
        intents = np.zeros((len(texts), len(INTENTS)), dtype=np.float32)
        pooled = np.zeros((len(texts), self._width), dtype=np.float32) if len(self.outputs_wanted) == 3 else None
        for start in range(0, len(order), self.batch):
            idx = order[start : start + self.batch]
            encoded = self.tokenizer.encode_batch([cleaned[i] for i in idx])
            feed = {
                "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            }
            answer = self.session.run(self.outputs_wanted, feed)
            sentiment[idx] = answer[0]
            intents[idx] = answer[1]
            if pooled is not None:
                pooled[idx] = answer[2]
        if self._ngrams is not None and texts:
            weights, bias = self._ngrams
            step = ListeningModel.batch
            ngrams = np.concatenate([linear_scores(texts[i : i + step], weights, bias) for i in range(0, len(texts), step)])
            if self._fast_columns:
                fast = ngrams[:, : self._fast_columns] * self.blend
                sentiment += fast[:, : len(SENTIMENTS)]
                if self.heads is None:
                    intents += fast[:, len(SENTIMENTS) :]
            if self.heads is not None and pooled is not None:
                head_weights, head_bias, previous = self.heads
                intents = pooled @ head_weights + ngrams[:, self._fast_columns :] + head_bias + previous * intents
        return sentiment, intents, pooled

    def logits(self, texts: Sequence[str]) -> tuple[F32, F32]:
        sentiment, intents, _ = self.outputs(texts)
        return sentiment, intents

    def classify(self, texts: Sequence[str]) -> list[Labels]:
        sentiment, intents = self.logits(texts)
        return _decide(sentiment, intents, self.meta)
