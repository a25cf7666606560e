"""strata web: the web app alone (no publisher, no task worker). `strata serve` runs it under
its supervisor; behind a process manager of your own, run it directly, as many as you like."""

from __future__ import annotations

import gc
import signal
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve the web app and the API (waitress), without the publisher or the task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from strata.wsgi import application

        # What loading made lives as long as the process: moved out of the collector's sight, a
        # full collection no longer walks it in the middle of a request (the redirect's p99).
        gc.collect()
        gc.freeze()
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="strata")
        except OSError as exc:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {exc.strerror or exc}") from None
