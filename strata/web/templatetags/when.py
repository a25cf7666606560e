"""Times as a person reads them: in the workspace's time zone, the zone named, the full time on
hover, and the instant itself for machines.

    {% load when %}{{ revision.created_at|when:access.workspace }}
    → <time datetime="2026-12-01T13:05:07Z" title="Tuesday 1 December 2026, 14:05:07 CET (Europe/Berlin)">1 Dec 2026, 14:05 CET</time>

The argument is a workspace (anything with a `timezone` name) or a zone name; without one, or
with a zone Strata does not know, the time is shown in UTC."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def zone_of(where: Any) -> zoneinfo.ZoneInfo:
    name = where if isinstance(where, str) else getattr(where, "timezone", None)
    if isinstance(name, str) and name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return zoneinfo.ZoneInfo("UTC")


def zone_label(local: dt.datetime) -> str:
    """The zone as people write it: CET, EDT, UTC; an offset without letters (+04) as UTC+04."""
    abbreviation = local.strftime("%Z")
    return f"UTC{abbreviation}" if abbreviation[:1] in "+-" else abbreviation


@register.filter
def when(value: Any, where: Any = None) -> SafeString | str:
    if not isinstance(value, dt.datetime):
        return "" if value is None else str(value)
    instant = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # a naive time is UTC, as stored
    zone = zone_of(where)
    local = instant.astimezone(zone)
    label = zone_label(local)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        f"{local:%A} {local.day} {local:%B %Y, %H:%M:%S} {label} ({zone.key})",
        f"{local.day} {local:%b %Y, %H:%M} {label}",
    )
