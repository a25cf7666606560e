"""strata ingest [--once] [--stream | --no-stream]: read every connected account's notifications
and the timelines it listens to into Strata, and the Bluesky event stream (STRATA_BLUESKY_STREAM)
in a thread of its own."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strata.engagement import tasks
from strata.engagement.ingest import ingest_forever, run_once
from strata.engagement.listening import stream
from strata.publishing.delivery import worker_name


class Command(BaseCommand):
    help = (
        "Hear what came in: mentions, replies, quotes, reposts, likes and follows of every connected account, "
        "posts that match the plan's listening queries on the timelines and on the Bluesky event stream."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="read every source once, then exit (not the event stream)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="do not read here: enqueue one task per due source for the task workers (at scale, on Redis)",
        )
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--stream", action="store_true", help="read only the Bluesky event stream (STRATA_BLUESKY_STREAM)")
        which.add_argument("--no-stream", action="store_true", help="do not read the Bluesky event stream here")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            self.enqueue(options)
            return
        if options["once"]:
            stored = run_once()
            self.stdout.write(f"heard {stored} new item(s)")
            return
        url = "" if options["no_stream"] else stream.stream_url()
        if options["stream"] and not url:
            raise CommandError("STRATA_BLUESKY_STREAM is not set: there is no event stream to read")
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        worker = worker_name()
        listener = None
        if url:
            listener = threading.Thread(
                target=stream.listen, kwargs={"stop": stopping, "worker": worker, "url": url}, name="bluesky-stream", daemon=True
            )
            listener.start()
            self.stdout.write(f"ingest {worker} reading the event stream {url}")
        if options["stream"]:
            self.stdout.write("Ctrl-C stops it")
            stopping.wait()
        else:
            self.stdout.write(f"ingest {worker} listening; Ctrl-C stops it")
            ingest_forever(stop=stopping, worker=worker, interval=options["interval"])
        if listener is not None:
            listener.join(10)

    def enqueue(self, options: dict[str, Any]) -> None:
        """Hand due sources to the task workers; a source's lease, not this loop, keeps two tasks
        from reading it at once, so enqueuing a source twice costs one wasted claim."""
        while True:
            enqueued = tasks.enqueue_due()
            if options["once"]:
                self.stdout.write(f"enqueued {enqueued} source(s)")
                return
            time.sleep(max(options["interval"], 1.0))
