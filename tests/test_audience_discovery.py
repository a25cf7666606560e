"""Listen first, then act: the review puts the plan's `presence` estimates beside the distinct
people listening heard, per platform and week, with the numbers in the message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement.models import HeardItem
from strata.strategy.review.registry import run_review
from strata.strategy.store import current_plan


def heard(workspace: Workspace, platform: str, query: str, authors: int, *, days_ago: int = 3) -> None:
    """`authors` distinct people on `platform` whose posts matched `query`, two posts each."""
    for n in range(authors):
        for post in range(2):
            item = HeardItem(
                workspace=workspace,
                platform=platform,
                remote_id=f"{platform}:{query}:{n}:{post}:{days_ago}",
                kind="post",
                author_id=f"{platform}-author-{n}",
                author_handle=f"rider{n}",
                text="commuting by bike again today",
                created_at=now() - dt.timedelta(days=days_ago),
            )
            item.set_matched([query])
            item.save()


def findings(workspace: Workspace, code: str) -> list[Any]:
    review = run_review(current_plan(workspace).plan, workspace_id=workspace.pk)
    return [f for f in review.findings if f.code == code]


def test_an_audience_the_plan_places_where_listening_hears_almost_no_one_is_named_with_the_numbers(acme: Workspace) -> None:
    # Listening runs on Bluesky (it hears brand talk there), but almost no commuters.
    heard(acme, "bluesky", "brand-mentions", 30)
    heard(acme, "bluesky", "commuting-en", 1)
    [finding] = [f for f in findings(acme, "audience.not_heard_where_expected") if f.ref == "audience:commuters"]
    assert finding.message == (
        "the plan estimates 3,000 of 'commuters' on bluesky; listening for 'commuting-en', 'commuting-de', 'commuting-fr' "
        "heard 0.2 people a week there over the last 4 weeks"
    )


def test_a_person_heard_by_two_queries_counts_once(acme: Workspace) -> None:
    heard(acme, "bluesky", "commuting-en", 7)
    heard(acme, "bluesky", "commuting-de", 7)  # the same seven people: seven, not fourteen
    [finding] = [f for f in findings(acme, "audience.not_heard_where_expected") if f.ref == "audience:commuters"]
    assert "heard 1.8 people a week" in finding.message


def test_enough_people_heard_is_no_finding(acme: Workspace) -> None:
    heard(acme, "bluesky", "commuting-en", 12)
    assert not [f for f in findings(acme, "audience.not_heard_where_expected") if f.ref == "audience:commuters"]


def test_silence_on_a_platform_nobody_listens_to_says_nothing(acme: Workspace) -> None:
    # Nothing at all was heard on Mastodon: no conclusion about who is there.
    heard(acme, "bluesky", "commuting-en", 40)
    assert not [f for f in findings(acme, "audience.not_heard_where_expected") if "mastodon" in f.message]


def test_an_audience_talking_where_the_plan_has_no_channel_for_it_is_a_finding(acme: Workspace) -> None:
    # Many commuters on Mastodon; the plan's Mastodon channel serves commuters, so no finding there.
    heard(acme, "mastodon", "commuting-en", 60)
    assert not findings(acme, "audience.talking_without_channel")
    # Owners talk on Bluesky too, where a channel serves them; commuters talk on Threads, where none does.
    heard(acme, "threads", "commuting-en", 60)
    [finding] = findings(acme, "audience.talking_without_channel")
    assert finding.ref == "audience:commuters"
    assert "hears 15 people of 'commuters' a week on threads" in finding.message


def test_what_was_heard_before_the_window_does_not_count(acme: Workspace) -> None:
    heard(acme, "threads", "commuting-en", 60, days_ago=40)
    assert not findings(acme, "audience.talking_without_channel")


def test_another_workspaces_listening_never_counts(acme: Workspace, personas: Any) -> None:
    rival = Workspace.objects.get(slug="rival")
    heard(rival, "threads", "commuting-en", 60)
    assert not findings(acme, "audience.talking_without_channel")
