from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from strata.accounts.models import Workspace


class PlanRevision(models.Model):
    """One version of a workspace's plan. The newest is the plan; older ones are its history.

    The plan is stored whole, as the same document a plan file holds, because it is imported,
    exported and reviewed whole; other apps refer to its elements by their ids."""

    class Source(models.TextChoices):
        WEB = "web", "web app"
        IMPORT = "import", "plan file"
        API = "api", "API"
        DEMO = "demo", "demo"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="plan_revisions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    # The review's score while this revision was the plan (the overview's trend): kept by
    # strategy/health.py, empty until first reviewed there.
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["workspace", "number"], name="one_revision_number_per_workspace")
        ]
        ordering: ClassVar[list[str]] = ["-number"]

    def __str__(self) -> str:
        return f"{self.workspace.slug} plan r{self.number}"
