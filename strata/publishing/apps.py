from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "strata.publishing"
    label = "publishing"

    def ready(self) -> None:
        # The calendar's checks join the strategy review, "Needs a person" the overview's
        # panels, and the publishing settings the settings page; strategy never imports publishing.
        from strata.publishing import checks, panels, settings_page  # noqa: F401
