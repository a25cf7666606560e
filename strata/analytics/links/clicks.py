"""The redirect's hot path: find the link, count the click, without the database in between.

Measured (docs/benchmarks.md, bench/redirect.py): writing each click in its request held the
redirect to about 1,000 a second under `strata web`, and to 130 with Django's default of a
database connection per request (on SQLite, closing the last connection checkpoints the
journal: 7 ms). So a request only adds its click to this process's tally in memory and wakes
the process's click writer, a thread with a database connection of its own, which writes
everything the tally holds, then sleeps until the next click. Under load a write carries many
clicks; when it is quiet, each click is written within milliseconds. A click is lost only if
the process is killed between its answer and its write (SIGTERM writes what is pending first).

A click is not a row: its link's day (ClickDay) is added to in place. A person (not a bot)
also leaves the day's visitor hash, and counts as a new visitor only if the hash was not there:

    INSERT INTO visitor (day, digest) VALUES … ON CONFLICT DO NOTHING RETURNING digest  -- the new ones
    INSERT INTO click_day … ON CONFLICT (link_id, day) DO UPDATE SET clicks = clicks + n, …

Links are kept in memory for LINK_SECONDS once found: their target never changes, and a link
deleted with its workspace stops redirecting in this process within that time (its clicks
meanwhile are not written).

The address is used for the hash and forgotten: it is never stored, and never logged."""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field

from django.db import connection, transaction

from strata.analytics.links.models import ClickDay, DailyVisitor, ShortLink
from strata.analytics.links.salt import salt_for

log = logging.getLogger(__name__)

LINKS, DAYS, VISITORS = ShortLink._meta.db_table, ClickDay._meta.db_table, DailyVisitor._meta.db_table
LINK_SECONDS = 60.0
MAX_LINKS_KEPT = 100_000
# How long the writer waits after a click for others to join the same write: one transaction
# for many clicks under load (one per click cost more than the redirect itself), and a click
# is still in the database a tenth of a second after its answer.
LINGER_SECONDS = 0.1
RETRY_SECONDS = 1.0
VISITORS_PER_STATEMENT = 5000  # two parameters each: under SQLite's and PostgreSQL's limits  # after a failed write (the database restarting): the clicks wait in memory

_FIND = f"SELECT id, target FROM {LINKS} WHERE code = %s"
# The WHERE keeps a link deleted meanwhile (its workspace deleted) from failing the whole write.
_COUNT = (
    f"INSERT INTO {DAYS} (link_id, day, clicks, visitors, bots) SELECT %s, %s, %s, %s, %s "
    f"WHERE EXISTS (SELECT 1 FROM {LINKS} WHERE id = %s) "
    f"ON CONFLICT (link_id, day) DO UPDATE SET clicks = {DAYS}.clicks + excluded.clicks, "
    f"visitors = {DAYS}.visitors + excluded.visitors, bots = {DAYS}.bots + excluded.bots"
)


@dataclass(frozen=True)
class Found:
    id: int
    target: str


_links: dict[str, tuple[float, Found]] = {}


def find(code: str) -> Found | None:
    """The link of `code`, from memory or the database."""
    kept = _links.get(code)
    clock = time.monotonic()
    if kept is not None and kept[0] > clock:
        return kept[1]
    with connection.cursor() as cursor:
        cursor.execute(_FIND, [code])
        row = cursor.fetchone()
    if row is None:
        _links.pop(code, None)
        return None
    if len(_links) >= MAX_LINKS_KEPT:
        _links.clear()
    found = Found(row[0], row[1])
    _links[code] = (clock + LINK_SECONDS, found)
    return found


def forget_links() -> None:
    _links.clear()


def visitor_digest(salt: bytes, address: str, user_agent: str, link_id: int) -> str:
    """SHA-256 of the day's salt, the address, the user agent and the link: the same person on
    the same link the same day, and nothing that leads back to them once the salt is gone."""
    hashed = hashlib.sha256(salt)
    for piece in (address, user_agent, str(link_id)):
        hashed.update(b"\x00" + piece.encode("utf-8", "surrogateescape"))
    return hashed.hexdigest()


@dataclass
class Tally:
    """One link's clicks on one day, not written yet."""

    clicks: int = 0
    bots: int = 0
    digests: set[str] = field(default_factory=set)

    def merge(self, other: Tally) -> None:
        self.clicks += other.clicks
        self.bots += other.bots
        self.digests |= other.digests


Batch = dict[tuple[int, dt.date], Tally]


def record(link_id: int, *, address: str, user_agent: str, bot: bool, at: dt.datetime) -> None:
    """Count one click on the link, on the UTC day of `at`. Inside a transaction (a test, a
    caller of its own) it is written at once, in it; otherwise by the click writer."""
    day = at.astimezone(dt.UTC).date()
    tally = Tally(bots=1) if bot else Tally(clicks=1, digests={visitor_digest(salt_for(day), address, user_agent, link_id)})
    if connection.in_atomic_block:
        write({(link_id, day): tally})
        return
    _writer().add(link_id, day, tally)


def write(batch: Batch) -> None:
    """Add a batch of clicks to their days, in one transaction of few statements: the visitor
    hashes in one INSERT that returns those that were new, then one upsert per link and day."""
    owner = {digest: key for key, tally in batch.items() for digest in tally.digests}
    days = {day: connection.ops.adapt_datefield_value(day) for _, day in batch}
    with transaction.atomic(), connection.cursor() as cursor:
        new: dict[tuple[int, dt.date], int] = {}
        pairs = list(owner.items())
        for start in range(0, len(pairs), VISITORS_PER_STATEMENT):
            chunk = pairs[start : start + VISITORS_PER_STATEMENT]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {VISITORS} (day, digest) VALUES {values} ON CONFLICT (day, digest) DO NOTHING RETURNING digest",
                [value for digest, (_, day) in chunk for value in (days[day], digest)],
            )
            for (digest,) in cursor.fetchall():
                new[owner[digest]] = new.get(owner[digest], 0) + 1
        cursor.executemany(
            _COUNT,
            [(link_id, days[day], t.clicks, new.get((link_id, day), 0), t.bots, link_id) for (link_id, day), t in batch.items()],
        )


class Writer(threading.Thread):
    """The process's click writer: writes what the tally holds whenever a click wakes it."""

    def __init__(self) -> None:
        super().__init__(name="strata-click-writer", daemon=True)
        self.pending: Batch = {}
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = False
        self.added = 0  # clicks added, and of those, written: flush() waits for one to reach the other
        self.written = 0

    def add(self, link_id: int, day: dt.date, tally: Tally) -> None:
        with self.lock:
            kept = self.pending.get((link_id, day))
            if kept is None:
                self.pending[(link_id, day)] = tally
            else:
                kept.merge(tally)
            self.added += 1
        self.wake.set()

    def run(self) -> None:
        try:
            while True:
                self.wake.wait()
                time.sleep(LINGER_SECONDS)  # let the clicks of the next moment join this write
                self.wake.clear()
                self.write_pending()
                if self.stopping:
                    self.write_pending()
                    return
        finally:
            connection.close()  # this thread's own

    def write_pending(self) -> None:
        with self.lock:
            batch, self.pending, taken = self.pending, {}, self.added
        if not batch:
            return
        try:
            write(batch)
        except Exception:
            log.exception("could not write %s clicks; trying again in %s s", sum(t.clicks + t.bots for t in batch.values()), RETRY_SECONDS)
            connection.close()  # a new one next time, after a restart or failover
            for (link_id, day), tally in batch.items():
                self.add(link_id, day, tally)
            time.sleep(RETRY_SECONDS)
            return
        self.written = taken

    def stop(self, timeout: float = 5.0) -> None:
        """Write what is pending and end (at exit: SIGTERM ends `strata web` through sys.exit)."""
        self.stopping = True
        self.wake.set()
        self.join(timeout)


_writer_lock = threading.Lock()
_the_writer: Writer | None = None


def _writer() -> Writer:
    """This process's click writer, started with the first click (and again, should it die)."""
    global _the_writer
    writer = _the_writer
    if writer is not None and writer.is_alive():
        return writer
    with _writer_lock:
        if _the_writer is None:
            atexit.register(_stop_at_exit)
        if _the_writer is None or not _the_writer.is_alive():
            dead = _the_writer
            _the_writer = Writer()
            if dead is not None:
                _the_writer.pending = dead.pending
            _the_writer.start()
        return _the_writer


def _stop_at_exit() -> None:
    if _the_writer is not None:
        _the_writer.stop()


def stop_writer() -> None:
    """Write what is pending and end the writer (tests; a new one starts with the next click)."""
    global _the_writer
    if _the_writer is not None:
        _the_writer.stop()
        _the_writer = None


def flush(timeout: float = 5.0) -> None:
    """Wait until the click writer has written every click recorded so far (tests, benchmarks)."""
    writer = _the_writer
    if writer is None:
        return
    target = writer.added
    deadline = time.monotonic() + timeout
    while writer.written < target:
        if not writer.is_alive() or time.monotonic() > deadline:
            raise TimeoutError("the click writer did not write the clicks recorded")
        time.sleep(0.002)
