"""Train both classifiers and write the artefacts that Strata ships.

    python training/train.py --out strata/engagement/classify/models [--data ../shared/data]
        [--corrections corrections.csv] [--only listening|inbox|calibrate|heads|distil]

See training/README.md for the environment and the numbers each step should reach.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training import data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=data.ROOT / "strata" / "engagement" / "classify" / "models")
    parser.add_argument("--data", type=Path, default=data.DEFAULT_DATA)
    parser.add_argument("--corrections", type=Path, help="CSV of text,label rows (stored corrections) added to training")
    parser.add_argument(
        "--only",
        choices=["listening", "inbox", "calibrate", "heads", "distil"],
        help=(
            "one step; inbox needs the listening model in --out, calibrate redoes the inbox model's choices on validation, "
            "heads refits the inbox model's intent heads (inbox and calibrate end with it too), "
            "distil refits the listening model's intents with the inbox model as teacher (opt-in, not in the full run)"
        ),
    )
    parser.add_argument("--seed", type=int, default=data.SEED)
    parser.add_argument("--layers", type=int, default=4, help="encoder layers kept for the inbox model")
    parser.add_argument("--per-class", type=int, default=3000, help="sentiment examples per class for the inbox model")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--intent-repeat", type=int, default=1)
    parser.add_argument("--log", type=Path)
    args = parser.parse_args()
    splits = data.splits(args.data, args.corrections)
    print(f"train {len(splits.train)}, validation {len(splits.val)}, hold-out {len(splits.test)}", flush=True)
    if args.only in (None, "listening"):
        from training import listening

        started = time.time()
        meta = listening.train(splits, args.out, seed=args.seed)
        print(f"listening model in {time.time() - started:.0f}s: {json.dumps(meta)}", flush=True)
    if args.only in (None, "inbox"):
        from training import inbox

        started = time.time()
        meta = inbox.train(
            splits,
            args.out,
            layers=args.layers,
            per_class=args.per_class,
            epochs=args.epochs,
            batch=args.batch,
            lr=args.lr,
            intent_repeat=args.intent_repeat,
            seed=args.seed,
            log=args.log,
        )
        print(f"inbox model in {time.time() - started:.0f}s: {json.dumps(meta)}", flush=True)
    if args.only == "calibrate":
        from training import inbox

        print(f"inbox model calibrated: {json.dumps(inbox.calibrate(args.out, splits))}", flush=True)
    if args.only in (None, "inbox", "calibrate", "heads"):
        # After the encoder and its calibration: they rewrite inbox.json, the heads read its blend.
        from training import heads

        started = time.time()
        meta = heads.train(splits, args.out, seed=args.seed)
        print(f"intent heads in {time.time() - started:.0f}s: {json.dumps(meta)}", flush=True)
    if args.only == "distil":  # not part of the full run: see training/README.md
        from training import listening

        started = time.time()
        meta = listening.distil(splits, args.out, seed=args.seed)
        print(f"listening intents distilled in {time.time() - started:.0f}s: {json.dumps(meta)}", flush=True)


if __name__ == "__main__":
    main()
