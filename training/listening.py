"""The listening model: logistic regression over hashed word and character n-grams.

1. Features come from `strata.engagement.classify.features`, the code that runs in Strata.
2. Sentiment is one multinomial model; each intent a binary model fitted on the texts whose
   label for it is known. The regularisation strength is chosen on validation from a short list.
3. Per-class sentiment offsets and per-intent thresholds are chosen on validation
   (`training.calibrate`), and the weights are stored as float16 (2.5 MB compressed).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from strata.engagement.classify.features import BUCKETS, featurise
from strata.engagement.classify.labels import INTENTS, SENTIMENTS
from training.calibrate import choose_offsets, choose_thresholds, f1, macro_recall
from training.data import Splits

C_GRID = (2.0, 8.0, 32.0)


def matrix(texts: list[str]) -> sp.csr_matrix:
    rows = []
    for i in range(0, len(texts), 2048):
        offsets, buckets = featurise(texts[i : i + 2048])
        counts = np.diff(offsets)
        weight = np.repeat(1.0 / np.sqrt(np.maximum(counts, 1)), counts)
        m = sp.csr_matrix((weight, buckets, offsets), shape=(len(offsets) - 1, BUCKETS))
        m.sum_duplicates()
        rows.append(m)
    return sp.vstack(rows).tocsr()


def train(splits: Splits, out: Path, *, seed: int) -> dict[str, object]:
    x_train = matrix([e.text for e in splits.train])
    x_val = matrix([e.text for e in splits.val])
    weights = np.zeros((BUCKETS, len(SENTIMENTS) + len(INTENTS)), dtype=np.float32)
    bias = np.zeros(weights.shape[1], dtype=np.float32)
    chosen: dict[str, float] = {}

    y = np.array([e.sentiment for e in splits.train])
    yv = np.array([e.sentiment for e in splits.val])
    best = None
    for c in C_GRID:
        model = LogisticRegression(C=c, max_iter=300, random_state=seed).fit(x_train[y >= 0], y[y >= 0])
        score = macro_recall(model.predict(x_val[yv >= 0]), yv[yv >= 0])
        if best is None or score > best[0]:
            best = (score, c, model)
    assert best is not None
    chosen["sentiment"] = best[1]
    weights[:, :3] = best[2].coef_.T
    bias[:3] = best[2].intercept_

    gold = np.array([e.intents for e in splits.train])
    gold_val = np.array([e.intents for e in splits.val])
    for k, name in enumerate(INTENTS):
        known, known_val = gold[:, k] >= 0, gold_val[:, k] >= 0
        best_i = None
        for c in C_GRID:
            model = LogisticRegression(C=c, max_iter=300, class_weight="balanced", random_state=seed)
            model.fit(x_train[known], gold[known, k])
            score = f1(model.predict(x_val[known_val]) == 1, gold_val[known_val, k] == 1)
            if best_i is None or score > best_i[0]:
                best_i = (score, c, model)
        assert best_i is not None
        chosen[name] = best_i[1]
        weights[:, 3 + k] = best_i[2].coef_[0]
        bias[3 + k] = best_i[2].intercept_[0]

    logits = np.asarray(x_val @ weights) + bias
    meta = {
        "sentiment_offsets": choose_offsets(logits[:, :3], list(yv)),
        "intent_thresholds": choose_thresholds(logits[:, 3:], gold_val.tolist()),
        "C": chosen,
    }
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "listening.npz", weights=weights.astype(np.float16), bias=bias)
    (out / "listening.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta
