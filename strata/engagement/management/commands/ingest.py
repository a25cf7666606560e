"""strata ingest [--once]: read every connected account's notifications into Strata."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from strata.engagement.ingest import ingest_forever, run_once
from strata.publishing.delivery import worker_name


class Command(BaseCommand):
    help = "Hear what came in: mentions, replies, quotes, reposts, likes and follows of every connected account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="read every source once, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            stored = run_once()
            self.stdout.write(f"heard {stored} new item(s)")
            return
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        self.stdout.write(f"ingest {worker_name()} listening; Ctrl-C stops it")
        ingest_forever(stop=stopping, interval=options["interval"])
