"""Numbers Strata cannot read from a platform, imported from files (or the API):

- `WebTraffic`: a day of visits from one UTM source and campaign, with time on site and
  conversions, from a web-analytics export (Plausible or GA4). Matched to Strata's short links
  by utm_campaign (the objective, or else the pillar) and utm_source (the platform).
- `SupportCount`: inquiries that reached support on a day, for support-deflection objectives.
- `AnalyticsImport`: one imported file: who, when, how many rows. Rows point at it, so that an
  import can be told apart from the next one that replaces the same days.

A day imported again replaces the earlier numbers for that day, source and campaign: exports
overlap, and the newest export knows best."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from strata.accounts.models import Workspace

__all__ = ["AnalyticsImport", "SupportCount", "WebTraffic"]


class AnalyticsImport(models.Model):
    class Kind(models.TextChoices):
        PLAUSIBLE = "plausible", "Plausible export"
        GA4 = "ga4", "Google Analytics 4 export"
        SUPPORT = "support", "support inquiries"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    filename = models.CharField(max_length=255, blank=True)  # blank: sent through the API
    rows = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.created_at:%Y-%m-%d}"


class WebTraffic(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(max_length=12)  # AnalyticsImport.Kind: plausible or ga4
    day = models.DateField()
    utm_source = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    visits = models.PositiveIntegerField()
    # Average seconds on the site per visit; None where the export does not say.
    duration_seconds = models.FloatField(null=True, blank=True)
    conversions = models.PositiveIntegerField(null=True, blank=True)  # None: not in the export
    imported = models.ForeignKey(AnalyticsImport, on_delete=models.CASCADE, related_name="traffic")

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["workspace", "origin", "day", "utm_source", "utm_campaign"], name="one_web_traffic_row_per_day")
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["workspace", "day"], name="web_traffic_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.utm_source}/{self.utm_campaign}: {self.visits} visits"


class SupportCount(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    channel = models.CharField(max_length=50, blank=True)  # phone, e-mail, chat…; blank: all
    inquiries = models.PositiveIntegerField()
    imported = models.ForeignKey(AnalyticsImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="support")

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["workspace", "day", "channel"], name="one_support_count_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel or 'all'}: {self.inquiries} inquiries"
