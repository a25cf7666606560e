"""Publishing's part of the workspace's settings page (Settings › Publishing, for owners)."""

from __future__ import annotations

from typing import Any

from strata.accounts.scoping import Access
from strata.publishing.actions import settings_for
from strata.strategy.settings_parts import settings_part


@settings_part("publishing", "Publishing", "publishing/_settings.html")
def publishing_settings(access: Access) -> dict[str, Any]:
    return {"settings": settings_for(access.workspace)}
