"""Ambassadors for the demo workspace: likes, reposts, quotes and mentions from a few people over
the last weeks, scored, with one of them confirmed, so that a first look at the ambassadors page
shows candidates, a confirmed ambassador and her trend. Run after the inbox's demo (Ayşe's
mention there joins her history here). Kept out of the inbox: these items are marked filed."""

from __future__ import annotations

import datetime as dt

from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement import demo_items
from strata.engagement.ambassadors import actions, refresh
from strata.engagement.ambassadors.models import Ambassador, AmbassadorSnapshot
from strata.engagement.listening import queries
from strata.engagement.models import HeardItem

# handle → (platform, channel, name, followers or None, [(days ago, kind, sentiment, text)])
PEOPLE = {
    "ayse.bsky.social": ("bluesky", "acme-bsky", "Ayşe Demir", 1240, [
        (1, "repost", "", ""), (2, "quote", "positive", "This is the route I take every morning. Flat, quiet, and the coffee stop is real."),
        (4, "like", "", ""), (5, "repost", "", ""), (9, "quote", "positive", "Acme's winter tips saved my commute last year: lights, mudguards, done."),
        (12, "repost", "", ""), (15, "like", "", ""), (20, "quote", "positive", "Three years on my Commuter 2 and it still rides like new."),
        (35, "mention", "positive", "Shout-out to @acme.bsky.social for fixing my brakes on a Saturday."), (40, "repost", "", ""),
        (45, "mention", "positive", "If you ride to work in Berlin, follow @acme.bsky.social for the route of the week."),
    ]),
    "jonas-pendelt.bsky.social": ("bluesky", "acme-bsky", "Jonas pendelt", 310, [
        (1, "like", "", ""), (3, "repost", "", ""), (6, "like", "", ""), (8, "like", "", ""),
        (10, "reply", "positive", "Rode the canal route today after your post. Brilliant, thank you!"), (16, "repost", "", ""), (22, "like", "", ""),
    ]),
    "camille@velo.example": ("mastodon", "acme-mastodon", "Camille Martin", None, [
        (2, "repost", "", ""), (7, "mention", "positive", "@acme@mastodon.example your rain gear guide is the best I have read #velotaf"),
        (13, "like", "", ""), (26, "repost", "", ""),
    ]),
    "max-faehrt.bsky.social": ("bluesky", "acme-bsky", "Max", 12, [
        (70, "like", "", ""), (74, "like", "", ""), (80, "like", "", ""),
    ]),
}  # fmt: skip
CONFIRMED = "ayse.bsky.social"


def seed(workspace: Workspace) -> int:
    """The demo's ambassadors, once; the number stored."""
    if HeardItem.objects.filter(workspace=workspace, remote_id__startswith="demo-amb:").exists():
        return 0
    n = 0
    matcher = queries.workspace_matcher(workspace)
    for handle, (platform, channel, name, _, said) in PEOPLE.items():
        for days, kind, sentiment, text in said:
            n += 1
            at = now() - dt.timedelta(days=days, hours=n % 7)
            # Filed already: the inbox's demo has its own conversations.
            item = demo_items.heard(
                workspace, channel=channel, platform=platform, remote_id=f"demo-amb:{n}", kind=kind,
                handle=handle, name=name, text=text, sentiment=sentiment, at=at, filed=True,
            )  # fmt: skip
            queries.tag(matcher, [item])  # as ingest does: the queries guess their audience
            item.save()
    refresh.refresh(workspace)
    for handle, (_, _, _, followers, _) in PEOPLE.items():
        Ambassador.objects.filter(workspace=workspace, author_id=f"demo:{handle}").update(followers=followers, followers_checked_at=now())
    stored = refresh.refresh(workspace)
    _confirm(workspace)
    return stored


def _confirm(workspace: Workspace) -> None:
    """Ayşe, confirmed a month ago, with the weeks since as the refreshes would have kept them."""
    ayse = Ambassador.objects.filter(workspace=workspace, author_id=f"demo:{CONFIRMED}").first()
    if ayse is None:
        return
    actions.confirm(ambassador=ayse, actor=None)
    Ambassador.objects.filter(pk=ayse.pk).update(confirmed_at=now() - dt.timedelta(days=30))
    for weeks, (score, shares, interactions) in enumerate([(71.0, 4, 6), (66.0, 3, 4), (58.0, 2, 3), (55.0, 3, 3)], start=1):
        AmbassadorSnapshot.objects.get_or_create(
            ambassador=ayse,
            week=refresh.week_of(now() - dt.timedelta(weeks=weeks)),
            defaults={"score": score, "interactions_30d": interactions, "shares_30d": shares, "followers": 1240 - 15 * weeks},
        )
