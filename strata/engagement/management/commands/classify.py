"""`strata classify`: sentiment and intents for JSON Lines, one answer per line, in order."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from strata.engagement import corrections
from strata.engagement.classify import inbox_model, listening_model
from strata.engagement.classify.jsonl import BATCH, classify_lines


class Command(BaseCommand):
    help = (
        "Read JSON Lines with a 'text' field (standard input, or --input FILE) and write one JSON object per line, "
        "in order: sentiment, intents, scores; or an error for a line that has no text."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--input", metavar="FILE", help="read this file instead of standard input")
        parser.add_argument("--fast", action="store_true", help="use the listening model (speed first) instead of the inbox model")
        parser.add_argument(
            "--corrections",
            action="store_true",
            help="instead: write people's corrections as CSV (text,label) for training again (training/README.md)",
        )
        parser.add_argument("--workspace", help="with --corrections: one workspace's only")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["corrections"]:
            corrections.write(self.stdout, options["workspace"])
            return
        model = listening_model if options["fast"] else inbox_model
        try:
            source = open(options["input"], "rb") if options["input"] else sys.stdin.buffer  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {options['input']}: {exc.strerror}") from exc
        try:
            for n, answer in enumerate(classify_lines(source, model), 1):
                self.stdout.write(json.dumps(answer))
                if n % BATCH == 0:
                    self.stdout.flush()
            self.stdout.flush()
        finally:
            if source is not sys.stdin.buffer:
                source.close()
