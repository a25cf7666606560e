from __future__ import annotations

from typing import Any

from django import template

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
