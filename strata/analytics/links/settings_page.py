"""Settings › Links: whether links in the workspace's posts go out as short links (for owners,
on the workspace's settings page; strategy never imports this)."""

from __future__ import annotations

from typing import Any

from strata.accounts.models import Workspace
from strata.accounts.scoping import Access
from strata.analytics.links import actions, domain
from strata.strategy.settings_parts import settings_part

KEY = "links"
TITLE = "Links"


def shortening_state(workspace: Workspace) -> str:
    """In words: whether this workspace's next posts get short links, and if not, why."""
    if not domain.reachable():
        return (
            f"Short links are not made: they would start with {domain.base()}, which nobody outside this network can open. "
            "Set SITE_URL (or STRATA_LINK_DOMAIN) to Strata's public address."
        )
    if not actions.shortening_on(workspace.pk):
        return f"Short links are off: links in posts go out as written. Turn them on in Settings › {TITLE}."
    return f"Links in posts go out as short links on {domain.base()}, with UTM tags. Settings › {TITLE} turns them off."


@settings_part(KEY, TITLE, "analytics/links/_settings.html")
def links_settings(access: Access) -> dict[str, Any]:
    return {"settings": actions.settings_for(access.workspace), "base": domain.base(), "reachable": domain.reachable()}
