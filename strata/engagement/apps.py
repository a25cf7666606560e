from typing import Any

from django.apps import AppConfig


class EngagementConfig(AppConfig):
    """What comes back in: ingest, listening, the classifiers, the inbox. Depends on strategy and
    publishing; neither depends on it."""

    name = "strata.engagement"
    label = "engagement"

    def ready(self) -> None:
        # Audience discovery joins the strategy review; strategy never imports engagement.
        from strata.engagement import checks  # noqa: F401
        from strata.engagement.inbox import checks as inbox_checks  # noqa: F401
        from strata.engagement.inbox import panels, settings_page  # noqa: F401
        from strata.strategy.signals import plan_saved

        plan_saved.connect(_plan_saved, dispatch_uid="engagement.retag")


def _plan_saved(sender: Any, revision: Any, **kwargs: Any) -> None:
    """New listening queries: match what was heard again, in a task (the save stays quick)."""
    from strata.engagement.listening.retag import listening_changed
    from strata.engagement.tasks import retag_workspace

    if listening_changed(revision):
        retag_workspace.enqueue(revision.workspace_id)
