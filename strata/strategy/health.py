"""Plan health over time: the review's score of each revision, kept on the revision, and the
small line the overview draws of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError

from strata.accounts.models import Workspace
from strata.strategy.models import PlanRevision
from strata.strategy.plan.loader import gc_paused
from strata.strategy.plan.schema import PlanDocument
from strata.strategy.review.registry import run_review

SHOWN = 24  # the newest revisions on the line; History lists them all


@dataclass(frozen=True)
class Point:
    number: int
    score: int
    created_at: dt.datetime
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class Trend:
    points: list[Point]
    line: str  # the polyline's points, "x,y x,y …"
    width: int = 240
    height: int = 64

    @property
    def first(self) -> Point:
        return self.points[0]

    @property
    def last(self) -> Point:
        return self.points[-1]

    @property
    def change(self) -> int:
        return self.last.score - self.first.score


def _score_of(pk: int, workspace_id: int) -> int | None:
    document = PlanRevision.objects.filter(pk=pk).values_list("document", flat=True).get()
    try:
        with gc_paused():
            plan = PlanDocument.model_validate(document)
    except ValidationError:  # stored under an older format that no longer reads: no point
        return None
    return run_review(plan, workspace_id=workspace_id).score


def scores(workspace: Workspace, current: int, current_score: int) -> list[Point]:
    """The scores of the newest SHOWN revisions, oldest first.

    1. The current revision takes the score of the review the caller has just run, stored when
       it changed: a revision keeps the score it had while it was the plan, as the workspace's
       data moved under it, and freezes when the next one replaces it.
    2. An older revision without a score (replaced before anyone opened the overview) is
       reviewed once, as it was, against the data as it is now, and its score stored. Either
       way one query reads the line, and later views review nothing but the current plan.
    """
    rows = PlanRevision.objects.filter(workspace=workspace).order_by("-number").values_list("pk", "number", "score", "created_at")
    points = []
    for pk, number, score, created_at in rows[:SHOWN]:
        if number == current:
            if score != current_score:
                PlanRevision.objects.filter(pk=pk).update(score=current_score)
            score = current_score
        elif score is None:
            score = _score_of(pk, workspace.pk)
            if score is None:
                continue
            PlanRevision.objects.filter(pk=pk).update(score=score)
        points.append(Point(number, score, created_at))
    points.reverse()
    return points


def trend(points: list[Point], width: int = 240, height: int = 64, pad: int = 6) -> Trend | None:
    """The points placed on a line from 0 (bottom) to 100 (top), the oldest on the left."""
    if not points:
        return None
    step = (width - 2 * pad) / (len(points) - 1) if len(points) > 1 else 0
    placed = [
        Point(
            p.number,
            p.score,
            p.created_at,
            round(pad + i * step if len(points) > 1 else width / 2, 1),
            round(pad + (100 - p.score) * (height - 2 * pad) / 100, 1),
        )
        for i, p in enumerate(points)
    ]
    return Trend(placed, " ".join(f"{p.x},{p.y}" for p in placed), width, height)
