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
    meta: dict[str, object] = {
        "sentiment_offsets": choose_offsets(logits[:, :3], list(yv)),
        "intent_thresholds": choose_thresholds(logits[:, 3:], gold_val.tolist()),
        "C": chosen,
    }
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "listening.npz", weights=weights.astype(np.float16), bias=bias)
    (out / "listening.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


DISTIL_WEIGHT = 0.1
DISTIL_C = 8.0


def distil(splits: Splits, out: Path, *, seed: int) -> dict[str, object]:
    """Refit the listening model's intent columns with the inbox model as a teacher.

    A few thousand intent examples are all the labels there are, but the training split holds
    some 38,000 real tweets with a sentiment label only. The inbox model (with its intent heads,
    in ``out``) gives each of them a probability per intent; each such tweet then enters the
    intent's logistic regression twice, as a positive weighted ``DISTIL_WEIGHT · p`` and as a
    negative weighted ``DISTIL_WEIGHT · (1 − p)`` (times the class weights of the labelled
    examples), so the linear model learns the words the encoder reads intents from, on far more
    text. The share and C were chosen on validation (question and complaint average precision
    rise, the others hold); the thresholds are chosen again on validation. Opt-in
    (``--only distil``): the committed listening model is not distilled (training/README.md).
    """
    from strata.engagement.classify.models import InboxModel

    unlabelled = [e for e in splits.train if all(v < 0 for v in e.intents)]
    labelled = [e for e in splits.train if any(v >= 0 for v in e.intents)]
    teacher = InboxModel(out, threads=2)
    _, margins = teacher.logits([e.text for e in unlabelled])
    margins = margins - np.asarray(teacher.meta["intent_thresholds"], dtype=np.float32)
    p = 1.0 / (1.0 + np.exp(-np.clip(margins.astype(np.float64), -30.0, 30.0)))
    x_lab = matrix([e.text for e in labelled])
    x_un = matrix([e.text for e in unlabelled])
    x_val = matrix([e.text for e in splits.val])
    gold = np.array([e.intents for e in labelled])
    gold_val = np.array([e.intents for e in splits.val])

    with np.load(out / "listening.npz") as stored:
        weights = stored["weights"].astype(np.float32)
        bias = stored["bias"].astype(np.float32)
    for k in range(len(INTENTS)):
        known = gold[:, k] >= 0
        y = gold[known, k]
        w_pos, w_neg = len(y) / (2.0 * max(1, y.sum())), len(y) / (2.0 * max(1, len(y) - y.sum()))
        x = sp.vstack([x_lab[known], x_un, x_un]).tocsr()
        target = np.concatenate([y, np.ones(len(unlabelled)), np.zeros(len(unlabelled))])
        sample = np.concatenate([np.where(y == 1, w_pos, w_neg), DISTIL_WEIGHT * p[:, k] * w_pos, DISTIL_WEIGHT * (1.0 - p[:, k]) * w_neg])
        model = LogisticRegression(C=DISTIL_C, max_iter=1000, random_state=seed).fit(x, target, sample_weight=sample)
        weights[:, 3 + k] = model.coef_[0]
        bias[3 + k] = model.intercept_[0]

    logits = np.asarray(x_val @ weights) + bias
    meta: dict[str, object] = json.loads((out / "listening.json").read_text())
    meta["intent_thresholds"] = choose_thresholds(logits[:, 3:], gold_val.tolist())
    meta["distilled"] = {"teacher": "inbox", "weight": DISTIL_WEIGHT, "C": DISTIL_C, "texts": len(unlabelled)}
    np.savez_compressed(out / "listening.npz", weights=weights.astype(np.float16), bias=bias)
    (out / "listening.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta
