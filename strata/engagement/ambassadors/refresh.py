"""Scoring a workspace's ambassadors again: when, and what it writes.

When: on read. The list, a person's page, the CSV and the API call `refresh_if_stale()`, which
scores again when the last scoring is older than STALE (15 minutes): one GROUP BY over the last
90 days (tally.py), under a second for 100,000 items on either database, so a page may pay for
it now and then. `sweep()` does the same for workspaces nobody looked at for an hour, so that
confirmed ambassadors keep their weekly snapshots: the ingest loop calls it every round, and it
looks at most once a minute. Followers come from the platform in a task (tasks.check_reach),
never in a page.

What: every person the tally finds is scored (scoring.py). The MAX_CANDIDATES best who qualify
(scoring.is_candidate) are kept as candidates; a candidate who no longer qualifies is dropped
unless a person tagged them or chose their audience. Confirmed and dismissed people are never
dropped and keep being scored; confirmed ones get a snapshot for the current week."""

from __future__ import annotations

import datetime as dt
import time

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement.ambassadors import reach, scoring, tally
from strata.engagement.ambassadors.models import Ambassador, AmbassadorScoring, AmbassadorSnapshot
from strata.engagement.listening import handles
from strata.engagement.models import HeardItem
from strata.strategy.store import current_plan

STALE = dt.timedelta(minutes=15)
SWEEP_EVERY = dt.timedelta(hours=1)
SWEEP_LOOK = dt.timedelta(minutes=1)
_next_sweep = 0.0  # time.monotonic() of this process's next look
MAX_CANDIDATES = 500
FIGURES = [
    "score",
    "frequency",
    "recency",
    "sentiment",
    "reach",
    "interactions",
    "interactions_30d",
    "shares_30d",
    "interactions_before",
    "shares_before",
    "last_at",
    "scored_at",
    "handle",
    "name",
]


def refresh_if_stale(workspace: Workspace, *, stale: dt.timedelta = STALE) -> bool:
    """Score again if the last scoring is older than `stale` and no one else is at it."""
    if not _claim(workspace, stale):
        return False
    refresh(workspace)
    return True


def _claim(workspace: Workspace, stale: dt.timedelta) -> bool:
    at = now()
    try:
        row, created = AmbassadorScoring.objects.get_or_create(workspace=workspace, defaults={"refreshed_at": at})
    except IntegrityError:
        return False  # made a moment ago by another process, which scores now
    if created:
        return True
    return bool(AmbassadorScoring.objects.filter(pk=row.pk, refreshed_at__lte=at - stale).update(refreshed_at=at))


def sweep(limit: int = 10) -> int:
    """Score the workspaces that heard something and were not scored for SWEEP_EVERY; the number
    scored. For the ingest loop, which goes round every second: it looks at most once a minute
    per process, and then asks one query when nothing is due."""
    global _next_sweep
    if time.monotonic() < _next_sweep:
        return 0
    _next_sweep = time.monotonic() + SWEEP_LOOK.total_seconds()
    fresh = AmbassadorScoring.objects.filter(refreshed_at__gt=now() - SWEEP_EVERY).values("workspace_id")
    heard = Exists(HeardItem.objects.filter(workspace=OuterRef("pk")))
    due = list(Workspace.objects.filter(heard).exclude(pk__in=fresh).order_by("pk")[:limit])
    return sum(refresh_if_stale(workspace, stale=SWEEP_EVERY) for workspace in due)


def refresh(workspace: Workspace, at: dt.datetime | None = None) -> int:
    """Score everyone the tally finds and store the candidates; the number of people stored."""
    at = at or now()
    plan = current_plan(workspace).plan
    people = {(p.platform, p.author_id): p for p in tally.tallies(workspace, plan, at)}
    with transaction.atomic():
        stored = {(a.platform, a.author_id): a for a in Ambassador.objects.select_for_update().filter(workspace=workspace)}
        scores = {key: _score(person, stored.get(key), at) for key, person in people.items()}
        ranked = sorted((key for key, p in people.items() if scoring.is_candidate(p.tally)), key=lambda k: -scores[k].score)
        best = set(ranked[:MAX_CANDIDATES])
        dropped = [a.pk for key, a in stored.items() if not a.has_human_input and key not in best]
        kept = [a for key, a in stored.items() if a.has_human_input or key in best]
        fresh = [Ambassador(workspace=workspace, platform=p, author_id=i) for p, i in best - set(stored)]
        named = tally.names([people[(a.platform, a.author_id)].newest_id for a in [*kept, *fresh] if (a.platform, a.author_id) in people])
        for ambassador in [*kept, *fresh]:
            key = (ambassador.platform, ambassador.author_id)
            _write(ambassador, people.get(key), scores.get(key), named, at)
        Ambassador.objects.filter(pk__in=dropped).delete()
        _update(kept, [*FIGURES, "audience_id"])
        Ambassador.objects.bulk_create(fresh, batch_size=500)
        _snapshots([a for a in kept if a.status == Ambassador.Status.CONFIRMED], at)
        if handles.appview_url() and Ambassador.objects.filter(reach.due(workspace, at)).exists():
            from strata.engagement.ambassadors.tasks import check_reach

            transaction.on_commit(lambda: check_reach.enqueue(workspace.pk))
    return len(kept) + len(fresh)


def _update(rows: list[Ambassador], fields: list[str]) -> None:
    """One UPDATE by id, sent with executemany: bulk_update's CASE per field and row costs a
    second for 500 rows, this a few milliseconds."""
    if not rows:
        return
    meta, quote = Ambassador._meta, connection.ops.quote_name
    concrete = {f.name: f for f in meta.concrete_fields}
    columns = [concrete[name] for name in fields]
    assigned = ", ".join(f"{quote(c.column)} = %s" for c in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assigned} WHERE {quote(concrete['id'].column)} = %s"
    params = [[c.get_db_prep_save(getattr(row, c.attname), connection) for c in columns] + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _score(person: tally.PersonTally, stored: Ambassador | None, at: dt.datetime) -> scoring.Score:
    return scoring.score(person.tally, at=at, followers=stored.followers if stored else None)


def _write(
    ambassador: Ambassador,
    person: tally.PersonTally | None,
    score: scoring.Score | None,
    named: dict[int, tuple[str, str]],
    at: dt.datetime,
) -> None:
    """The refresh's figures on one row; someone with nothing in the window keeps their last
    interaction, and their score falls with it."""
    if person is None or score is None:
        person = tally.PersonTally(
            ambassador.platform, ambassador.author_id, scoring.Tally(kinds={}, last_at=ambassador.last_at), 0, 0, 0, 0, 0
        )
        score = scoring.score(person.tally, at=at, followers=ambassador.followers)
    ambassador.score, ambassador.frequency, ambassador.recency = score.score, score.frequency, score.recency
    ambassador.sentiment, ambassador.reach = score.sentiment, score.reach
    ambassador.interactions = person.tally.interactions
    ambassador.interactions_30d, ambassador.shares_30d = person.interactions_30d, person.shares_30d
    ambassador.interactions_before, ambassador.shares_before = person.interactions_before, person.shares_before
    ambassador.last_at = person.tally.last_at
    ambassador.scored_at = at
    if person.newest_id in named:
        handle, name = named[person.newest_id]
        # A Bluesky author heard on the event stream is named by DID until handles.py names them.
        if handle and not (handle.startswith("did:") and ambassador.handle and not ambassador.handle.startswith("did:")):
            ambassador.handle, ambassador.name = handle, name
    if not ambassador.handle:
        ambassador.handle = ambassador.author_id
    if not ambassador.audience_chosen:
        ambassador.audience_id = person.guessed_audience or ambassador.audience_id


def week_of(at: dt.datetime) -> dt.date:
    day = at.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def _snapshots(confirmed: list[Ambassador], at: dt.datetime) -> None:
    rows = [
        AmbassadorSnapshot(
            ambassador=a,
            week=week_of(at),
            score=a.score,
            interactions_30d=a.interactions_30d,
            shares_30d=a.shares_30d,
            followers=a.followers,
            taken_at=at,
        )
        for a in confirmed
    ]
    AmbassadorSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["ambassador", "week"],
        update_fields=["score", "interactions_30d", "shares_30d", "followers", "taken_at"],
        batch_size=500,
    )


def snapshot(ambassador: Ambassador, at: dt.datetime | None = None) -> None:
    """This week's snapshot of one ambassador now (on confirming: the trace starts that day)."""
    _snapshots([ambassador], at or now())
