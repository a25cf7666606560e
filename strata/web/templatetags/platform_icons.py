"""Each platform's small drawn mark: `{% load platform_icons %}{% platform_icon "bluesky" %}`.

Drawn for Strata on a 16 × 16 grid in one colour (currentColor), to sit on the platform's colour
in calendar entries and lists. Always decorative (aria-hidden): the platform's name is beside it
for screen readers and on hover. A platform without a drawing shows its letters instead."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

PATHS = {
    "bluesky": "M8 7.2C7 5.3 4.6 2.6 2.6 2.2 1.4 2 1 2.9 1 3.8c0 .7.4 3.6.6 4.1.6 1.7 2.4 2.2 4 1.9-2.4.4-3 1.7-1.7 3.1 "
    "2.5 2.6 3.5-.7 4.1-2.1.6 1.4 1.6 4.7 4.1 2.1 1.3-1.4.7-2.7-1.7-3.1 1.6.3 3.4-.2 4-1.9.2-.5.6-3.4.6-4.1 "
    "0-.9-.4-1.8-1.6-1.6C11.4 2.6 9 5.3 8 7.2z",
    "mastodon": "M8 1.5c-3 0-5.5.6-5.5 4.3v3.1c0 3.3 2.3 4.9 5.6 4.9 1 0 2-.2 2.6-.5v-1.3c-.9.3-1.9.4-2.7.4-1.3 "
    "0-2.4-.5-2.5-1.7 3.6.8 8-.1 8-4V5.8C13.5 2.1 11 1.5 8 1.5zM11 9.4H9.8V6.6c0-.6-.3-1-.9-1s-.9.4-.9 "
    "1.1V8H7V6.7c0-.7-.3-1.1-.9-1.1s-.9.4-.9 1v2.8H4V6.5c0-1.2.7-2 1.8-2 .7 0 1.3.3 1.6.9L8 6l.6-.6c.3-.6.9-.9 "
    "1.6-.9 1.1 0 1.8.8 1.8 2z",
    "x": "M2 2h3.2l8.8 12h-3.2zM12.6 2h1.7L9.3 7.8l-.9-1.2zM3.4 14H1.7l5-5.8.9 1.2z",
    "linkedin": "M3.5 6h2v6.5h-2zM4.5 2.9a1.15 1.15 0 1 1 0 2.3 1.15 1.15 0 0 1 0-2.3zM7 6h1.9v.9c.3-.6 1-1.1 "
    "2-1.1 2 0 2.4 1.3 2.4 3v3.7h-2V9.2c0-.8 0-1.8-1.1-1.8S9 8.3 9 9.1v3.4H7z",
    "facebook": "M9.2 14V8.6h1.8l.3-2.1H9.2V5.2c0-.6.2-1 1-1h1.1V2.3c-.2 0-.8-.1-1.5-.1-1.6 0-2.7 1-2.7 2.8v1.5H5.3v2.1h1.8V14z",
    "instagram": "M5 1.5h6A3.5 3.5 0 0 1 14.5 5v6a3.5 3.5 0 0 1-3.5 3.5H5A3.5 3.5 0 0 1 1.5 11V5A3.5 3.5 0 0 1 5 "
    "1.5zM5 3a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm3 2a3 3 0 1 1 0 6 3 3 0 0 1 0-6zm0 "
    "1.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm3.3-2.7a.8.8 0 1 1 0 1.6.8.8 0 0 1 0-1.6z",
    "threads": "M8 1.5a6.5 6.5 0 1 0 3.6 11.9l-.8-1.2A5 5 0 1 1 13 8v.7c0 .7-.4 1.1-.9 1.1s-.9-.4-.9-1.1V5h-1.4v.5A3 3 "
    "0 1 0 10.4 10a2.3 2.3 0 0 0 4.1-1.3V8A6.5 6.5 0 0 0 8 1.5zm0 4.9a1.6 1.6 0 1 1 0 3.2 1.6 1.6 0 0 1 0-3.2z",
    "tiktok": "M9 1.5h2c.2 1.6 1.2 2.7 3 2.9v2c-1.1 0-2.1-.3-3-.9v4.6A4 4 0 1 1 7 6.1v2.1a2 2 0 1 0 2 2z",
    "youtube": "M14.6 4.6c-.2-.7-.7-1.2-1.4-1.4C12 2.9 8 2.9 8 2.9s-4 0-5.2.3c-.7.2-1.2.7-1.4 1.4C1.1 5.8 1.1 8 1.1 "
    "8s0 2.2.3 3.4c.2.7.7 1.2 1.4 1.4 1.2.3 5.2.3 5.2.3s4 0 5.2-.3c.7-.2 1.2-.7 1.4-1.4.3-1.2.3-3.4.3-3.4s0-2.2-.3-3.4"
    "zM6.6 10.1V5.9L10.2 8z",
    "pinterest": "M8 1.5a6.5 6.5 0 0 0-2.4 12.5c-.1-.5-.1-1.3 0-1.9l.8-3.3s-.2-.4-.2-1c0-.9.5-1.6 1.2-1.6.6 0 .8.4.8.9 "
    "0 .6-.4 1.4-.6 2.2-.1.7.3 1.2 1 1.2 1.2 0 2.1-1.3 2.1-3.1 0-1.6-1.2-2.8-2.8-2.8-1.9 0-3 1.4-3 2.9 0 .6.2 1.2.5 "
    "1.5.1.1.1.1 0 .2l-.2.8c0 .1-.1.2-.3.1-.8-.4-1.3-1.6-1.3-2.6 0-2.1 1.5-4 4.4-4 2.3 0 4.1 1.6 4.1 3.8 0 2.3-1.4 "
    "4.1-3.4 4.1-.7 0-1.3-.3-1.5-.8l-.4 1.6c-.2.6-.6 1.3-.8 1.8A6.5 6.5 0 1 0 8 1.5z",
    "reddit": "M8 5c-3.3 0-5.5 1.8-5.5 4.2S4.7 13.5 8 13.5s5.5-1.9 5.5-4.3S11.3 5 8 5zM5.8 8.2a1 1 0 1 1 0 2 1 1 0 0 "
    "1 0-2zm4.4 0a1 1 0 1 1 0 2 1 1 0 0 1 0-2zm-4.6 3c1.4.9 3.4.9 4.8 0l.4.5c-1.6 1.1-4 1.1-5.6 0zM12.5 2.5a1 1 0 1 "
    "1 0 2 1 1 0 0 1 0-2zM8.6 5.1l.9-3 2.5.6-.1.6-2-.5-.7 2.4z",
    "rss": "M5 12.3a1.7 1.7 0 1 1-3.4 0 1.7 1.7 0 0 1 3.4 0zM2 6.5v2.1a5.4 5.4 0 0 1 5.4 5.4h2.1A7.5 7.5 0 0 0 2 "
    "6.5zM2 2v2.1a9.9 9.9 0 0 1 9.9 9.9H14A12 12 0 0 0 2 2z",
    "newsletter": "M1.5 3.5h13v9h-13zm1.5 1.9v5.6h10V5.4L8 8.7z",
    "webhook": "M6 3.5h4v2H8.2v5H10v2H6v-2h1.8v-5H6z",
}
PATHS["feed"] = PATHS["rss"]


@register.simple_tag
def platform_icon(platform: str, letters: str = "") -> SafeString:
    """The platform's drawing, or `letters` (its mark in text) when it has none."""
    path = PATHS.get(platform)
    if path is None:
        return format_html('<span class="mark-letters">{}</span>', letters or platform[:2])
    return format_html(
        '<svg class="platform-icon" viewBox="0 0 16 16" width="12" height="12" focusable="false" fill="currentColor" '
        'fill-rule="evenodd"><path d="{}"/></svg>',
        path,
    )
