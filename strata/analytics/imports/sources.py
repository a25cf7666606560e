"""Which rows of a web-analytics export are about Strata's work, and how their source and
campaign are written.

Strata's short links tag every visit with utm_source = the platform (bluesky, mastodon…),
utm_medium = social and utm_campaign = the objective the post serves, or else its pillar
(analytics/links/targets.py). An export holds every visit of the site, so a row is kept when:

- it names a campaign: Strata's, or another the team ran (a newsletter's, say), since a
  report may compare them; the medium does not matter, or
- its source is a social network, tagged or not: a link someone shared by hand still brought
  the visit from social media.

Every other row (search engines, direct visits, other sites) is left out and counted, not
reported as a problem. Sources are kept as written, lower-cased ("Bluesky" → "bluesky");
placeholders such as GA4's "(not set)" or "(direct)" mean no value."""

from __future__ import annotations

from strata.strategy.plan.schema import PLATFORMS

# The plan's platforms that are social networks (not feeds, mail or web hooks), and the names
# the analytics tools give the same networks when they go by the referrer.
NOT_SOCIAL = frozenset({"rss", "newsletter", "webhook", "blog", "other"})
SOCIAL = frozenset(p for p in PLATFORMS if p not in NOT_SOCIAL) | frozenset(
    {
        "bsky.app",
        "bsky",
        "twitter",
        "twitter.com",
        "t.co",
        "x.com",
        "facebook.com",
        "m.facebook.com",
        "l.facebook.com",
        "lm.facebook.com",
        "fb",
        "instagram.com",
        "l.instagram.com",
        "linkedin.com",
        "lnkd.in",
        "threads.net",
        "youtube.com",
        "m.youtube.com",
        "reddit.com",
        "old.reddit.com",
        "pinterest.com",
        "tiktok.com",
        "mastodon.social",
    }
)
PLACEHOLDERS = frozenset(
    {
        "(not set)",
        "(none)",
        "(direct)",
        "(organic)",
        "(referral)",
        "(not provided)",
        "(cross-network)",
        "(data not available)",
        "(other)",
        "direct / none",
    }
)


def cleaned(value: str) -> str:
    """A source or campaign cell without placeholders and surrounding space."""
    text = value.strip()
    return "" if text.lower() in PLACEHOLDERS else text


def source_of(value: str) -> str:
    return cleaned(value).lower()


def is_social(source: str) -> bool:
    return source in SOCIAL


def wanted(source: str, campaign: str) -> bool:
    """Whether a row is kept: it names a campaign, or it came from a social network."""
    return bool(campaign) or is_social(source)
