"""Six months of the demo's inbox, closed: what people said to Acme, routed by the plan's response
rules with their business-time targets (as inbox/filing.py does), and answered.

Most answers come well within the target. acme-help's Saturdays are the exception: the plan
opens support 10:00-14:00 on a Saturday, the questions of a weekend of riding arrive all day,
and most of them wait until Monday, past their target; the advice can propose staffing. The
live demo's open conversations (engagement/inbox/demo.py) stay as they are: these are older.

Each conversation has the one item it began with (engagement/demo_items.py), filed, so that the
inbox shows what was said. Praise comes as a reply from someone heard once, so that the
ambassadors page keeps to its own demo's people."""

from __future__ import annotations

import datetime as dt
import random

from strata import crypto
from strata.analytics.demo_posts import Published
from strata.analytics.demo_window import Window, poisson
from strata.engagement import demo_items
from strata.engagement.inbox import clock, filing, routing
from strata.engagement.inbox.models import Conversation, ConversationEvent
from strata.engagement.models import HeardItem
from strata.strategy.plan.schema import duration_minutes

# Conversations a day per channel: weekdays, Saturday, Sunday (people ride and fix at weekends).
PER_DAY = {"acme-help": (2.6, 4.5, 2.0), "acme-bsky": (1.1, 0.9, 0.8), "acme-mastodon": (0.45, 0.3, 0.3)}
LATE = 0.04  # of conversations answered after the target on an ordinary day
SATURDAY_LATE = 0.7  # of acme-help's Saturday conversations

# (sentiment, intents, texts) per channel kind: help is asked, the brand channels are talked to.
Said = tuple[str, list[str], tuple[str, ...]]
HELP: list[tuple[float, Said]] = [
    (0.55, ("neutral", ["question"], (
        "How often should I change the brake pads on my Commuter 2?",
        "My gears skip on the two smallest cogs. Cable or derailleur?",
        "What tyre pressure do you recommend for the Cargo C2 with two kids on board?",
        "Is there a video for fitting the rear mudguard?",
        "Can I put a child seat on the Commuter 3 rack?",
        "Which chain oil do you use in the shops?",
    ))),
    (0.25, ("negative", ["complaint"], (
        "Brakes squeal again two weeks after the service. Not great.",
        "Waiting ten days for a spare part now. Any news?",
        "The dynamo light stopped working after the first rain.",
        "Third flat this month with the tyres you fitted. Really not happy.",
    ))),
    (0.12, ("positive", ["praise"], (
        "The chain tip worked, silent again. Thank you!",
        "Fixed my puncture on the way to work thanks to your guide.",
        "Quick answer yesterday, bike is running perfectly now.",
    ))),
    (0.08, ("neutral", [], ("Sent you a DM about my order.", "Is the Kreuzberg shop open on the holiday?"))),
]  # fmt: skip
BRAND: list[tuple[float, Said]] = [
    (0.4, ("positive", ["praise"], (
        "Rode this route today, brilliant tip!",
        "Best commuter bike I have owned, three winters and counting.",
        "Love the route of the week, keep them coming.",
    ))),
    (0.35, ("neutral", ["question"], (
        "Is this route ok with a trailer?",
        "Do you have the Commuter 3 in a 52 cm frame?",
        "Any plans for routes in Hamburg?",
        "Is the canal path lit at night?",
    ))),
    (0.15, ("neutral", ["question", "purchase_intent"], ("Where can I test ride the E-Commuter?", "Does the offer include the cargo bikes?"))),
    (0.1, ("negative", ["complaint"], ("That route is closed for works since Monday, please update it.", "Your shop never called me back."))),
]  # fmt: skip
FIRST = ("lena", "tom", "jonas", "mia", "paul", "emma", "ben", "lea", "noah", "sophie", "louis", "chloe", "hugo", "ines", "max", "anna")
LAST = ("rides", "pendelt", "velo", "bikes", "berlin", "paris", "cycles", "on2wheels")


def seed(window: Window, posts: list[Published]) -> None:
    plan = window.plan
    hours = filing.business_hours(plan)
    rng = window.rng("inbox")
    by_channel: dict[str, list[Published]] = {}
    for p in posts:
        by_channel.setdefault(p.channel.id, []).append(p)
    made: list[tuple[Conversation, HeardItem, list[ConversationEvent]]] = []
    taken: set[tuple[str, str]] = set()  # (thread, author): one conversation each
    for channel in window.measured_channels():
        weekday, saturday, sunday = PER_DAY.get(channel.id, (0.2, 0.1, 0.1))
        kinds = HELP if channel.purpose == "customer_service" else BRAND
        for day in window.days:
            mean = (weekday, weekday, weekday, weekday, weekday, saturday, sunday)[day.weekday()]
            for _ in range(poisson(rng, mean)):
                one = _conversation(window, hours, channel.id, channel.platform, day, kinds, by_channel.get(channel.id, []), rng, len(made))
                if one is not None and (one[0].thread_id, one[0].author_id) not in taken:
                    taken.add((one[0].thread_id, one[0].author_id))
                    made.append(one)
    Conversation.objects.bulk_create([c for c, _, _ in made], batch_size=500)
    items, events = [], []
    for conversation, item, happened in made:
        item.conversation = conversation
        items.append(item)
        for event in happened:
            event.conversation = conversation
            events.append(event)
    HeardItem.objects.bulk_create(items, batch_size=500)
    ConversationEvent.objects.bulk_create(events, batch_size=1000)


def _conversation(
    window: Window,
    hours: clock.BusinessHours,
    channel_id: str,
    platform: str,
    day: dt.date,
    kinds: list[tuple[float, Said]],
    posts: list[Published],
    rng: random.Random,
    n: int,
) -> tuple[Conversation, HeardItem, list[ConversationEvent]] | None:
    sentiment, intents, texts = _pick(kinds, rng)
    text = rng.choice(texts)
    started = window.at(day, rng.randint(7, 21), rng.randrange(60))
    route = routing.route(window.plan, routing.Said(channel_id, text, sentiment, tuple(intents), ()), started)
    due, warn = filing.targets(hours, window.plan, started, route.within)
    late = rng.random() < (SATURDAY_LATE if channel_id == "acme-help" and day.weekday() == 5 else LATE)
    answered = _late_answer(window, started, due, rng) if late else _in_time(hours, started, due, route.within, rng)
    if answered >= window.now - dt.timedelta(minutes=10):
        return None  # still open: the live demo's inbox has those
    positive = sentiment == "positive"
    handle = f"{rng.choice(FIRST)}{n if positive else rng.randrange(40)}-{rng.choice(LAST)}"
    handle = f"{handle}.bsky.social" if platform == "bluesky" else f"{handle}@mastodon.example"
    about = _recent_post(posts, started) if positive or rng.random() < 0.5 else None
    remote_id = f"demo-history:{n}"
    item = demo_items.heard(
        window.workspace, channel=channel_id, platform=platform, remote_id=remote_id, kind="reply" if about else "mention",
        handle=handle, name=handle.split(".")[0].split("@")[0].replace("-", " ").title(), text=text,
        sentiment=sentiment, intents=intents, at=started, filed=True,
    )  # fmt: skip
    if about is not None and about.variant is not None:
        item.variant, item.parent_id, item.root_id = about.variant, about.variant.remote_id, about.variant.remote_id
    offline = route.action == "take_offline"
    conversation = Conversation(
        workspace=window.workspace, channel_id=channel_id, platform=platform, thread_id=item.root_id or remote_id,
        author_id=item.author_id, author_handle=item.author_handle, author_name=item.author_name,
        state=Conversation.State.OFFLINE if offline else Conversation.State.DONE,
        rule_id=route.rule.id if route.rule else "", action=route.action, assignee=route.assignee,
        sentiment=sentiment, intents=intents, started_at=started, last_inbound_at=started,
        due_at=due, warn_at=warn, first_answered_at=answered, answered_at=answered, breached=answered > due,
        alerted="breached" if answered > due else "",
        contact=crypto.encrypt(f"{handle.split('.')[0].split('@')[0]}@example.com") if offline else "",
    )  # fmt: skip
    rule = f"the rule '{route.rule.id}'" if route.rule else "no rule (the workspace's default)"
    name = next((p.name for p in window.plan.people if p.id == route.assignee), route.assignee)
    who = f"to {name}" if route.assignee else "to nobody: the plan names no one for this channel"
    closed = (
        ConversationEvent(kind="offline", text="Taken offline", at=answered + dt.timedelta(minutes=2))
        if offline
        else ConversationEvent(kind="state", text="Marked done", at=answered + dt.timedelta(minutes=1))
    )
    events = [
        ConversationEvent(kind="routed", text=f"Routed by {rule}: {route.action.replace('_', ' ')}, {who}", at=started),
        ConversationEvent(kind="answered", text="Answered in the platform's app", at=answered),
        closed,
    ]
    return conversation, item, events


def _pick(kinds: list[tuple[float, Said]], rng: random.Random) -> Said:
    draw = rng.random()
    for share, said in kinds:
        draw -= share
        if draw < 0:
            return said
    return kinds[-1][1]


def _in_time(hours: clock.BusinessHours, started: dt.datetime, due: dt.datetime, within: str, rng: random.Random) -> dt.datetime:
    """Within the target, in open hours: a share of it (of four hours, for a target in days)."""
    minutes = duration_minutes(within) if not within.endswith("d") else 240
    return min(hours.due(started, int(minutes * rng.uniform(0.1, 0.8))), due - dt.timedelta(minutes=5))


def _late_answer(window: Window, started: dt.datetime, due: dt.datetime, rng: random.Random) -> dt.datetime:
    """Past the target: what came on a Saturday waits for Monday morning; else a few hours late."""
    local = started.astimezone(window.zone)
    if local.weekday() == 5:
        answer = window.at(local.date() + dt.timedelta(days=2), rng.randint(9, 11), rng.randrange(60))
        if answer > due:
            return answer
    return due + dt.timedelta(minutes=rng.randint(30, 300))


def _recent_post(posts: list[Published], before: dt.datetime) -> Published | None:
    """The channel's newest post before `before`, if it went out in the last three days."""
    earlier = [p for p in posts if p.at < before]
    return earlier[-1] if earlier and before - earlier[-1].at < dt.timedelta(days=3) else None
