"""The labelled data, merged and split once, the same way for training, evaluation and bench.

1. Every file of the data folder (default ``../shared/data`` beside the repository) is read;
   texts are merged on their cleaned, lower-cased form, so a tweet that two files carry is one
   example with the labels of both (``intents_train.csv`` wins where files disagree: it was
   labelled for this project, by its guide).
2. A label a file does not give is unknown (``-1``), not "no": the complaints file says nothing
   about spam, the spam file nothing about complaints. Training skips unknown labels.
3. A seeded, stratified hold-out is taken from each task (10 % of sentiment, 20 % of intents);
   a text held out for either task is removed from both training sets. The rest is split again
   into training and validation (thresholds and calibration are chosen on validation only).
4. Stored corrections (``--corrections FILE``: CSV rows of ``text,label``, where label is a
   sentiment word, an intent word, or ``not_<intent>``) are added to training, never held out.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from strata.engagement.classify.labels import INTENTS, SENTIMENTS
from strata.engagement.classify.text import clean

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SEED = 20261201
csv.field_size_limit(1 << 24)


@dataclass
class Example:
    text: str
    sentiment: int = -1  # index into SENTIMENTS, -1 unknown
    intents: list[int] = field(default_factory=lambda: [-1] * len(INTENTS))  # 1, 0 or -1 unknown
    sources: set[str] = field(default_factory=set)


@dataclass
class Splits:
    train: list[Example]
    val: list[Example]
    test: list[Example]


def _key(text: str) -> str:
    return " ".join(clean(text).lower().split())


def load(data_dir: Path = DEFAULT_DATA) -> list[Example]:
    merged: dict[str, Example] = {}

    def add(text: str, source: str) -> Example:
        k = _key(text)
        ex = merged.setdefault(k, Example(text=text))
        ex.sources.add(source)
        return ex

    with open(data_dir / "sentiment" / "semeval_2013_2016_train.tsv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            add(row["text"], "semeval").sentiment = SENTIMENTS.index(row["label"])
    with open(data_dir / "intent" / "complaints_train.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            ex = add(row["text"], "complaints")
            if "intents" not in ex.sources:
                ex.intents[INTENTS.index("complaint")] = int(row["complaint"])
    with open(data_dir / "intent" / "youtube_spam_train.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            ex = add(row["text"], "youtube")
            if "intents" not in ex.sources:
                ex.intents[INTENTS.index("spam")] = int(row["spam"])
    with open(data_dir / "intent" / "intents_train.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            ex = add(row["text"], "intents")
            ex.intents = [int(row[name]) for name in INTENTS]
    return list(merged.values())


def load_corrections(path: Path) -> list[Example]:
    """Stored corrections: ``text,label`` rows; several rows for one text add up."""
    merged: dict[str, Example] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            ex = merged.setdefault(_key(row["text"]), Example(text=row["text"], sources={"corrections"}))
            label = row["label"].strip()
            if label in SENTIMENTS:
                ex.sentiment = SENTIMENTS.index(label)
            elif label in INTENTS:
                ex.intents[INTENTS.index(label)] = 1
            elif label.startswith("not_") and label[4:] in INTENTS:
                ex.intents[INTENTS.index(label[4:])] = 0
            else:
                raise ValueError(f"{path}: unknown label {label!r}")
    return list(merged.values())


def _stratified(items: list[Example], key: str, share: float, rng: random.Random) -> tuple[list[Example], list[Example]]:
    groups: dict[str, list[Example]] = defaultdict(list)
    for ex in items:
        groups[_stratum(ex, key)].append(ex)
    kept, held = [], []
    for name in sorted(groups):
        group = sorted(groups[name], key=lambda e: _key(e.text))
        rng.shuffle(group)
        cut = round(len(group) * share)
        held += group[:cut]
        kept += group[cut:]
    return kept, held


def _stratum(ex: Example, key: str) -> str:
    if key == "sentiment":
        return str(ex.sentiment)
    source = "intents" if "intents" in ex.sources else sorted(ex.sources - {"semeval"})[0]
    return source + ":" + "".join(str(v) for v in ex.intents)


def split(examples: list[Example], seed: int = SEED) -> Splits:
    rng = random.Random(seed)
    sentiment = [e for e in examples if e.sentiment >= 0 and not any(v >= 0 for v in e.intents)]
    intents = [e for e in examples if any(v >= 0 for v in e.intents)]
    sent_rest, sent_test = _stratified(sentiment, "sentiment", 0.10, rng)
    int_rest, int_test = _stratified(intents, "intents", 0.20, rng)
    sent_train, sent_val = _stratified(sent_rest, "sentiment", 0.08, rng)
    int_train, int_val = _stratified(int_rest, "intents", 0.15, rng)
    return Splits(train=sent_train + int_train, val=sent_val + int_val, test=sent_test + int_test)


def splits(data_dir: Path = DEFAULT_DATA, corrections: Path | None = None) -> Splits:
    result = split(load(data_dir))
    if corrections is not None:
        held = {_key(e.text) for e in result.test + result.val}
        result.train += [e for e in load_corrections(corrections) if _key(e.text) not in held]
    return result
