"""The overview's panels: other apps add theirs here, the strategy app never imports them.

A panel is a function of the person's access and the request that returns the template and
context of a card for the workspace overview, or None when it has nothing to show (or the
person may not see it). Publishing registers "Needs a person" (10), "This week" (20) and "Mix
per channel" (50) from its AppConfig.ready(), engagement "Inbox" (40); the KPI panel (30) will
register the same way. The overview renders them by `order`, lowest first, after the
plan's health and "Fix first", in a grid of cards: a card of class `wide` takes two columns
on a wide screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from strata.accounts.scoping import Access


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelFunction = Callable[[Access, HttpRequest], Panel | None]


@dataclass(frozen=True)
class Registered:
    name: str
    order: int
    build: PanelFunction


REGISTRY: dict[str, Registered] = {}


def panel(name: str, *, order: int = 100) -> Callable[[PanelFunction], PanelFunction]:
    """Register a panel under a unique name (registering the same function again is harmless)."""

    def register(func: PanelFunction) -> PanelFunction:
        if name in REGISTRY and REGISTRY[name].build is not func:
            raise ValueError(f"two overview panels named {name!r}")
        REGISTRY[name] = Registered(name, order, func)
        return func

    return register


def render_panels(access: Access, request: HttpRequest) -> list[SafeString]:
    """Each registered panel that has something to show, rendered, in order.

    A panel is rendered without the request's context processors, which the page has already
    run (the navigation's query would run again for every card); it gets the request, the user
    and the CSRF token for its forms."""
    shared = {"access": access, "request": request, "user": request.user, "csrf_token": get_token(request)}
    shown = []
    for registered in sorted(REGISTRY.values(), key=lambda r: (r.order, r.name)):
        found = registered.build(access, request)
        if found is not None:
            shown.append(SafeString(render_to_string(found.template, {**shared, **found.context})))
    return shown
