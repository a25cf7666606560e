"""A report sent: one row per workspace, kind and period, written before the e-mail goes, so
that a scheduled report reaches its readers once however many workers run the schedule."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.timezone import now

from strata.accounts.models import Workspace

__all__ = ["ReportDelivery"]


class ReportDelivery(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", "monthly report"
        SIX_MONTH = "six_month", "six-month report"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period_end = models.DateField()  # the first day of the report's last month
    recipients = models.JSONField(default=list)  # the addresses it went to
    created_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(null=True, blank=True)  # None: claimed, not yet sent
    error = models.TextField(blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["workspace", "kind", "period_end"], name="one_report_delivery_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.period_end:%Y-%m}"
