from __future__ import annotations

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """What happened after publishing: followers and engagement read from the platforms, clicks
    on Strata's own short links, KPIs against the plan's objectives, reports and the advice
    they give. Depends on strategy, publishing and engagement; none of them depends on it."""

    name = "strata.analytics"
    label = "analytics"

    def ready(self) -> None:
        # Short links: publishing applies the rewriter without importing analytics, and
        # Settings › Links joins the settings page. A bad STRATA_LINK_DOMAIN stops start-up.
        # The KPI statuses join the strategy map, the overview's panels and the review.
        from strata.analytics.kpis import badges, checks, panels  # noqa: F401
        from strata.analytics.links import domain, rewrite, settings_page  # noqa: F401
        from strata.publishing import link_hooks

        domain.configured()
        link_hooks.register(rewrite.shorten)
