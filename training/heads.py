"""The inbox model's intent heads: one logistic regression per intent over what the inbox model
already computes, fitted after the encoder, without PyTorch.

1. Features: the encoder's mean-pooled embedding (the ``pooled`` output of ``inbox.onnx``, the
   vector its own heads read), standardised and scaled by `POOLED_SCALE`, beside the hashed
   word, word-pair and character n-grams of `strata.engagement.classify.features` (the listening
   model's features). The embedding carries meaning the few intent examples cannot teach (praise
   worded in ways the files never show); the n-grams carry the surface of spam and complaints
   (links, "check out", "still waiting").
2. Each intent is a binary, class-balanced logistic regression on the training texts whose label
   for it is known (stored corrections included), seeded.
3. On the validation split only, per intent: the regularisation from `C_GRID` and how much of
   the inbox model's previous intent logits (encoder plus listening blend) to add, from
   `BASE_GRID`, both by average precision (no threshold involved: a few dozen positives place a
   ranking more steadily than an F1 optimum); then the F1 threshold (`training.calibrate`).
4. Written to ``inbox-heads.npz`` (embedding weights folded with the standardisation, float32;
   n-gram weights float16) and the ``intent_heads`` entry of ``inbox.json``, which
   `strata.engagement.classify.models.InboxModel` applies with numpy. The listening model's
   share of the previous logits is linear in the same n-grams, so it is folded into the heads'
   n-gram weights: the inbox intents then read the encoder's own intent logits
   (``previous_weight`` of them) and no longer the listening model's intent columns, which
   `training.listening.distil` may refit afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from strata.engagement.classify.features import BUCKETS
from strata.engagement.classify.labels import INTENTS, SENTIMENTS
from training.calibrate import choose_thresholds
from training.data import Example, Splits
from training.listening import matrix

POOLED_SCALE = 0.1
C_GRID = (0.25, 1.0, 4.0)
BASE_GRID = (0.0, 0.25, 0.5)
POOLED_OUTPUT = "pooled"


def add_pooled_output(path: Path) -> bool:
    """Expose the pooled embedding that feeds the intent head as an output named ``pooled``.

    The quantised graph reads it through a DynamicQuantizeLinear before the head's
    MatMulInteger; the float graph reads it directly. Returns False when it is already there.
    """
    import onnx

    model = onnx.load(str(path))
    graph = model.graph
    if any(o.name == POOLED_OUTPUT for o in graph.output):
        return False
    producers = {out: node for node in graph.node for out in node.output}
    head = next(n for n in graph.node if "intents.weight_quantized" in n.input or "intents.weight" in n.input)
    source = head.input[0]
    quantiser = producers.get(source)
    if quantiser is not None and quantiser.op_type == "DynamicQuantizeLinear":
        source = quantiser.input[0]
    graph.node.append(onnx.helper.make_node("Identity", [source], [POOLED_OUTPUT], name="pooled_output"))
    graph.output.append(onnx.helper.make_tensor_value_info(POOLED_OUTPUT, onnx.TensorProto.FLOAT, ["batch", 384]))
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return True


def _inputs(out: Path, examples: list[Example]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pooled embeddings, the previous intent logits (before thresholds) and the gold labels."""
    from strata.engagement.classify.models import InboxModel

    model = InboxModel(out, threads=2, heads=False)
    texts = [e.text for e in examples]
    _, base, pooled = model.outputs(texts)
    if pooled is None:
        raise ValueError(f"{out / 'inbox.onnx'} has no pooled output")
    return pooled, base, np.array([e.intents for e in examples])


def _design(pooled: np.ndarray, ngrams: sp.csr_matrix, mean: np.ndarray, scale: np.ndarray) -> sp.csr_matrix:
    return sp.hstack([sp.csr_matrix((pooled - mean) / scale * POOLED_SCALE), ngrams]).tocsr()


def train(splits: Splits, out: Path, *, seed: int) -> dict[str, object]:
    add_pooled_output(out / "inbox.onnx")
    train_set = [e for e in splits.train if any(v >= 0 for v in e.intents)]
    val_set = [e for e in splits.val if any(v >= 0 for v in e.intents)]
    p_train, _, gold = _inputs(out, train_set)
    p_val, base_val, gold_val = _inputs(out, val_set)
    mean = p_train.mean(axis=0)
    scale = p_train.std(axis=0) + 1e-6
    x_train = _design(p_train, matrix([e.text for e in train_set]), mean, scale)
    x_val = _design(p_val, matrix([e.text for e in val_set]), mean, scale)

    width = p_train.shape[1]
    coef = np.zeros((width + BUCKETS, len(INTENTS)), dtype=np.float64)
    bias = np.zeros(len(INTENTS), dtype=np.float64)
    base_weight, chosen_c, scores = [], [], np.zeros((len(val_set), len(INTENTS)))
    for k, name in enumerate(INTENTS):
        known, known_val = gold[:, k] >= 0, gold_val[:, k] >= 0
        best = None
        for c in C_GRID:
            lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=seed)
            lr.fit(x_train[known], gold[known, k])
            head = lr.decision_function(x_val)
            for w in BASE_GRID:
                s = head + w * base_val[:, k]
                ap = average_precision_score(gold_val[known_val, k] == 1, s[known_val])
                # Ties go to the simpler choice: less of the old logits, the middle C.
                key = (round(float(ap), 4), -w, -abs(np.log(c)))
                if best is None or key > best[0]:
                    best = (key, c, w, lr, s)
        assert best is not None
        _, c, w, lr, s = best
        print(f"intent head {name}: C={c}, previous logits ×{w}, validation AP {best[0][0]:.3f}", flush=True)
        coef[:, k] = lr.coef_[0]
        bias[k] = lr.intercept_[0]
        base_weight.append(float(w))
        chosen_c.append(float(c))
        scores[:, k] = s

    # Fold the standardisation into the embedding weights: (p − m)/s·a·w = p·(a·w/s) − m·(a·w/s).
    pooled_w = coef[:width] * (POOLED_SCALE / scale)[:, None]
    bias = bias - mean @ pooled_w
    # Fold the listening model's share of the previous logits into the n-gram weights.
    ngram_w = coef[width:]
    blend = float(json.loads((out / "inbox.json").read_text()).get("listening_weight", 0.0))
    if blend:
        with np.load(out / "listening.npz") as stored:
            fast_w = stored["weights"][:, len(SENTIMENTS) :].astype(np.float64)
            fast_b = stored["bias"][len(SENTIMENTS) :].astype(np.float64)
        share = np.asarray(base_weight) * blend
        ngram_w = ngram_w + fast_w * share
        bias = bias + fast_b * share
    np.savez_compressed(
        out / "inbox-heads.npz",
        pooled=pooled_w.astype(np.float32),
        ngrams=ngram_w.astype(np.float16),
        bias=bias.astype(np.float32),
    )
    meta = json.loads((out / "inbox.json").read_text())
    meta["intent_heads"] = {"file": "inbox-heads.npz", "previous_weight": base_weight, "C": chosen_c}
    meta["intent_thresholds"] = choose_thresholds(scores, gold_val.tolist())
    (out / "inbox.json").write_text(json.dumps(meta, indent=2) + "\n")
    return {"intent_heads": meta["intent_heads"], "intent_thresholds": meta["intent_thresholds"]}
