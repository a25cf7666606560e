from __future__ import annotations

from typing import Any

from django import template

from strata.safeurl import is_safe

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """mapping|get:"kpi.target" — dictionary lookup with a computed key."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def key(prefix: str, suffix: Any) -> str:
    """ "presence"|key:platform → "presence.bluesky"."""
    return f"{prefix}.{suffix}"


@register.filter
def contains(container: Any, item: Any) -> bool:
    if container is None:
        return False
    if isinstance(container, str):
        return bool(container == item)
    return bool(item in container)


@register.filter
def safe_href(url: Any) -> str:
    """A stored URL as a link target, only when it is http(s) or mailto: anything else
    (`javascript:`, `data:`, `vbscript:`, stored before input was checked) becomes an inert
    "#", so that clicking it can never run script."""
    text = str(url or "")
    return text if is_safe(text) else "#"
