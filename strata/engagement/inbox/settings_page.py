"""The inbox's part of the workspace's settings page (Settings › Inbox, for owners)."""

from __future__ import annotations

from typing import Any

from strata.accounts.scoping import Access
from strata.engagement.inbox.actions import inbox_settings
from strata.strategy.settings_parts import settings_part


@settings_part("inbox", "Inbox", "engagement/inbox/_settings.html")
def inbox_settings_part(access: Access) -> dict[str, Any]:
    return {"settings": inbox_settings(access.workspace)}
