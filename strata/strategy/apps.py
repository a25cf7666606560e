from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strata.strategy"
    label = "strategy"

    def ready(self) -> None:
        from strata.strategy.review.registry import load_checks

        load_checks()
