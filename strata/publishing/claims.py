"""The hot path of delivery in plain SQL: claiming a due variant and recording a success.

The ORM spent twenty times longer building these few statements than the database spent
running them (docs/benchmarks.md); they are fixed, so they are written out once here. Each
claim is a single statement that only one worker can win, one row per transaction, and it
writes the attempt row in the same transaction, before the platform is called:

    UPDATE variant SET state = 'publishing' … WHERE id = (the oldest due id) AND state = 'scheduled'
    RETURNING …;  INSERT INTO attempt …

On PostgreSQL the inner SELECT takes the row with FOR UPDATE SKIP LOCKED, so that workers
pass over rows another worker is claiming instead of waiting for them; each step is one
prepared statement (one round trip, parsed and planned once per connection), and a delivery
is two of them: the claim, then the outcome."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

V, P, A, E = "publishing_variant", "publishing_post", "publishing_attempt", "publishing_postevent"
FINAL = ("published", "failed", "unconfirmed", "missed")


@dataclass
class Claimed:
    """A claimed variant: what delivery needs, read in the claiming statement itself."""

    pk: int
    post_id: int
    workspace_id: int
    title: str
    channel_id: str
    platform: str
    text: str
    link: str
    thread: list[str]
    keys: list[str]
    due_at: dt.datetime | None
    attempts: int
    check_first: bool
    attempt_id: int  # written with the claim, before the platform is called
    has_media: bool
    deleted: bool = False  # the post was deleted: delivery withdraws the claim and calls nothing
    reply_to: str = ""  # the platform's id of what the first part answers (Outgoing.reply_to)
    direct: bool = False  # a private message to the author of what it answers (Outgoing.direct)

    @property
    def parts(self) -> list[str]:
        return [self.text, *self.thread]


def _db_time(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _py_time(value: Any) -> dt.datetime | None:
    """A datetime read by plain SQL: SQLite hands back naive UTC (text or datetime), PostgreSQL aware."""
    if value is None:
        return None
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    return parsed.replace(tzinfo=dt.UTC) if parsed is not None and parsed.tzinfo is None else parsed


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


_RETURNING = "id, post_id, channel_id, platform, text, link, thread, keys, due_at, attempts, check_first, reply_to, direct"
_HAS_MEDIA = "EXISTS (SELECT 1 FROM publishing_media m WHERE m.variant_id = {})"

# PostgreSQL: one round trip claims the row, writes its attempt and reads its post; the
# statement is atomic on its own, so the attempt row is on disk before the platform is called.
_CLAIM_PG = (
    f"WITH c AS (UPDATE {V} SET state = 'publishing', claimed_at = %(now)s, claimed_by = %(worker)s "
    f"WHERE id = (SELECT id FROM {V} WHERE state = 'scheduled' AND next_attempt_at <= %(at)s "
    f"ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) "
    f"AND state = 'scheduled' RETURNING {_RETURNING}), "
    f"a AS (INSERT INTO {A} (variant_id, number, worker, started_at, outcome, detail) "
    f"SELECT id, attempts + 1, %(worker)s, %(now)s, '', '' FROM c RETURNING id) "
    f"SELECT c.id, c.post_id, c.channel_id, c.platform, c.text, c.link, c.thread, c.keys, c.due_at, c.attempts, c.check_first, "
    f"c.reply_to, c.direct, p.workspace_id, p.title, a.id, {_HAS_MEDIA.format('c.id')}, p.deleted_at IS NOT NULL "
    f"FROM c JOIN {P} p ON p.id = c.post_id CROSS JOIN a"
)


def _claimed(row: Any, workspace_id: int, title: str, attempt_id: int, has_media: bool, deleted: bool) -> Claimed:
    return Claimed(
        pk=row[0],
        post_id=row[1],
        workspace_id=workspace_id,
        title=title,
        channel_id=row[2],
        platform=row[3],
        text=row[4],
        link=row[5],
        thread=_json(row[6]),
        keys=_json(row[7]),
        due_at=_py_time(row[8]),
        attempts=row[9],
        check_first=bool(row[10]),
        attempt_id=attempt_id,
        has_media=bool(has_media),
        deleted=bool(deleted),
        reply_to=row[11],
        direct=bool(row[12]),
    )


def _prepared() -> psycopg.Cursor[Any]:
    """A cursor that binds on the server, so that the hot statements are parsed and planned
    once per connection instead of once per call (Django's own cursors bind in the client)."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def claim_one(*, worker: str, at: dt.datetime, now: dt.datetime) -> Claimed | None:
    """Claim the oldest due variant and write its attempt row, in one transaction."""
    if connection.vendor == "postgresql":
        with _prepared() as cursor:
            cursor.execute(_CLAIM_PG, {"now": now, "worker": worker, "at": at}, prepare=True)
            row = cursor.fetchone()
        return _claimed(row, row[13], row[14], row[15], row[16], row[17]) if row is not None else None
    sql = (
        f"UPDATE {V} SET state = 'publishing', claimed_at = %s, claimed_by = %s "
        f"WHERE id = (SELECT id FROM {V} WHERE state = 'scheduled' AND next_attempt_at <= %s ORDER BY next_attempt_at LIMIT 1) "
        f"AND state = 'scheduled' RETURNING {_RETURNING}"
    )
    stamp = _db_time(now)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [stamp, worker, _db_time(at)])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(
            f"SELECT workspace_id, title, {_HAS_MEDIA.format('%s')}, deleted_at IS NOT NULL FROM {P} WHERE id = %s", [row[0], row[1]]
        )
        workspace_id, title, has_media, deleted = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO {A} (variant_id, number, worker, started_at, outcome, detail) VALUES (%s, %s, %s, %s, '', '') RETURNING id",
            [row[0], row[9] + 1, worker, stamp],
        )
        attempt_id = cursor.fetchone()[0]
    return _claimed(row, workspace_id, title, attempt_id, has_media, deleted)


def media_of(variant_id: int) -> list[tuple[int, str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT part, file, mime, alt FROM publishing_media WHERE variant_id = %s ORDER BY id", [variant_id])
        return list(cursor.fetchall())


# PostgreSQL: the outcome, the variant and (when it was the last one waiting) the post and its
# history, in one statement. Sub-statements see the rows as they were before it, so the post's
# other variants are read as `others`, and this one counts as published.
#
# Where the platform is idempotent the outcome is committed without waiting for the disk
# (set_config(…, true) lasts for this transaction only; RETURNING of a data-modifying WITH is
# always evaluated). If the database then crashed and lost it, the variant would still be
# claimed with an attempt and no outcome: recovery looks on the platform before anything else,
# so a lost outcome costs one look-up, never a second copy. The claim, which is what stops a
# second copy, always waits for the disk; so does every outcome on a platform that cannot be
# asked (e-mail), where a lost outcome would need a person.
_RECORD_PG = f"""
WITH a AS (UPDATE {A} SET outcome = %(outcome)s, detail = %(remote_id)s, finished_at = %(now)s WHERE id = %(attempt)s
      RETURNING set_config('synchronous_commit', %(commit)s, true)),
v AS (UPDATE {V} SET state = 'published', attempts = %(attempts)s, remote_id = %(remote_id)s, remote_url = %(url)s,
      remote_ids = %(remote_ids)s, published_at = %(now)s, last_error = '', check_first = false, claimed_by = '', claimed_at = NULL
      WHERE id = %(variant)s),
others AS (SELECT state FROM {V} WHERE post_id = %(post)s AND id <> %(variant)s),
target AS (SELECT CASE
      WHEN EXISTS (SELECT 1 FROM others WHERE state = 'unconfirmed') THEN 'unconfirmed'
      WHEN EXISTS (SELECT 1 FROM others WHERE state = 'failed') THEN 'failed'
      WHEN EXISTS (SELECT 1 FROM others WHERE state = 'missed') THEN 'missed'
      ELSE 'published' END AS state
    WHERE NOT EXISTS (SELECT 1 FROM others WHERE state NOT IN ('published', 'failed', 'unconfirmed', 'missed'))),
settled AS (UPDATE {P} p SET state = target.state, updated_at = %(now)s FROM target
      WHERE p.id = %(post)s AND p.state <> target.state RETURNING p.id, p.state)
INSERT INTO {E} (post_id, kind, text, at) SELECT id, state, '', %(now)s FROM settled
"""


def record_published(
    *, variant: Claimed, outcome: str, remote_id: str, url: str, remote_ids: list[str], now: dt.datetime, checkable: bool
) -> None:
    """The outcome, the variant and (when it was the last one waiting) the post, atomically.
    `checkable`: the platform can be asked whether the variant went out (see _RECORD_PG)."""
    if connection.vendor == "postgresql":
        params: dict[str, Any] = {
            "outcome": outcome,
            "remote_id": remote_id,
            "now": now,
            "attempt": variant.attempt_id,
            "attempts": variant.attempts + 1,
            "url": url,
            "remote_ids": json.dumps(remote_ids),
            "variant": variant.pk,
            "post": variant.post_id,
            "commit": "off" if checkable else "on",
        }
        with _prepared() as cursor:
            cursor.execute(_RECORD_PG, params, prepare=True)
        return
    stamp = _db_time(now)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {A} SET outcome = %s, detail = %s, finished_at = %s WHERE id = %s", [outcome, remote_id, stamp, variant.attempt_id]
        )
        cursor.execute(
            f"UPDATE {V} SET state = 'published', attempts = %s, remote_id = %s, remote_url = %s, remote_ids = %s, published_at = %s, "
            f"last_error = '', check_first = %s, claimed_by = '', claimed_at = NULL WHERE id = %s",
            [variant.attempts + 1, remote_id, url, json.dumps(remote_ids), stamp, False, variant.pk],
        )
        settle_post(cursor, variant.post_id, now)


def settle_post(cursor: Any, post_id: int, now: dt.datetime) -> None:
    """A scheduled post's state follows its variants once none of them is waiting any more."""
    cursor.execute(f"SELECT state FROM {V} WHERE post_id = %s", [post_id])
    states = {row[0] for row in cursor.fetchall()}
    if not states <= set(FINAL):
        return
    post_state = next((s for s in ("unconfirmed", "failed", "missed") if s in states), "published")
    cursor.execute(
        f"UPDATE {P} SET state = %s, updated_at = %s WHERE id = %s AND state <> %s", [post_state, _db_time(now), post_id, post_state]
    )
    if cursor.rowcount:
        cursor.execute(f"INSERT INTO {E} (post_id, kind, text, at) VALUES (%s, %s, '', %s)", [post_id, post_state, _db_time(now)])
