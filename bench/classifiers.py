"""Benchmark: the two classifiers on the held-out split, beside VADER measured in the same run.

1. Quality on the seeded, stratified hold-out of ../shared/data that training never saw
   (`training.data.splits`): sentiment macro-recall (SemEval's official metric), macro-F1 and
   accuracy; F1 per intent on the texts whose label for it is known.
2. Speed on one core: ONNX Runtime and the tokenizer on one thread, texts in the batches
   ingest uses (256 per call for the inbox model, 4,096 for the listening model). Texts per
   second of CPU time of this process (the machines are shared, so wall time is also shown).

Needs the training environment (vaderSentiment, the data):

    python bench/classifiers.py [--data ../shared/data] [--models DIR] [--split validation]

``--split validation`` scores the validation split instead, the one to compare candidates on
(the hold-out is for the final table only); ``--models`` reads another copy of the artefacts.
"""

from __future__ import annotations

import os

os.environ["RAYON_NUM_THREADS"] = "1"  # the tokenizer's thread pool, before it is imported
os.environ["OMP_NUM_THREADS"] = "1"

import argparse
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from strata.engagement.classify.labels import INTENTS, SENTIMENTS, Labels
from strata.engagement.classify.models import MODELS, InboxModel, ListeningModel
from training import data


def sentiment_scores(pred: list[str], gold: list[int]) -> tuple[float, float, float]:
    p = np.array([SENTIMENTS.index(s) for s in pred])
    g = np.array(gold)
    recalls, f1s = [], []
    for c in range(3):
        tp = np.sum((p == c) & (g == c))
        recalls.append(tp / max(1, np.sum(g == c)))
        f1s.append(2 * tp / max(1, np.sum(p == c) + np.sum(g == c)))
    return float(np.mean(recalls)), float(np.mean(f1s)), float(np.mean(p == g))


def intent_f1(labels: list[Labels], examples: list[data.Example]) -> dict[str, tuple[float, int]]:
    out = {}
    for k, name in enumerate(INTENTS):
        rows = [(name in lab.intents, ex.intents[k] == 1) for lab, ex in zip(labels, examples, strict=True) if ex.intents[k] >= 0]
        tp = sum(p and g for p, g in rows)
        fp = sum(p and not g for p, g in rows)
        fn = sum(g and not p for p, g in rows)
        out[name] = (2 * tp / max(1, 2 * tp + fp + fn), sum(g for _, g in rows))
    return out


def vader(texts: list[str]) -> list[str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    out = []
    for t in texts:
        c = analyser.polarity_scores(t)["compound"]
        out.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
    return out


def speed(classify: object, texts: list[str], batch: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(0, len(texts), batch):
        classify(texts[i : i + batch])  # type: ignore[operator]
    return len(texts) / (time.process_time() - cpu), len(texts) / (time.perf_counter() - wall)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=data.DEFAULT_DATA)
    parser.add_argument("--models", type=Path, default=MODELS)
    parser.add_argument("--split", choices=["hold-out", "validation"], default="hold-out")
    parser.add_argument("--no-speed", action="store_true", help="quality only")
    args = parser.parse_args()
    splits = data.splits(args.data)
    test = splits.test if args.split == "hold-out" else splits.val
    texts = [e.text for e in test]
    sent = [(i, e.sentiment) for i, e in enumerate(test) if e.sentiment >= 0]
    models: dict[str, InboxModel | ListeningModel] = {"inbox": InboxModel(args.models, threads=1), "listening": ListeningModel(args.models)}
    labels = {name: m.classify(texts) for name, m in models.items()}
    vader_pred = vader([texts[i] for i, _ in sent])

    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    print(
        f"Run on {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}."
    )
    print(
        f"{args.split.capitalize()}: {len(sent)} texts with a sentiment label, {sum(any(v >= 0 for v in e.intents) for e in test)} with intent labels.\n"
    )
    counts = intent_f1(labels["inbox"], test)
    head = " | ".join(f"{n} F1 ({counts[n][1]})" for n in INTENTS)
    print(f"| model | sentiment macro-recall | macro-F1 | accuracy | {head} |")
    print("|---" * (4 + len(INTENTS)) + "|")
    rows = {name: sentiment_scores([labels[name][i].sentiment for i, _ in sent], [g for _, g in sent]) for name in models}
    rows["VADER"] = sentiment_scores(vader_pred, [g for _, g in sent])
    for name, (recall, f1, acc) in rows.items():
        f1s = (
            " | ".join(f"{f:.3f}" for f, _ in intent_f1(labels[name], test).values())
            if name in labels
            else " | ".join("–" for _ in INTENTS)
        )
        print(f"| {name} | {recall:.3f} | {f1:.3f} | {acc:.3f} | {f1s} |")

    if args.no_speed:
        return
    print("\n| model | batch | texts/s, one core (CPU time) | texts/s, wall clock |")
    print("|---|---|---|---|")
    for name, batch, total in (("inbox", 256, 2048), ("listening", 4096, 100_000)):
        sample = (texts * (total // len(texts) + 1))[:total]
        models[name].classify(sample[:batch])  # warm up
        per_cpu, per_wall = speed(models[name].classify, sample, batch)
        print(f"| {name} | {batch} | {per_cpu:,.0f} | {per_wall:,.0f} |")


if __name__ == "__main__":
    main()
