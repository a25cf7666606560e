from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "strata.publishing"
    label = "publishing"

    def ready(self) -> None:
        # The calendar's checks join the strategy review; strategy never imports publishing.
        from strata.publishing import checks  # noqa: F401
