"""Keep a few child processes running: `strata serve` runs the web app, the publisher and the
task worker each in a process of its own, so that a crash of one (a segmentation fault in a
parser, memory exhausted) cannot take the others with it, and starts again whatever stopped.

Steps of `Supervisor.run()`:
1. start every child;
2. every half second, look for children that have exited; one that stops within `GRACE` seconds
   of its first start could not start at all (a port in use, a bad setting): stop everything and
   report it, since starting it again would fail the same way. Any other exit is logged and the
   child started again after a back-off that doubles up to `MAX_BACKOFF` and resets once it has
   stayed up for `STEADY` seconds;
3. on SIGTERM or SIGINT, ask every child to stop (SIGTERM: the publisher finishes the variant in
   hand), wait for each, and kill what is still running after `STOP_TIMEOUT`.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

log = logging.getLogger("strata.serve")

GRACE = 5.0
STEADY = 60.0
MAX_BACKOFF = 30.0
STOP_TIMEOUT = 30.0


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    starts: int = 0
    backoff: float = 1.0
    restart_at: float | None = None
    exits: list[int] = field(default_factory=list)

    def start(self) -> None:
        self.process = subprocess.Popen(list(self.argv))
        self.started_at = time.monotonic()
        self.starts += 1
        self.restart_at = None
        log.info("%s running as process %s", self.name, self.process.pid)


class StartupFailed(Exception):
    pass


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Supervisor:
    def __init__(self, children: Sequence[Child]) -> None:
        self.children = list(children)
        self.stopping = threading.Event()

    def run(self) -> None:
        """Run until asked to stop. Raises StartupFailed when a child cannot start at all."""
        for child in self.children:
            child.start()
        try:
            while not self.stopping.wait(0.5):
                self.look_after_children()
        finally:
            self.stop_children()

    def look_after_children(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.process is None:
                if child.restart_at is not None and now >= child.restart_at:
                    child.start()
                continue
            code = child.process.poll()
            if code is None:
                if now - child.started_at > STEADY:
                    child.backoff = 1.0
                continue
            child.exits.append(code)
            child.process = None
            if self.stopping.is_set():
                continue
            if child.starts == 1 and now - child.started_at < GRACE:
                raise StartupFailed(f"{child.name} could not start ({describe_exit(code)}); see the lines above")
            log.error("%s stopped (%s); starting it again in %.0f s", child.name, describe_exit(code), child.backoff)
            child.restart_at = now + child.backoff
            child.backoff = min(child.backoff * 2, MAX_BACKOFF)

    def stop_children(self) -> None:
        running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
