"""Codes as the words a person reads: `{% load words %}`, then `{{ channel.purpose|label }}`.

The plan file, the API and the CLI keep the codes (`promoting_products`, `take_offline`); pages
show these words. A code not listed reads as itself with spaces and a capital first letter."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

# Names whose spelling the general rule would get wrong, and phrases that read better whole.
WORDS = {
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "x": "X",
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "threads": "Threads",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "pinterest": "Pinterest",
    "reddit": "Reddit",
    "rss": "RSS feed",
    "feed": "Atom feed",
    "take_offline": "Take it offline",
    "thank_and_ask": "Thank and ask",
    "support_deflection": "Support deflection",
    "purchase_intent": "Purchase intent",
    "six_month": "Six-month",
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


@register.filter
def label(code: Any) -> str:
    """`promoting_products` → "Promoting products"; `bluesky` → "Bluesky"; None → ""."""
    if code is None:
        return ""
    text = str(code)
    if text in WORDS:
        return WORDS[text]
    words = text.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@register.filter
def labels(codes: Any) -> str:
    """A list of codes as words, joined by commas: ["mon", "tue"] → "Monday, Tuesday"."""
    return ", ".join(label(c) for c in codes or ())


@register.filter
def minutes(value: Any) -> str:
    """A span of minutes as a person says it: 42 min, 3 h 10 min, 2 d 4 h."""
    if value is None or value == "":
        return "—"
    total = round(float(value))
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"
