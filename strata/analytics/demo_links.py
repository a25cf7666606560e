"""The demo's short links: one for each past post that carried an address, made as delivery
makes them (links/actions.link_for, without the per-link commit), and their clicks per day: most
on the day the post went out, a tail over the week after, with bots and link previews apart."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from strata.analytics.demo_posts import Published
from strata.analytics.demo_window import Window, poisson
from strata.analytics.links import targets
from strata.analytics.links.actions import url_hash
from strata.analytics.links.codes import new_code
from strata.analytics.links.models import ClickDay, ShortLink

# People who click, per engagement: Mastodon's readers click more and like less.
CLICKS_PER_ENGAGEMENT = {"bluesky": 0.7, "mastodon": 1.6}
# Of a post's clicks, the share on each day after it went out (the rest never come).
BY_DAY = (0.46, 0.2, 0.1, 0.06, 0.04, 0.03, 0.02, 0.02, 0.01, 0.01)
BOTS = 0.2  # crawlers per person's click, besides the previews fetched when it is posted

Clicks = Counter[tuple[dt.date, str, str]]  # (day, utm_source, utm_campaign) → people's clicks


def seed(window: Window, posts: list[Published]) -> Clicks:
    rng = window.rng("links")
    links, days = [], []
    clicked: Clicks = Counter()
    for p in posts:
        if not p.text.link or p.post is None or p.variant is None or p.variant.published_at is None:
            continue
        post, variant, went_out = p.post, p.variant, p.variant.published_at
        link = ShortLink(
            workspace=window.workspace,
            code=new_code(),
            variant=variant,
            post=post,
            platform=variant.platform,
            channel_id=variant.channel_id,
            objective_id=post.objective_id,
            pillar_id=post.pillar_id,
            url=p.text.link,
            url_hash=url_hash(p.text.link),
            target=targets.with_utm(
                p.text.link, source=variant.platform, campaign=post.objective_id or post.pillar_id, content=str(post.pk)
            ),
            created_at=went_out - dt.timedelta(seconds=1),
        )
        links.append(link)
        expected = p.engagement * CLICKS_PER_ENGAGEMENT.get(variant.platform, 1.0)
        first = went_out.astimezone(dt.UTC).date()  # clicks count in UTC days
        for after, share in enumerate(BY_DAY):
            day = first + dt.timedelta(days=after)
            if day >= window.today:  # nothing counted yet today
                break
            people = poisson(rng, expected * share)
            bots = poisson(rng, people * BOTS) + (rng.randint(2, 5) if after == 0 else 0)
            if people or bots:
                visitors = people - poisson(rng, people * 0.08) if people else 0
                days.append(ClickDay(link=link, day=day, clicks=people, visitors=max(min(visitors, people), 1 if people else 0), bots=bots))
                clicked[day, link.platform, link.campaign] += people
    ShortLink.objects.bulk_create(links, batch_size=500)
    ClickDay.objects.bulk_create(days, batch_size=1000)
    return clicked
