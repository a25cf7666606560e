"""All-or-nothing writes stay all or nothing when the database fails half-way.

A real trigger in the database (SQLite or PostgreSQL, whichever the suite runs on) refuses a
write after the first ones went through: the database error is the database's own. The tests
run outside a test transaction, as Strata runs, so that what was written before the failure
would stay written if the write were not one transaction."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection, models
from django.test import Client
from django.utils.timezone import now

from strata.accounts.models import Membership, User, Workspace
from strata.publishing import actions
from strata.publishing.actions import PostInput, VariantInput
from strata.publishing.models import Post, PostEvent, Variant
from strata.strategy.actions import import_plan, put_section
from strata.strategy.models import PlanRevision
from strata.strategy.store import current_plan
from tests.plans import complete_plan_text

pytestmark = pytest.mark.django_db(transaction=True)

TRIGGER = "strata_test_refuse"


@contextmanager
def refused(model: type[models.Model], *, after: int = 0, on: str = "INSERT") -> Iterator[None]:
    """Make the database refuse, with an error of its own, every INSERT into `model`'s table once
    `after` more rows were inserted, or every UPDATE of it."""
    table = connection.ops.quote_name(model._meta.db_table)
    limit = model._default_manager.count() + after
    condition = f"(SELECT count(*) FROM {table}) >= {limit}" if on == "INSERT" else "1 = 1"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF {condition} THEN RAISE EXCEPTION 'the test refuses this {on}' USING ERRCODE = 'XX000'; END IF; RETURN NEW; END $$"
            )
            cursor.execute(f"CREATE TRIGGER {TRIGGER} BEFORE {on} ON {table} FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()")
        else:
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER} BEFORE {on} ON {table} WHEN {condition} BEGIN SELECT RAISE(ABORT, 'the test refuses this {on}'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


def revisions(workspace: Workspace) -> list[tuple[int, Any]]:
    return list(PlanRevision.objects.filter(workspace=workspace).order_by("number").values_list("number", "document"))


def renamed_plan(name: str) -> bytes:
    return complete_plan_text().replace("Acme Bikes", name).encode()


# The plan


def test_a_plan_import_that_fails_half_way_leaves_no_new_workspace(acme: Workspace, make_user: Callable[..., User]) -> None:
    author = make_user("lead@newco.example")
    before = revisions(acme)
    # The workspace and the author's membership are written; the plan revision is refused.
    with refused(PlanRevision), pytest.raises(DatabaseError, match="the test refuses"):
        import_plan(data=renamed_plan("Newco"), filename="newco.yaml", workspace=None, slug="newco", author=author, source="import")
    assert not Workspace.objects.filter(slug="newco").exists()
    assert not Membership.objects.filter(user=author).exists()
    assert revisions(acme) == before


def test_strata_plan_import_that_fails_half_way_leaves_nothing(acme: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "newco.yaml"
    path.write_bytes(renamed_plan("Newco"))
    workspaces = Workspace.objects.count()
    with refused(PlanRevision), pytest.raises(DatabaseError, match="the test refuses"):
        call_command("plan", "import", str(path), "--workspace", "newco", stdout=io.StringIO(), stderr=io.StringIO())
    assert Workspace.objects.count() == workspaces
    assert not PlanRevision.objects.filter(workspace__slug="newco").exists()


def test_a_plan_import_over_a_workspace_that_fails_half_way_keeps_the_plan_it_had(acme: Workspace) -> None:
    before = revisions(acme)
    # The new revision is written; renaming the workspace after the plan's name is refused.
    with refused(Workspace, on="UPDATE"), pytest.raises(DatabaseError, match="the test refuses"):
        import_plan(data=renamed_plan("Acme Cycles"), filename="plan.yaml", workspace=acme, slug="acme", author=None, source="import")
    assert revisions(acme) == before
    assert Workspace.objects.get(pk=acme.pk).name == "Acme Bikes"
    assert current_plan(acme).plan.workspace.name == "Acme Bikes"


def test_an_edit_of_the_plan_that_fails_half_way_keeps_the_plan_it_had(acme: Workspace) -> None:
    before = revisions(acme)
    section = current_plan(acme).plan.model_dump(mode="json")["workspace"]
    with refused(Workspace, on="UPDATE"), pytest.raises(DatabaseError, match="the test refuses"):
        put_section(workspace=acme, author=None, section="workspace", value={**section, "name": "Acme Cycles"})
    assert revisions(acme) == before
    assert Workspace.objects.get(pk=acme.pk).name == "Acme Bikes"


# Posts


def existing_post(workspace: Workspace) -> Post:
    return actions.create_post(
        workspace=workspace,
        actor=None,
        data=PostInput(variants=[VariantInput("acme-bsky", "Written before")], title="Before", objective_id="eu-awareness"),
    )


def snapshot() -> tuple[list[Any], list[Any], list[Any]]:
    return (
        list(Post.objects.order_by("pk").values_list("pk", "title", "state")),
        list(Variant.objects.order_by("pk").values_list("pk", "channel_id", "text", "state")),
        list(PostEvent.objects.order_by("pk").values_list("pk", "kind")),
    )


@pytest.mark.parametrize("schedule", [False, True])
def test_a_csv_import_that_fails_half_way_writes_no_post(
    schedule: bool, acme: Workspace, personas: Any, client_for: Callable[[str], Client]
) -> None:
    existing_post(acme)
    before = snapshot()
    at = (now().astimezone(acme.tzinfo).replace(microsecond=0, second=0) + dt.timedelta(days=3)).isoformat()
    text = (
        "post,channel,text,objective,scheduled_at\n"
        f"one,acme-bsky,The first post of the file,eu-awareness,{at}\n"
        f"one,acme-mastodon,The first post of the file on Mastodon,eu-awareness,{at}\n"
        f"two,acme-bsky,The second post of the file,eu-awareness,{at}\n"
        f"three,acme-bsky,The third post of the file,eu-awareness,{at}\n"
    )
    form = {"file": SimpleUploadedFile("posts.csv", text.encode(), content_type="text/csv"), "confirm": "1"}
    if schedule:
        form["schedule"] = "1"
    # The first post of the file and its variants are written; the second post is refused.
    with refused(Post, after=1), pytest.raises(DatabaseError, match="the test refuses"):
        client_for("strategist").post("/w/acme/posts.csv/", form)
    assert snapshot() == before


def test_a_post_whose_second_variant_fails_is_not_written_at_all(acme: Workspace) -> None:
    existing_post(acme)
    before = snapshot()
    data = PostInput(variants=[VariantInput("acme-bsky", "One"), VariantInput("acme-mastodon", "Two")], objective_id="eu-awareness")
    with refused(Variant, after=1), pytest.raises(DatabaseError, match="the test refuses"):
        actions.create_post(workspace=acme, actor=None, data=data)
    assert snapshot() == before


def test_an_edit_of_a_post_that_fails_half_way_keeps_the_post_as_it_was(acme: Workspace) -> None:
    post = existing_post(acme)
    before = snapshot()
    data = PostInput(
        variants=[VariantInput("acme-mastodon", "Rewritten for Mastodon")], title="After", objective_id="eu-awareness", pillar_id="routes"
    )
    # The post and its variants are changed; the "edited" event is refused.
    with refused(PostEvent, after=0), pytest.raises(DatabaseError, match="the test refuses"):
        actions.update_post(post=post, actor=None, data=data)
    assert snapshot() == before
    assert Post.objects.get(pk=post.pk).pillar_id == ""


def test_strata_post_schedule_that_fails_half_way_leaves_no_post(acme: Workspace) -> None:
    existing_post(acme)
    before = snapshot()
    at = (now() + dt.timedelta(days=2)).isoformat()
    # The post is made and approved; the "scheduled" event, the last write, is refused.
    with refused(PostEvent, after=2), pytest.raises(DatabaseError, match="the test refuses"):
        call_command(
            "post",
            "schedule",
            "--workspace",
            "acme",
            "--channel",
            "acme-bsky",
            "--objective",
            "eu-awareness",
            "--text",
            "All or nothing",
            "--at",
            at,
            stdout=io.StringIO(),
        )
    assert snapshot() == before
