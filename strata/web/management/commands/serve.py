"""strata serve: everything on one machine. Migrates, makes the demo workspace on a fresh
database, runs the publisher in a thread of this process and the task worker (e-mails) as a
child process, and serves the web app."""

from __future__ import annotations

import atexit
import io
import signal
import subprocess
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from strata.accounts.models import User
from strata.publishing.delivery import deliver_forever


class Command(BaseCommand):
    help = "Run Strata: the web app and its worker, with a demo workspace on a fresh database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not publish or run tasks here (run `strata worker` and `strata db_worker` elsewhere)",
        )
        parser.add_argument("--no-demo", action="store_true", help="do not create the demo workspace on an empty database")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from strata.wsgi import application

        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"] and not User.objects.exists():
            call_command("demo", stdout=io.StringIO())  # the login is printed below, once
        workers: list[subprocess.Popen[bytes]] = []
        stop_publishing = threading.Event()
        publisher = threading.Thread(target=deliver_forever, kwargs={"stop": stop_publishing}, name="publisher", daemon=True)
        if not options["no_worker"]:
            # The publisher (exactly-once delivery of due posts) runs here, the task worker beside.
            publisher.start()
            if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
                workers.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "strata.cli", "db_worker", "--queue-name", "*", "--no-reload", "--verbosity", "0"]
                    )
                )
            for worker in workers:
                atexit.register(worker.terminate)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        from strata.strategy.management.commands.demo import Command as Demo

        if User.objects.filter(email="demo@strata.localhost").exists():
            self.stdout.write(Demo.login_text())
        self.stdout.write(f"Strata is running at http://{options['host']}:{options['port']}/  (Ctrl-C stops it)")
        try:
            serve(application, host=options["host"], port=options["port"], threads=options["threads"], ident="strata")
        finally:
            stop_publishing.set()  # the publisher finishes the variant in hand
            if publisher.is_alive():
                publisher.join(timeout=30)
            for worker in workers:
                worker.terminate()
