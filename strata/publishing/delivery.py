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
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils.timezone import now

from strata.crypto import SecretUnreadable
from strata.platforms.base import Media, OutcomeUnknown, Outgoing, Part, PermanentError, Published, RateLimited, TransientError
from strata.platforms.registry import adapter_for
from strata.publishing.models import Attempt, ChannelAccount, Notification, Post, PostEvent, PublishingSettings, Variant

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


def claim_due(*, worker: str, at: dt.datetime | None = None) -> Variant | None:
    """Claim the variant that has been due longest, or None. One claim per transaction."""
    at = at or now()
    due = Variant.objects.filter(state=Variant.State.SCHEDULED, next_attempt_at__lte=at).order_by("next_attempt_at")
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: workers skip rows another worker is claiming instead of queueing on them.
        with transaction.atomic():
            pk = due.select_for_update(skip_locked=True).values_list("pk", flat=True).first()
            if pk is None:
                return None
            Variant.objects.filter(pk=pk).update(state=Variant.State.PUBLISHING, claimed_at=now(), claimed_by=worker)
    else:
        for _ in range(10):
            pk = due.values_list("pk", flat=True).first()
            if pk is None:
                return None
            # Only one worker's UPDATE can match the row while it is still 'scheduled'.
            if Variant.objects.filter(pk=pk, state=Variant.State.SCHEDULED).update(
                state=Variant.State.PUBLISHING, claimed_at=now(), claimed_by=worker
            ):
                break
        else:
            return None
    return Variant.objects.select_related("post", "post__workspace").get(pk=pk)


def recover_stale(*, worker: str) -> int:
    """Take back claims whose worker is gone: a process of this machine that no longer runs, or
    any claim older than the lease. Their outcome is unknown, so they are checked first."""
    host = socket.gethostname()
    cutoff = now() - lease()
    recovered = 0
    for variant in Variant.objects.filter(state=Variant.State.PUBLISHING).only("pk", "claimed_by", "claimed_at"):
        claim_host, _, pid = variant.claimed_by.partition(":")
        dead_here = claim_host == host and pid.isdigit() and variant.claimed_by != worker and not _alive(int(pid))
        if not dead_here and (variant.claimed_at is None or variant.claimed_at > cutoff):
            continue
        with transaction.atomic():
            taken = Variant.objects.filter(pk=variant.pk, state=Variant.State.PUBLISHING, claimed_by=variant.claimed_by).update(
                state=Variant.State.SCHEDULED, next_attempt_at=now(), check_first=True, claimed_by="", claimed_at=None
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


def _outgoing(variant: Variant) -> Outgoing:
    media: dict[int, list[Media]] = {}
    for item in variant.media.all():
        with item.file.open("rb") as handle:
            media.setdefault(item.part, []).append(Media(data=handle.read(), mime=item.mime, alt=item.alt))
    parts = tuple(
        Part(text=text, link=variant.link if index == 0 else "", media=tuple(media.get(index, ())))
        for index, text in enumerate(variant.parts)
    )
    return Outgoing(parts=parts, keys=tuple(variant.keys), title=variant.post.title)


@dataclass(frozen=True)
class Result:
    state: str
    detail: str = ""


def deliver(variant: Variant, *, worker: str) -> Result:
    """Publish one claimed variant and record what happened. Never raises for a platform's answer.

    1. too late → missed, for a person to decide;
    2. no usable account → failed, for a person to fix;
    3. the account is rate limited → back in the queue for when the limit lifts, no attempt;
    4. otherwise an attempt row, then (after an unknown outcome) a look on the platform, then publish.
    """
    post = variant.post
    options = PublishingSettings.objects.filter(workspace_id=post.workspace_id).first()
    missed_after = dt.timedelta(minutes=options.missed_after_minutes if options else 60)
    if variant.due_at and now() - variant.due_at > missed_after:
        return _finish(
            variant,
            None,
            Variant.State.MISSED,
            f"it was due at {variant.due_at.isoformat()}, more than {missed_after} ago; decide whether to send it late",
        )
    account = ChannelAccount.objects.filter(workspace_id=post.workspace_id, channel_id=variant.channel_id).first()
    adapter = adapter_for(variant.platform)
    if account is None or adapter is None:
        return _finish(
            variant, None, Variant.State.FAILED, f"channel '{variant.channel_id}' is not connected; connect it, then schedule again"
        )
    if account.broken:
        return _finish(variant, None, Variant.State.FAILED, f"channel '{variant.channel_id}' needs to be connected again: {account.broken}")
    if account.rate_limited_until and account.rate_limited_until > now():
        Variant.objects.filter(pk=variant.pk).update(
            state=Variant.State.SCHEDULED, next_attempt_at=account.rate_limited_until, claimed_by="", claimed_at=None
        )
        return Result(Variant.State.SCHEDULED, "waiting for the platform's rate limit")
    try:
        credentials = account.credentials()
    except SecretUnreadable as exc:
        return _finish(variant, None, Variant.State.FAILED, str(exc))

    attempt = Attempt.objects.create(variant=variant, number=variant.attempts + 1, worker=worker)
    outgoing = _outgoing(variant)
    try:
        if variant.check_first:
            found = adapter.lookup(credentials, outgoing)
            if found is not None:
                return _published(variant, attempt, found, Attempt.Outcome.ALREADY_PUBLISHED)
            if not adapter.idempotent:
                return _finish(
                    variant,
                    attempt,
                    Variant.State.UNCONFIRMED,
                    "an earlier attempt may have gone out and the platform cannot tell; check and decide",
                    Attempt.Outcome.UNKNOWN,
                )
        published = adapter.publish(credentials, outgoing)
    except RateLimited as exc:
        until = now() + dt.timedelta(seconds=exc.retry_after or 60)
        ChannelAccount.objects.filter(pk=account.pk).update(rate_limited_until=until)
        return _retry(variant, attempt, Attempt.Outcome.RATE_LIMITED, exc.message, at=until, count=False)
    except PermanentError as exc:
        if "connect the channel again" in exc.message:
            ChannelAccount.objects.filter(pk=account.pk).update(broken=exc.message)
        return _finish(variant, attempt, Variant.State.FAILED, exc.message, Attempt.Outcome.PERMANENT)
    except OutcomeUnknown as exc:
        if not adapter.idempotent:
            return _finish(variant, attempt, Variant.State.UNCONFIRMED, exc.message, Attempt.Outcome.UNKNOWN)
        return _retry(variant, attempt, Attempt.Outcome.UNKNOWN, exc.message, check_first=True)
    except TransientError as exc:
        return _retry(
            variant,
            attempt,
            Attempt.Outcome.TRANSIENT,
            exc.message,
            at=now() + dt.timedelta(seconds=exc.retry_after) if exc.retry_after else None,
        )
    except Exception as exc:  # an adapter bug must not leave the variant claimed forever
        log.exception("publishing variant %s failed unexpectedly", variant.pk)
        return _retry(variant, attempt, Attempt.Outcome.UNKNOWN, f"unexpected error: {exc!r}", check_first=True)
    return _published(variant, attempt, published, Attempt.Outcome.PUBLISHED)


def backoff(attempts: int) -> float:
    base = min(LONGEST_RETRY, FIRST_RETRY * 2 ** max(0, attempts - 1))
    return float(base * random.uniform(0.8, 1.2))  # jitter, so that retries do not arrive together


def _retry(
    variant: Variant,
    attempt: Attempt,
    outcome: str,
    detail: str,
    *,
    at: dt.datetime | None = None,
    check_first: bool = False,
    count: bool = True,
) -> Result:
    attempts = variant.attempts + (1 if count else 0)
    if attempts >= MAX_ATTEMPTS:
        state = Variant.State.UNCONFIRMED if check_first else Variant.State.FAILED
        return _finish(variant, attempt, state, f"gave up after {attempts} attempts: {detail}", outcome)
    with transaction.atomic():
        Attempt.objects.filter(pk=attempt.pk).update(outcome=outcome, detail=detail[:5000], finished_at=now())
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


def _published(variant: Variant, attempt: Attempt, published: Published, outcome: str) -> Result:
    with transaction.atomic():
        Attempt.objects.filter(pk=attempt.pk).update(outcome=outcome, detail=published.remote_id, finished_at=now())
        Variant.objects.filter(pk=variant.pk).update(
            state=Variant.State.PUBLISHED,
            attempts=variant.attempts + 1,
            remote_id=published.remote_id,
            remote_url=published.url,
            remote_ids=list(published.remote_ids),
            published_at=now(),
            last_error="",
            check_first=False,
            claimed_by="",
            claimed_at=None,
        )
        _settle_post(variant.post_id)
    return Result(Variant.State.PUBLISHED, published.remote_id)


def _finish(variant: Variant, attempt: Attempt | None, state: str, detail: str, outcome: str = "") -> Result:
    with transaction.atomic():
        if attempt is not None:
            Attempt.objects.filter(pk=attempt.pk).update(outcome=outcome, detail=detail[:5000], finished_at=now())
        Variant.objects.filter(pk=variant.pk).update(
            state=state, attempts=variant.attempts + (1 if attempt else 0), last_error=detail[:5000], claimed_by="", claimed_at=None
        )
        post = variant.post
        Notification.objects.create(
            workspace_id=post.workspace_id, post_id=post.pk, text=f"{post} on {variant.channel_id}: {state}. {detail}"
        )
        _settle_post(variant.post_id)
    return Result(state, detail)


def _settle_post(post_id: int) -> None:
    """A scheduled post's state follows its variants once none is waiting any more."""
    states = set(Variant.objects.filter(post_id=post_id).values_list("state", flat=True))
    if states & {Variant.State.SCHEDULED, Variant.State.PUBLISHING, Variant.State.PENDING}:
        return
    worst = (
        (Variant.State.UNCONFIRMED, Post.State.UNCONFIRMED),
        (Variant.State.FAILED, Post.State.FAILED),
        (Variant.State.MISSED, Post.State.MISSED),
    )
    post_state = next((post for variant, post in worst if variant in states), Post.State.PUBLISHED)
    if Post.objects.filter(pk=post_id).exclude(state=post_state).update(state=post_state):
        PostEvent.objects.create(post_id=post_id, kind=post_state)


def run_once(*, worker: str | None = None, limit: int | None = None) -> int:
    """Deliver everything that is due now, one claim at a time. Returns how many were handled."""
    worker = worker or worker_name()
    recover_stale(worker=worker)
    handled = 0
    while limit is None or handled < limit:
        variant = claim_due(worker=worker)
        if variant is None:
            break
        deliver(variant, worker=worker)
        handled += 1
    return handled
