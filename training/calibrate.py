"""Decisions chosen on the validation split: sentiment offsets and intent thresholds."""

from __future__ import annotations

import itertools

import numpy as np


def macro_recall(pred: np.ndarray, gold: np.ndarray) -> float:
    return float(np.mean([np.mean(pred[gold == c] == c) for c in range(3) if np.any(gold == c)]))


def f1(pred: np.ndarray, gold: np.ndarray) -> float:
    tp = float(np.sum(pred & gold))
    fp = float(np.sum(pred & ~gold))
    fn = float(np.sum(~pred & gold))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def choose_offsets(logits: np.ndarray, gold_list: list[int]) -> list[float]:
    """Offsets for the negative and positive logits (neutral stays 0) that maximise macro-recall.

    A coarse grid and only two numbers: enough to undo the class imbalance, too little to fit
    the validation split.
    """
    gold = np.asarray(gold_list)
    keep = gold >= 0
    logits, gold = logits[keep], gold[keep]
    grid = np.arange(-1.0, 1.01, 0.25)
    best = (-1.0, [0.0, 0.0, 0.0])
    for neg, pos in itertools.product(grid, grid):
        off = np.array([neg, 0.0, pos])
        score = macro_recall(np.argmax(logits + off, axis=1), gold)
        # Prefer the smaller correction on ties.
        if score > best[0] + 1e-9 or (abs(score - best[0]) <= 1e-9 and abs(neg) + abs(pos) < sum(map(abs, best[1]))):
            best = (score, [float(neg), 0.0, float(pos)])
    return best[1]


def choose_thresholds(scores: np.ndarray, gold_rows: list[list[int]], *, probabilities: bool = False) -> list[float]:
    """One threshold per intent (on the logit, or the probability) that maximises F1 on validation."""
    gold = np.asarray(gold_rows)
    out = []
    for k in range(gold.shape[1]):
        keep = gold[:, k] >= 0
        s, g = scores[keep, k], gold[keep, k] == 1
        # A narrow range: validation holds only a dozen praise or purchase_intent texts, too few
        # to trust a threshold far from the model's own boundary.
        candidates = np.linspace(0.2, 0.8, 13) if probabilities else np.linspace(-1.5, 1.5, 13)
        best = max(candidates, key=lambda t: (f1(s >= t, g), -abs(t - (0.5 if probabilities else 0.0))))
        out.append(float(best))
    return out
