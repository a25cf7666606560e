"""strata worker [--once]: deliver due posts. With --once, deliver everything due and exit."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.timezone import now

from strata.publishing.delivery import deliver_forever, run_once, worker_name
from strata.publishing.models import Variant
from strata.publishing.tasks import BATCH, deliver_due


class Command(BaseCommand):
    help = "Publish what is due, exactly once; run as many as you like, anywhere."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="deliver everything that is due now, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks when nothing is due")
        parser.add_argument(
            "--enqueue",
            type=int,
            metavar="N",
            default=0,
            help="do not deliver here: enqueue up to N delivery tasks for the task workers whenever something is due",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = worker_name()
        if options["enqueue"]:
            self.enqueue(options)
            return
        if options["once"]:
            handled = run_once(worker=worker)
            self.stdout.write(f"delivered {handled} due variant(s)")
            return
        stopping = threading.Event()
        # Finish the variant in hand, then leave.
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        self.stdout.write(f"worker {worker} delivering; Ctrl-C stops it")
        deliver_forever(stop=stopping, worker=worker, interval=options["interval"])

    def enqueue(self, options: dict[str, Any]) -> None:
        """One task per BATCH due variants, at most N at a time; the tasks claim as workers do."""
        while True:
            due = Variant.objects.filter(state=Variant.State.SCHEDULED, next_attempt_at__lte=now()).count()
            tasks = min(options["enqueue"], -(-due // BATCH))
            for _ in range(tasks):
                deliver_due.enqueue()
            if options["once"]:
                self.stdout.write(f"enqueued {tasks} delivery task(s) for {due} due variant(s)")
                return
            time.sleep(options["interval"] if not tasks else max(options["interval"], 2.0))
