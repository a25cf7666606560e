"""strata serve: everything on one machine. Migrates, makes the demo workspace on a fresh
database, then runs the web app, the publisher, ingest and the task worker (e-mails) as
processes of their own under a supervisor that starts again whichever stops
(strata/web/supervisor.py)."""

from __future__ import annotations

import io
import signal
import socket
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from strata.accounts.models import User
from strata.web.supervisor import Child, StartupFailed, Supervisor


class Command(BaseCommand):
    help = "Run Strata: the web app and its workers, with a demo workspace on a fresh database."

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
        self.check_port_free(options["host"], options["port"])
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"] and not User.objects.exists():
            call_command("demo", stdout=io.StringIO())  # the login is printed below, once
        strata = [sys.executable, "-m", "strata.cli"]
        children = [
            Child(
                "the web app",
                [*strata, "web", "--host", options["host"], "--port", str(options["port"]), "--threads", str(options["threads"])],
            )
        ]
        if not options["no_worker"]:
            children.append(Child("the publisher", [*strata, "worker"]))
            children.append(Child("ingest", [*strata, "ingest"]))
            children.append(Child("metrics", [*strata, "metrics", "collect"]))
            children.append(Child("reports", [*strata, "report", "send-due"]))  # e-mails each scheduled report once
            if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
                children.append(Child("the task worker", [*strata, "db_worker", "--queue-name", "*", "--no-reload", "--verbosity", "0"]))
        from strata.strategy.management.commands.demo import Command as Demo

        if User.objects.filter(email="demo@strata.localhost").exists():
            self.stdout.write(Demo.login_text())
        self.stdout.write(f"Strata is running at http://{options['host']}:{options['port']}/  (Ctrl-C stops it)")
        self.stdout.flush()
        supervisor = Supervisor(children)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: supervisor.stopping.set())
        try:
            supervisor.run()
        except StartupFailed as exc:
            raise CommandError(str(exc)) from None

    @staticmethod
    def check_port_free(host: str, port: int) -> None:
        """Say so at once when the address is taken, rather than starting the web app to fail."""
        try:
            with socket.create_server((host, port)):
                pass
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; is Strata already running?") from None
