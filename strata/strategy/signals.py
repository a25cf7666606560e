"""What the strategy app tells the apps built on it, which it never imports."""

from __future__ import annotations

from django.dispatch import Signal

# A new plan revision is stored: sent once its transaction has committed, with
# sender=PlanRevision and revision=<the PlanRevision>. Receivers must be quick (enqueue a task).
plan_saved = Signal()
