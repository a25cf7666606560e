"""A changed listening query applies to what was already heard: after the plan is saved, a task
matches the workspace's stored items again, so the listening page counts them under the queries
as they are now. A plan change that leaves the queries alone costs no such task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from strata.accounts.models import Workspace
from strata.engagement.listening import queries
from strata.engagement.models import HeardItem
from strata.strategy import actions
from strata.strategy.plan.loader import validate_plan
from strata.strategy.store import current_plan


def item(workspace: Workspace, n: int, text: str) -> HeardItem:
    return HeardItem.objects.create(
        workspace=workspace,
        platform="bluesky",
        remote_id=f"at://did:plc:x/app.bsky.feed.post/{n}",
        kind="post",
        author_id="did:plc:x",
        author_handle="fan.test",
        text=text,
        language="en",
        created_at="2026-11-30T10:00:00Z",
    )


def save(workspace: Workspace, change: Callable[[dict[str, Any]], Any], capture: Any) -> None:
    data = current_plan(workspace).plan.model_dump(mode="json")
    change(data)
    with capture(execute=True):  # the signal goes out once the save has committed
        actions.save_plan(workspace=workspace, plan=validate_plan(data, filename="t"), author=None, source="web", summary="t")


def run_tasks() -> None:
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)


def matched(*items: HeardItem) -> list[list[str]]:
    return [HeardItem.objects.get(pk=i.pk).matched_queries for i in items]


@pytest.mark.django_db(transaction=True)  # the worker below commits and closes its connection, as a worker does
def test_stored_items_follow_a_changed_query(acme: Workspace, django_capture_on_commit_callbacks: Any) -> None:
    velocita = item(acme, 1, "My new velocita e-bike is here")
    rapid = item(acme, 2, "Rapid Cycles opened a shop on our street")
    weather = item(acme, 3, "Lovely weather for a ride to the lake")
    queries.tag(queries.workspace_matcher(acme), rows := [velocita, rapid, weather])
    HeardItem.objects.bulk_update(rows, ["matched_queries", "matched_key"])
    assert matched(velocita, rapid, weather) == [["competitors"], ["competitors"], []]

    def narrower_and_one_more(plan: dict[str, Any]) -> None:
        competitors = next(q for q in plan["listening"] if q["id"] == "competitors")
        competitors["query"] = '"rapid cycles"'
        plan["listening"].append({"id": "lake-rides", "topic": "industry", "query": "lake NEAR/3 ride*"})

    save(acme, narrower_and_one_more, django_capture_on_commit_callbacks)
    run_tasks()
    assert matched(velocita, rapid, weather) == [[], ["competitors"], ["lake-rides"]]
    assert HeardItem.objects.get(pk=weather.pk).matched_key == ",lake-rides,"
    assert HeardItem.objects.filter(workspace=acme, matched_key__contains=",competitors,").count() == 1


def test_a_change_elsewhere_in_the_plan_enqueues_nothing(acme: Workspace, django_capture_on_commit_callbacks: Any) -> None:
    before = DBTaskResult.objects.count()
    save(acme, lambda plan: plan["workspace"].update(name="Acme Bicycles"), django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.count() == before
    save(acme, lambda plan: plan["listening"].pop(), django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.count() == before + 1
