"""The demo's published past: what the Acme team posted over six months, per channel near its
cadence, as delivery would have left it (post and variant published, one attempt, the post's
history), with the counts the metrics schedule would have read.

The story the advice should find in it:
- acme-bsky keeps to the 30 % promotional target for four months, then drifts to about 3 in 7;
- acme-mastodon costs 12 hours a week and earns a fraction of Bluesky's engagement per post,
  so per hour of effort it is the channel least worth its time;
- acme-help posts repair tips, with two offers in six months that do not fit its purpose.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from strata.analytics.demo_texts import PROMOTIONAL, REPAIRS, ROUTES, Text
from strata.analytics.demo_window import Window
from strata.analytics.metrics.models import PostReading, PostSchedule
from strata.analytics.metrics.schedule import next_read, phase_of
from strata.platforms.bluesky.tid import make_tid
from strata.publishing.models import Attempt, Post, PostEvent, Variant
from strata.strategy.plan.schema import Channel

DRIFT_DAYS = 60  # acme-bsky's promotional share creeps up over the last two months
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKDAYS = WEEKDAYS[:5]
SLOTS = ((8, 0), (8, 30), (12, 15), (12, 30), (17, 0), (17, 30))  # when commuters read


@dataclass(frozen=True)
class Reach:
    """What a typical post of a channel gets in the end: engagement (median of a log-normal
    draw) and how it splits into likes, reposts, replies and quotes (None: not counted)."""

    median: float
    likes: float
    reposts: float
    replies: float
    quotes: float | None


REACH = {
    "acme-bsky": Reach(46, 0.70, 0.17, 0.09, 0.04),
    "acme-help": Reach(18, 0.55, 0.10, 0.33, 0.02),
    "acme-mastodon": Reach(8, 0.64, 0.26, 0.10, None),  # Mastodon before 4.5 counts no quotes
}
OTHER_REACH = Reach(15, 0.65, 0.2, 0.15, None)
PROMOTIONAL_REACH = 0.6  # offers get fewer likes than routes

# Ages (hours) at which a reading is kept: the schedule reads far more often (schedule.py), the
# demo keeps enough of them for the curve: dense while a post is new, sparse once it is old.
READ_AGES = (
    0.25,
    0.5,
    1,
    2,
    3,
    4,
    6,
    9,
    12,
    18,
    24,
    30,
    36,
    42,
    48,
    *tuple(24.0 * d for d in range(3, 15)),
    *tuple(24.0 * d for d in (17, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, 89)),
)
FIRST_READ = dt.timedelta(minutes=2)  # the baseline read, as soon as the sweep finds the post


@dataclass
class Published:
    """One published post of the history (one variant, one channel) and what it earned."""

    channel: Channel
    text: Text
    pillar_id: str
    objective_id: str
    at: dt.datetime
    final: tuple[int, int, int, int | None]  # likes, reposts, replies, quotes in the end
    post: Post | None = None
    variant: Variant | None = None

    @property
    def engagement(self) -> int:
        likes, reposts, replies, quotes = self.final
        return likes + reposts + replies + (quotes or 0)


def seed(window: Window) -> list[Published]:
    plan = []
    for channel in window.measured_channels():
        plan += _channel_posts(window, channel, window.rng(f"posts:{channel.id}"))
    plan.sort(key=lambda p: p.at)
    _store(window, plan)
    _read(window, plan)
    return plan


# -- what was posted ---------------------------------------------------------------------------


def _channel_posts(window: Window, channel: Channel, rng: random.Random) -> list[Published]:
    found = []
    for index, at in enumerate(_times(window, channel, rng)):
        recent = (window.today - at.astimezone(window.zone).date()).days <= DRIFT_DAYS
        pillar_id = _pillar(channel.id, index, recent, rng)
        text, objective_id = _content(pillar_id, channel.platform, index, rng)
        found.append(Published(channel, text, pillar_id, objective_id, at, _final(window, channel, pillar_id, at, rng)))
    return found


def _times(window: Window, channel: Channel, rng: random.Random) -> list[dt.datetime]:
    """Near the cadence: each week `cadence` of the responsible people's days (one fewer in
    a busy week), at a commuter's hour."""
    cadence = max(1, round(channel.cadence_per_week or 2))
    staffed = [d for d in WEEKDAYS if any(d in r.days for r in channel.responsible)]
    days = staffed if len(staffed) >= cadence else list(WORKDAYS)
    first, last = window.days[0], window.days[-1]
    monday = first - dt.timedelta(days=first.weekday())
    times = []
    while monday <= last:
        count = cadence - (1 if rng.random() < 0.15 else 0)
        for name in sorted(rng.sample(days, min(count, len(days))), key=WEEKDAYS.index):
            day = monday + dt.timedelta(days=WEEKDAYS.index(name))
            hour, minute = rng.choice(SLOTS)
            if first <= day <= last:
                times.append(window.at(day, hour, minute))
        monday += dt.timedelta(days=7)
    return times


def _pillar(channel_id: str, index: int, recent: bool, rng: random.Random) -> str:
    """A fixed pattern where the story depends on it (the drift), a draw elsewhere."""
    if channel_id == "acme-bsky":
        promotional = index % 7 in (1, 3, 5) if recent else index % 4 == 2
        return "new-models" if promotional else ("routes" if rng.random() < 0.75 else "repair-tips")
    if channel_id == "acme-help":
        return "new-models" if index in (9, 40) else "repair-tips"
    if channel_id == "acme-mastodon":
        return "new-models" if index == 12 else ("routes" if rng.random() < 0.5 else "repair-tips")
    return "routes"


def _content(pillar_id: str, platform: str, index: int, rng: random.Random) -> tuple[Text, str]:
    """The text, and the objective a team would name: the one its link works for."""
    if pillar_id == "new-models":
        return PROMOTIONAL[index % len(PROMOTIONAL)], "eu-awareness"
    if pillar_id == "repair-tips":
        text = REPAIRS[(index + rng.randrange(3)) % len(REPAIRS)]
        return (text if rng.random() < 0.5 else text.without_link()), "deflect-support"
    text = ROUTES[(index + rng.randrange(4)) % len(ROUTES)]
    if rng.random() < 0.7:
        return text, "site-traffic"
    return text.without_link(), ("eu-awareness" if rng.random() < 0.5 else "")


def _final(window: Window, channel: Channel, pillar_id: str, at: dt.datetime, rng: random.Random) -> tuple[int, int, int, int | None]:
    reach = REACH.get(channel.id, OTHER_REACH)
    grown = 1 + 0.3 * (at.astimezone(window.zone).date() - window.days[0]).days / len(window.days)  # the audience grows
    total = reach.median * grown * math.exp(rng.gauss(0, 0.55)) * (PROMOTIONAL_REACH if pillar_id == "new-models" else 1)
    quotes = None if reach.quotes is None else round(total * reach.quotes)
    return round(total * reach.likes), round(total * reach.reposts), round(total * reach.replies), quotes


# -- as delivery left it -----------------------------------------------------------------------


def _store(window: Window, plan: list[Published]) -> None:
    rng = window.rng("delivery")
    posts = []
    for p in plan:
        made = p.at - dt.timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 600))
        posts.append(
            Post(
                workspace=window.workspace,
                title=p.text.title,
                objective_id=p.objective_id,
                pillar_id=p.pillar_id,
                state=Post.State.PUBLISHED,
                scheduled_at=p.at,
                created_by=window.user,
                created_at=made,
            )
        )
    Post.objects.bulk_create(posts, batch_size=500)
    variants = []
    for p, post in zip(plan, posts, strict=True):
        p.post = post
        went_out = p.at + dt.timedelta(seconds=rng.randint(1, 40))
        key = make_tid(int(p.at.timestamp() * 1_000_000), rng.randrange(1024))
        remote_id, url = _remote(p.channel, key, rng)
        variants.append(
            Variant(
                post=post,
                channel_id=p.channel.id,
                platform=p.channel.platform,
                text=p.text.for_platform(p.channel.platform),
                link=p.text.link,
                keys=[key],
                state=Variant.State.PUBLISHED,
                due_at=p.at,
                next_attempt_at=p.at,
                attempts=1,
                remote_id=remote_id,
                remote_url=url,
                remote_ids=[remote_id],
                published_at=went_out,
            )
        )
    Variant.objects.bulk_create(variants, batch_size=500)
    attempts, events = [], []
    for p, post, variant in zip(plan, posts, variants, strict=True):
        p.variant = variant
        assert variant.published_at is not None
        assert post.created_at is not None
        went_out = variant.published_at
        attempts.append(
            Attempt(
                variant=variant,
                number=1,
                worker="demo",
                started_at=went_out - dt.timedelta(seconds=1),
                finished_at=went_out,
                outcome=Attempt.Outcome.PUBLISHED,
                detail=variant.remote_id,
            )
        )
        approved = post.created_at + (p.at - post.created_at) / 3
        events += [
            PostEvent(post=post, actor=window.user, kind="created", at=post.created_at),
            PostEvent(post=post, actor=window.user, kind="approved", at=approved),
            PostEvent(post=post, actor=window.user, kind="scheduled", text=p.at.isoformat(), at=approved + dt.timedelta(minutes=3)),
            PostEvent(post=post, kind="published", at=went_out),
        ]
    Attempt.objects.bulk_create(attempts, batch_size=500)
    PostEvent.objects.bulk_create(events, batch_size=500)


def _remote(channel: Channel, key: str, rng: random.Random) -> tuple[str, str]:
    """A believable platform id and address. Made up: the demo's channels are not connected."""
    handle = channel.handle.lstrip("@")
    if channel.platform == "bluesky":
        return f"at://did:plc:demo{channel.id.replace('-', '')}/app.bsky.feed.post/{key}", f"https://bsky.app/profile/{handle}/post/{key}"
    user, _, server = handle.partition("@")
    status = str(113_000_000_000_000_000 + rng.randrange(10**15))
    return status, f"https://{server or 'mastodon.example'}/@{user}/{status}"


# -- what the metrics schedule read ------------------------------------------------------------


def _read(window: Window, plan: list[Published]) -> None:
    readings, schedules = [], []
    for p in plan:
        variant = p.variant
        assert variant is not None
        assert variant.published_at is not None
        went_out = variant.published_at
        phase = phase_of(window.workspace.pk, p.channel.id)
        times = _read_times(went_out, phase, window.now)
        likes, reposts, replies, quotes = p.final
        for at in times:
            share = _share((at - went_out) / dt.timedelta(hours=1))
            readings.append(
                PostReading(
                    variant=variant,
                    read_at=at,
                    likes=math.floor(likes * share),
                    reposts=math.floor(reposts * share),
                    replies=math.floor(replies * share),
                    quotes=None if quotes is None else math.floor(quotes * share),
                )
            )
        schedules.append(
            PostSchedule(
                variant=variant,
                workspace=window.workspace,
                channel_id=p.channel.id,
                platform=p.channel.platform,
                reads=len(times),
                last_read_at=times[-1] if times else None,
                next_read_at=next_read(went_out, window.now, phase=phase),  # None: 90 days old, done
            )
        )
    PostReading.objects.bulk_create(readings, batch_size=1000)
    PostSchedule.objects.bulk_create(schedules, batch_size=500)


def _read_times(went_out: dt.datetime, phase: dt.timedelta, until: dt.datetime) -> list[dt.datetime]:
    """The baseline read, then the schedule's grid times nearest the kept ages, up to now."""
    times = {went_out + FIRST_READ}
    for hours in READ_AGES:
        at = next_read(went_out, went_out + dt.timedelta(hours=hours) - dt.timedelta(seconds=1), phase=phase)
        if at is not None:
            times.add(at)
    return sorted(t for t in times if t <= until)


def _share(hours: float) -> float:
    """How much of a post's final engagement it has after `hours`: a burst in the first hours,
    a trickle over the next days, flat after two weeks."""
    return min(1.0, 0.78 * (1 - math.exp(-hours / 5)) + 0.22 * (1 - math.exp(-hours / 72)))
