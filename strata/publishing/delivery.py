"""Exactly-once delivery. The database is the truth: a worker claims one due variant at a time
with a conditional UPDATE that only one worker can win, writes an attempt row before it calls
the platform, and records the outcome after. A worker that dies leaves a claimed variant and an
attempt without outcome; whoever recovers it looks on the platform before publishing again.

Idempotency comes from the platforms themselves: each part of a variant has a key chosen when
the post was made (a Bluesky record key, a Mastodon Idempotency-Key), so a repeated publish
cannot make a second copy. Where a platform has no such thing, an unknown outcome goes to a
person ("unconfirmed") instead of being retried.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils.timezone import now

from strata.crypto import SecretUnreadable
from strata.platforms.base import Credentials, Media, OutcomeUnknown, Outgoing, Part, PermanentError, Published, RateLimited, TransientError
from strata.platforms.registry import adapter_for
from strata.publishing import link_hooks
from strata.publishing.claims import Claimed, claim_one, media_of, record_published, settle_post
from strata.publishing.models import Attempt, ChannelAccount, Notification, PostEvent, PublishingSettings, Variant

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = 30.0  # seconds; doubles each attempt, capped
LONGEST_RETRY = 3600.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def lease() -> dt.timedelta:
    """How long a claim may last before another worker may take it over: longer than any one
    publish can take (every platform call has a timeout well below it)."""
    return dt.timedelta(seconds=getattr(settings, "PUBLISH_LEASE_SECONDS", 300))


def claim_due(*, worker: str, at: dt.datetime | None = None) -> Claimed | None:
    """Claim the variant that has been due longest, or None. One claim per transaction."""
    moment = now()
    return claim_one(worker=worker, at=at or moment, now=moment)


def recover_stale(*, worker: str) -> int:
    """Take back claims whose worker is gone: a process of this machine that no longer runs, or
    any claim older than the lease. Their outcome is unknown, so they are checked first."""
    host = socket.gethostname()
    cutoff = now() - lease()
    recovered = 0
    for variant in Variant.objects.filter(state=Variant.State.PUBLISHING).only("pk", "claimed_by", "claimed_at"):
        claim_host, _, pid = variant.claimed_by.partition(":")
        dead_here = claim_host == host and pid.isascii() and pid.isdigit() and variant.claimed_by != worker and not _alive(int(pid))
        if not dead_here and (variant.claimed_at is None or variant.claimed_at > cutoff):
            continue
        with transaction.atomic():
            # The interrupted attempt keeps its number: the next one is numbered after it.
            taken = Variant.objects.filter(pk=variant.pk, state=Variant.State.PUBLISHING, claimed_by=variant.claimed_by).update(
                state=Variant.State.SCHEDULED,
                next_attempt_at=now(),
                check_first=True,
                claimed_by="",
                claimed_at=None,
                attempts=F("attempts") + 1,
            )
            if taken:
                Attempt.objects.filter(variant_id=variant.pk, outcome="").update(
                    outcome=Attempt.Outcome.INTERRUPTED, finished_at=now(), detail="the worker stopped before recording an outcome"
                )
                recovered += taken
    return recovered


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _outgoing(variant: Claimed) -> Outgoing:
    media: dict[int, list[Media]] = {}
    for part, name, mime, alt in media_of(variant.pk) if variant.has_media else ():
        with default_storage.open(name, "rb") as handle:
            media.setdefault(part, []).append(Media(data=handle.read(), mime=mime, alt=alt))
    # Other apps may change the addresses (analytics' short links); see link_hooks.py.
    message = link_hooks.rewrite(variant)
    parts = tuple(
        Part(text=text, link=message.link if index == 0 else "", media=tuple(media.get(index, ())))
        for index, text in enumerate(message.texts)
    )
    return Outgoing(parts=parts, keys=tuple(variant.keys), title=variant.title, reply_to=variant.reply_to, direct=variant.direct)


@dataclass(frozen=True)
class Result:
    state: str
    detail: str = ""


@dataclass
class RunContext:
    """What one run of deliveries may keep: settings and accounts, re-read on every run, and
    updated here when this worker learns something (a rate limit, a broken account)."""

    missed_after: dict[int, dt.timedelta] = field(default_factory=dict)
    accounts: dict[tuple[int, str], ChannelAccount | None] = field(default_factory=dict)
    secrets: dict[int, Credentials] = field(default_factory=dict)

    def missed_after_for(self, workspace_id: int) -> dt.timedelta:
        if workspace_id not in self.missed_after:
            minutes = PublishingSettings.objects.filter(workspace_id=workspace_id).values_list("missed_after_minutes", flat=True).first()
            self.missed_after[workspace_id] = dt.timedelta(minutes=minutes if minutes is not None else 60)
        return self.missed_after[workspace_id]

    def account(self, workspace_id: int, channel_id: str) -> ChannelAccount | None:
        key = (workspace_id, channel_id)
        if key not in self.accounts:
            self.accounts[key] = ChannelAccount.objects.filter(workspace_id=workspace_id, channel_id=channel_id).first()
        return self.accounts[key]

    def credentials(self, account: ChannelAccount) -> Credentials:
        """Decrypted once a run: decryption costs more than the rest of a no-op delivery."""
        if account.pk not in self.secrets:
            self.secrets[account.pk] = account.credentials()
        return self.secrets[account.pk]


def deliver(variant: Claimed, *, worker: str, context: RunContext | None = None) -> Result:
    """Publish one claimed variant and record what happened. Never raises for a platform's answer.

    The claim wrote an attempt row. Then:
    0. the post was deleted → off the queue, silently (deleting takes its variants off the
       queue itself; this is for a variant that was left scheduled all the same);
    1. too late → missed, for a person to decide;
    2. no usable account → failed, for a person to fix;
    3. the account is rate limited → back in the queue for when the limit lifts;
    4. otherwise (after an unknown outcome) a look on the platform, then publish.
    In 0 to 3 the platform is not called, and the attempt row is withdrawn.
    """
    if variant.deleted:
        with transaction.atomic():
            Attempt.objects.filter(pk=variant.attempt_id).delete()
            Variant.objects.filter(pk=variant.pk).update(state=Variant.State.PENDING, next_attempt_at=None, claimed_by="", claimed_at=None)
        return Result(Variant.State.PENDING, "the post was deleted")
    context = context or RunContext()
    missed_after = context.missed_after_for(variant.workspace_id)
    if variant.due_at and now() - variant.due_at > missed_after:
        return _finish(
            variant,
            Variant.State.MISSED,
            f"it was due at {variant.due_at.isoformat()}, more than {missed_after} ago; decide whether to send it late",
        )
    account = context.account(variant.workspace_id, variant.channel_id)
    adapter = adapter_for(variant.platform)
    if account is None or adapter is None:
        return _finish(variant, Variant.State.FAILED, f"channel '{variant.channel_id}' is not connected; connect it, then schedule again")
    if account.broken:
        return _finish(variant, Variant.State.FAILED, f"channel '{variant.channel_id}' needs to be connected again: {account.broken}")
    if account.rate_limited_until and account.rate_limited_until > now():
        with transaction.atomic():
            Attempt.objects.filter(pk=variant.attempt_id).delete()
            Variant.objects.filter(pk=variant.pk).update(
                state=Variant.State.SCHEDULED, next_attempt_at=account.rate_limited_until, claimed_by="", claimed_at=None
            )
        return Result(Variant.State.SCHEDULED, "waiting for the platform's rate limit")
    try:
        credentials = context.credentials(account)
    except SecretUnreadable as exc:
        return _finish(variant, Variant.State.FAILED, str(exc))

    outgoing = _outgoing(variant)
    try:
        if variant.check_first:
            found = adapter.lookup(credentials, outgoing)
            if found is not None:
                return _published(variant, found, Attempt.Outcome.ALREADY_PUBLISHED, checkable=adapter.idempotent)
            if not adapter.idempotent:
                return _finish(
                    variant,
                    Variant.State.UNCONFIRMED,
                    "an earlier attempt may have gone out and the platform cannot tell; check and decide",
                    Attempt.Outcome.UNKNOWN,
                )
        published = adapter.publish(credentials, outgoing)
    except RateLimited as exc:
        until = now() + dt.timedelta(seconds=exc.retry_after or 60)
        ChannelAccount.objects.filter(pk=account.pk).update(rate_limited_until=until)
        account.rate_limited_until = until
        return _retry(variant, Attempt.Outcome.RATE_LIMITED, exc.message, at=until, count=False)
    except PermanentError as exc:
        if "connect the channel again" in exc.message:
            ChannelAccount.objects.filter(pk=account.pk).update(broken=exc.message)
            account.broken = exc.message
        return _finish(variant, Variant.State.FAILED, exc.message, Attempt.Outcome.PERMANENT)
    except OutcomeUnknown as exc:
        if not adapter.idempotent:
            return _finish(variant, Variant.State.UNCONFIRMED, exc.message, Attempt.Outcome.UNKNOWN)
        return _retry(variant, Attempt.Outcome.UNKNOWN, exc.message, check_first=True)
    except TransientError as exc:
        return _retry(
            variant,
            Attempt.Outcome.TRANSIENT,
            exc.message,
            at=now() + dt.timedelta(seconds=exc.retry_after) if exc.retry_after else None,
        )
    except Exception as exc:  # an adapter bug must not leave the variant claimed forever
        log.exception("publishing variant %s failed unexpectedly", variant.pk)
        return _retry(variant, Attempt.Outcome.UNKNOWN, f"unexpected error: {exc!r}", check_first=True)
    return _published(variant, published, Attempt.Outcome.PUBLISHED, checkable=adapter.idempotent)


def backoff(attempts: int) -> float:
    base = min(LONGEST_RETRY, FIRST_RETRY * 2 ** max(0, attempts - 1))
    return float(base * random.uniform(0.8, 1.2))  # jitter, so that retries do not arrive together


def _retry(
    variant: Claimed,
    outcome: str,
    detail: str,
    *,
    at: dt.datetime | None = None,
    check_first: bool = False,
    count: bool = True,
) -> Result:
    attempts = variant.attempts + (1 if count else 0)
    if count and _tries_since_scheduled(variant) >= MAX_ATTEMPTS:
        state = Variant.State.UNCONFIRMED if check_first else Variant.State.FAILED
        return _finish(variant, state, f"gave up after {attempts} attempts: {detail}", outcome)
    with transaction.atomic():
        Attempt.objects.filter(pk=variant.attempt_id).update(outcome=outcome, detail=detail[:5000], finished_at=now())
        Variant.objects.filter(pk=variant.pk).update(
            state=Variant.State.SCHEDULED,
            attempts=attempts,
            next_attempt_at=at or now() + dt.timedelta(seconds=backoff(attempts)),
            last_error=detail[:5000],
            check_first=check_first or variant.check_first,
            claimed_by="",
            claimed_at=None,
        )
    return Result(Variant.State.SCHEDULED, detail)


def _tries_since_scheduled(variant: Claimed) -> int:
    """Tries that count against MAX_ATTEMPTS, this one included: those since a person last
    scheduled the post, not counting waits for a rate limit. A failed post scheduled again gets
    a fresh allowance; its attempts go on being numbered from before."""
    tries = Attempt.objects.filter(variant_id=variant.pk).exclude(pk=variant.attempt_id).exclude(outcome=Attempt.Outcome.RATE_LIMITED)
    scheduled = PostEvent.objects.filter(post_id=variant.post_id, kind__in=("scheduled", "rescheduled")).order_by("-at").first()
    if scheduled is not None:
        tries = tries.filter(started_at__gte=scheduled.at)
    return tries.count() + 1


def _published(variant: Claimed, published: Published, outcome: str, *, checkable: bool) -> Result:
    record_published(
        checkable=checkable,
        variant=variant,
        outcome=outcome,
        remote_id=published.remote_id,
        url=published.url,
        remote_ids=list(published.remote_ids),
        now=now(),
    )
    return Result(Variant.State.PUBLISHED, published.remote_id)


def _finish(variant: Claimed, state: str, detail: str, outcome: str = "") -> Result:
    """A final state, told to a person. Without an outcome the platform was not called, so the
    attempt row written with the claim is withdrawn."""
    called = bool(outcome)
    with transaction.atomic():
        attempt = Attempt.objects.filter(pk=variant.attempt_id)
        if called:
            attempt.update(outcome=outcome, detail=detail[:5000], finished_at=now())
        else:
            attempt.delete()
        Variant.objects.filter(pk=variant.pk).update(
            state=state, attempts=variant.attempts + (1 if called else 0), last_error=detail[:5000], claimed_by="", claimed_at=None
        )
        label = variant.title or variant.text[:60]
        Notification.objects.create(
            workspace_id=variant.workspace_id, post_id=variant.post_id, text=f"{label} on {variant.channel_id}: {state}. {detail}"
        )
        with connection.cursor() as cursor:
            settle_post(cursor, variant.post_id, now())
    return Result(state, detail)


def run_once(*, worker: str | None = None, limit: int | None = None) -> int:
    """Deliver everything that is due now, one claim at a time. Returns how many were handled."""
    worker = worker or worker_name()
    recover_stale(worker=worker)
    context = RunContext()
    handled = 0
    while limit is None or handled < limit:
        variant = claim_due(worker=worker)
        if variant is None:
            break
        deliver(variant, worker=worker, context=context)
        handled += 1
    return handled


def deliver_forever(*, stop: threading.Event, worker: str | None = None, interval: float = 1.0) -> None:
    """Deliver as things fall due until `stop` is set, finishing the variant in hand first.
    `strata worker` runs this; `strata serve` runs `strata worker` beside the web app.

    An error must not end the loop: it is logged and the next round tries again, on a new
    connection after a database error (a restart, a failover). Nothing is lost: a claim that was in flight is recovered like
    any other."""
    worker = worker or worker_name()
    try:
        while not stop.is_set():
            try:
                handled = run_once(worker=worker, limit=50)
            except Exception as exc:
                log.exception("delivery stopped short; trying again in %s s", interval)
                if isinstance(exc, DatabaseError):
                    connection.close()
                handled = 0
            if not handled:
                stop.wait(interval)
    finally:
        connection.close()  # this thread's own connection
