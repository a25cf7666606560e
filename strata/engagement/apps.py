from django.apps import AppConfig


class EngagementConfig(AppConfig):
    """What comes back in: ingest, listening, the classifiers, the inbox. Depends on strategy and
    publishing; neither depends on it."""

    name = "strata.engagement"
    label = "engagement"

    def ready(self) -> None:
        # Audience discovery joins the strategy review; strategy never imports engagement.
        from strata.engagement import checks  # noqa: F401
