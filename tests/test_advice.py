"""The reports' advice (strata/analytics/reports/advice*.py): each rule fires on a small data
set built for it, with its numbers in words, and stays quiet on a healthy one; the plan it
proposes is a valid plan holding exactly the change it names, and nothing else."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from strata.accounts.models import Workspace
from strata.analytics.alignment import Alignment, ChannelMix
from strata.analytics.kpis.forecast import Forecast
from strata.analytics.kpis.values import ObjectiveKpi, today_of
from strata.analytics.metrics.models import FollowerCount, PostReading
from strata.analytics.reports import advice
from strata.analytics.reports.advice_audiences import audience_elsewhere
from strata.analytics.reports.advice_base import counted
from strata.analytics.reports.advice_channels import channel_effort
from strata.analytics.reports.advice_mix import mix_drift
from strata.analytics.reports.advice_objectives import objective_off_track
from strata.analytics.reports.advice_pillars import pillar_idle
from strata.analytics.reports.advice_sla import sla
from strata.analytics.reports.period import Period
from strata.engagement.inbox.models import Conversation
from strata.engagement.models import HeardItem
from strata.publishing.models import Post, Variant
from strata.strategy.plan.schema import PlanDocument
from strata.strategy.proposal_diff import element_changes
from strata.strategy.store import current_plan

BERLIN = ZoneInfo("Europe/Berlin")
MARCH = Period.ending("monthly", dt.date(2025, 3, 1))  # 31 days; 1 March 2025 is a Saturday
SATURDAYS = [dt.date(2025, 3, d) for d in (1, 8, 15, 22, 29)]
SUNDAYS = [dt.date(2025, 3, d) for d in (2, 9, 16, 23, 30)]
_n = itertools.count(1)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), BERLIN)


def plan_of(workspace: Workspace) -> PlanDocument:
    return current_plan(workspace).plan


def published(workspace: Workspace, channel_id: str, *, day: dt.date, engagement: int = 0, pillar: str = "", kind: str = "") -> Variant:
    """A post that went out on `day` and, read that evening, had gained `engagement` in likes."""
    n = next(_n)
    platform = {"acme-mastodon": "mastodon"}.get(channel_id, "bluesky")
    post = Post.objects.create(workspace=workspace, title=f"p{n}", state=Post.State.PUBLISHED, pillar_id=pillar, kind=kind)
    variant = Variant.objects.create(
        post=post,
        channel_id=channel_id,
        platform=platform,
        text=f"Post {n}",
        keys=[f"k{n}"],
        state=Variant.State.PUBLISHED,
        remote_id=f"r{n}",
        published_at=at(day, 9),
    )
    PostReading.objects.create(variant=variant, read_at=at(day, 20), likes=engagement, reposts=0, replies=0, quotes=None)
    return variant


def followers(workspace: Workspace, counts: dict[str, int]) -> None:
    for channel_id, count in counts.items():
        platform = "mastodon" if channel_id == "acme-mastodon" else "bluesky"
        FollowerCount.objects.create(workspace=workspace, channel_id=channel_id, platform=platform, day=MARCH.end, followers=count)


def channel_numbers(workspace: Workspace, engagement: dict[str, int]) -> None:
    """Each channel's engagement in March, over four posts."""
    for channel_id, total in engagement.items():
        for week in range(4):
            published(workspace, channel_id, day=dt.date(2025, 3, 3 + 7 * week), engagement=total // 4)


def only_change(before: PlanDocument, after: PlanDocument | None) -> list[str]:
    assert after is not None
    assert PlanDocument.model_validate(after.model_dump()) == after  # a valid plan, whole
    return element_changes(before, after)


# 1. A channel not worth its effort


def test_a_channel_far_below_the_others_per_hour_is_halved_and_its_hours_move_to_the_best(acme: Workspace) -> None:
    # per hour of March (31 days): bsky 400 / 17.7 h, mastodon 150 / 53.1 h; acme-help answers
    # the inbox, so its posts are not what its hours buy.
    channel_numbers(acme, {"acme-bsky": 400, "acme-help": 300, "acme-mastodon": 150})
    followers(acme, {"acme-bsky": 3000, "acme-help": 1500, "acme-mastodon": 300})
    plan = plan_of(acme)

    [found] = channel_effort(acme, plan, MARCH)

    assert found.key == "channel-effort:acme-mastodon"
    assert found.title == "acme-mastodon is not worth its 12 hours a week"
    assert "took 53.1 hours in the period (12 hours a week) and gained 148" in found.evidence
    assert "2.8 an hour, against 22.6 an hour on acme-bsky" in found.evidence
    assert "Its 300 followers are 25 per weekly hour, against 750." in found.evidence
    assert "Not judged: acme-help (its hours go to answering the inbox); acme-pinterest (Strata reads no numbers on Pinterest)." in (
        found.evidence
    )  # said, not guessed
    assert found.numbers["best_channel"] == "acme-bsky"
    assert found.change.startswith("Halve acme-mastodon: effort from 12 hours to 6 hours a week, 3 posts a week to 1.5 posts a week")
    assert only_change(plan, found.plan) == ["changed channel acme-bsky", "changed channel acme-mastodon"]
    assert found.plan is not None
    after = {c.id: c for c in found.plan.channels}
    assert (after["acme-mastodon"].effort_hours_per_week, after["acme-mastodon"].cadence_per_week) == (6, 1.5)
    assert after["acme-bsky"].effort_hours_per_week == 10
    assert plan.channels[2].effort_hours_per_week == 12  # the plan read is never touched


def test_a_channel_under_a_tenth_is_retired_and_all_its_hours_move(acme: Workspace) -> None:
    channel_numbers(acme, {"acme-bsky": 400, "acme-help": 300, "acme-mastodon": 16})
    plan = plan_of(acme)

    [found] = channel_effort(acme, plan, MARCH)

    assert found.title == "acme-mastodon brings under a tenth of what an hour brings elsewhere"
    assert "followers were not read in the period, so engagement alone was weighed" in found.evidence
    assert found.change == "Retire acme-mastodon: remove it from the plan and move its 12 hours a week to acme-bsky."
    assert only_change(plan, found.plan) == ["changed channel acme-bsky", "removed channel acme-mastodon"]
    assert found.plan is not None
    assert next(c for c in found.plan.channels if c.id == "acme-bsky").effort_hours_per_week == 16


def test_channels_that_earn_their_hours_or_cannot_be_read_get_no_advice(acme: Workspace) -> None:
    channel_numbers(acme, {"acme-bsky": 400, "acme-help": 300, "acme-mastodon": 600})
    followers(acme, {"acme-bsky": 3000, "acme-help": 1500, "acme-mastodon": 900})
    assert channel_effort(acme, plan_of(acme), MARCH) == []
    # Nothing read at all: nothing to compare, nothing guessed.
    assert channel_effort(acme, plan_of(acme), Period.ending("monthly", dt.date(2025, 5, 1))) == []


# 2. Mix drift


def alignment(*mixes: tuple[str, int, int]) -> Alignment:
    mix = [ChannelMix(channel, "bluesky", posts, promotional, 0.3) for channel, posts, promotional in mixes]
    return Alignment(MARCH.start, MARCH.end, 0, 0, 0, 0, mix, 0, 0, 0, 0)


def test_one_channel_drifting_is_advice_without_a_plan_change(acme: Workspace) -> None:
    [found] = mix_drift(plan_of(acme), alignment(("acme-bsky", 20, 10), ("acme-help", 10, 3)))
    assert found.key == "mix-drift:acme-bsky"
    assert found.evidence == "acme-bsky: 10 of 20 posts promotional (50 %), against the plan's 30 %: 20 points above."
    assert found.plan is None
    assert found.change.startswith("No plan change")


def test_every_channel_drifting_proposes_the_mix_the_team_keeps(acme: Workspace) -> None:
    plan = plan_of(acme)
    [found] = mix_drift(plan, alignment(("acme-bsky", 20, 9), ("acme-help", 10, 4)))
    assert found.key == "mix-drift:all"
    assert "Together 13 of 30 posts (43 %), against the plan's 30 %." in found.evidence
    assert only_change(plan, found.plan) == ["changed content.mix"]
    assert found.plan is not None
    assert (found.plan.content.mix.promotional, found.plan.content.mix.social) == (0.45, 0.55)


def test_a_mix_within_five_points_or_on_few_posts_is_quiet(acme: Workspace) -> None:
    assert mix_drift(plan_of(acme), alignment(("acme-bsky", 20, 7), ("acme-help", 7, 7))) == []


# 3. SLAs breaking on a weekday


def conversations(workspace: Workspace, channel_id: str, days: list[dt.date], *, late: int) -> None:
    """One conversation each day, started at noon with an hour to answer; the first `late` missed it."""
    for i, day in enumerate(days):
        n = next(_n)
        started = at(day)
        missed = i < late
        answered = started + (dt.timedelta(hours=3) if missed else dt.timedelta(minutes=20))
        Conversation.objects.create(
            workspace=workspace,
            channel_id=channel_id,
            platform="bluesky",
            thread_id=f"t{n}",
            author_id=f"a{n}",
            author_handle=f"a{n}.test",
            state=Conversation.State.DONE,
            started_at=started,
            last_inbound_at=started,
            due_at=started + dt.timedelta(hours=1),
            first_answered_at=answered,
            answered_at=answered,
            breached=missed,
        )


def test_a_staffed_day_with_short_support_hours_gets_them_opened(acme: Workspace) -> None:
    conversations(acme, "acme-help", SATURDAYS, late=3)
    plan = plan_of(acme)

    [found] = sla(acme, plan, MARCH)

    assert found.key == "sla:acme-help:sat"
    assert found.evidence == (
        "On Saturdays 2 of 5 conversations on acme-help were answered within their target (40 %, below 80 %); 3 were late. "
        "The support hours have the inbox open 10:00-14:00 on Saturdays."
    )
    assert found.change == "Open the inbox 08:00-18:00 on Saturdays, as on its longest day."
    assert only_change(plan, found.plan) == ["changed support"]
    assert found.plan is not None
    assert found.plan.support.hours is not None
    assert found.plan.support.hours["sat"] == "08:00-18:00"


def test_a_day_nobody_covers_gets_the_responsible_person_and_the_hours(acme: Workspace) -> None:
    conversations(acme, "acme-help", SUNDAYS, late=5)
    plan = plan_of(acme)

    [found] = sla(acme, plan, MARCH)

    assert found.key == "sla:acme-help:sun"
    assert "Nobody is responsible for acme-help on Sundays." in found.evidence
    assert "The support hours have the inbox closed on Sundays." in found.evidence
    assert found.change == "Add Sunday to amira's days on acme-help; open the inbox 08:00-18:00 on Sundays, as on its longest day."
    assert only_change(plan, found.plan) == ["changed channel acme-help", "changed support"]
    assert found.plan is not None
    assert found.plan.channels[1].responsible[0].days == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert list(found.plan.support.hours or {})[-1] == "sun"


def test_answers_in_time_or_too_few_conversations_are_quiet(acme: Workspace) -> None:
    conversations(acme, "acme-help", SATURDAYS, late=0)
    conversations(acme, "acme-bsky", SUNDAYS[:4], late=4)  # four are anecdotes
    assert sla(acme, plan_of(acme), MARCH) == []


# 4. An objective off track


def kpi(acme: Workspace, objective_id: str, forecast: Forecast) -> ObjectiveKpi:
    objective = next(o for o in plan_of(acme).objectives if o.id == objective_id)
    return ObjectiveKpi(objective, None, "", [], forecast, "")


def test_an_objective_off_track_moves_its_deadline_to_when_the_trend_gets_there(acme: Workspace) -> None:
    plan = plan_of(acme)
    # 12,000 → 20,000 by 30 June 2027; the trend reaches 17,000 by then, rising 5 a day.
    found = objective_off_track(plan, [kpi(acme, "eu-awareness", Forecast("off_track", 17000, 16000, 18000, 5, 13000, 40))])
    [advice_] = found
    assert advice_.key == "objective-off-track:eu-awareness"
    assert "the latest reading is 13,000" in advice_.evidence
    assert "reaches 17,000 by then, 16,000 to 18,000 within its band, all short of 20,000" in advice_.evidence
    # 3,000 more at 5 a day: 600 days after 30 June 2027 is 20 February 2029, rounded to the month's end.
    assert advice_.change.startswith("Move the deadline of eu-awareness from 30 June 2027 to 28 February 2029")
    assert only_change(plan, advice_.plan) == ["changed objective eu-awareness"]
    assert advice_.plan is not None
    moved = advice_.plan.objectives[0].kpi
    assert moved is not None
    assert (moved.deadline, moved.target) == (dt.date(2029, 2, 28), 20000)


def test_an_objective_too_far_off_gets_a_target_it_can_reach_and_one_heading_away_gets_advice(acme: Workspace) -> None:
    plan = plan_of(acme)
    slow = kpi(acme, "deflect-support", Forecast("off_track", 1350, 1300, 1400, -0.01, 1390, 30))  # should fall to 1,100
    away = kpi(acme, "eu-awareness", Forecast("off_track", 11000, 10000, 12000, -2, 11500, 30))
    lowered, heading_away = objective_off_track(plan, [slow, away])
    assert lowered.change == "Lower the target of deflect-support from 1,100 to 1,300, the most the trend reaches by the deadline."
    assert only_change(plan, lowered.plan) == ["changed objective deflect-support"]
    assert heading_away.plan is None
    assert "The trend heads away from the target." in heading_away.evidence


def test_objectives_on_track_at_risk_or_without_data_are_quiet(acme: Workspace) -> None:
    kpis = [
        kpi(acme, "eu-awareness", Forecast("on_track", 21000, 20500, 21500, 9, 14000, 40)),
        kpi(acme, "deflect-support", Forecast("at_risk", 1150, 1050, 1250, -0.5, 1300, 40)),
        kpi(acme, "site-traffic", Forecast("no_data", None, None, None, None, None, 0)),
    ]
    assert objective_off_track(plan_of(acme), kpis) == []


# 5. A pillar that does not move its objective


def test_a_pillar_far_below_the_others_is_advice_only(acme: Workspace) -> None:
    for day in (3, 10, 17):
        published(acme, "acme-bsky", day=dt.date(2025, 3, day), engagement=60, pillar="routes")
        published(acme, "acme-bsky", day=dt.date(2025, 3, day), engagement=3, pillar="repair-tips")
        published(acme, "acme-bsky", day=dt.date(2025, 3, day), engagement=40, pillar="new-models")
    [found] = pillar_idle(acme, plan_of(acme), MARCH)
    assert found.key == "pillar-idle:repair-tips"
    assert found.title == "The pillar repair-tips does not move deflect-support"
    assert "3 posts of “Two-minute repair tips” gained 3 likes, reposts, replies and quotes each, against a median of 50" in found.evidence
    assert found.plan is None


def test_pillars_alike_are_quiet(acme: Workspace) -> None:
    for day in (3, 10, 17):
        for pillar in ("routes", "repair-tips", "new-models"):
            published(acme, "acme-bsky", day=dt.date(2025, 3, day), engagement=30, pillar=pillar)
    assert pillar_idle(acme, plan_of(acme), MARCH) == []


# 6. An audience elsewhere


def heard(workspace: Workspace, platform: str, query: str, count: int) -> None:
    for _ in range(count):
        n = next(_n)
        item = HeardItem(
            workspace=workspace, platform=platform, remote_id=f"h{n}", kind="post", author_id=f"u{n}", author_handle=f"u{n}.test",
            text="acme brake broken", created_at=at(dt.date(2025, 3, 10)),
        )  # fmt: skip
        item.set_matched([query])
        item.save()


def test_an_audience_heard_mostly_where_no_channel_is_for_them_is_added_to_the_channel_there(acme: Workspace) -> None:
    # commuters: acme-bsky (bluesky) and acme-mastodon are for them; owners are not on acme-bsky.
    plan = plan_of(acme)
    heard(acme, "bluesky", "commuting-en", 5)
    heard(acme, "mastodon", "owner-trouble", 4)
    heard(acme, "bluesky", "owner-trouble", 26)  # acme-help is for owners on Bluesky: served
    assert audience_elsewhere(acme, plan, MARCH) == []

    # Move owners' help off Bluesky: now most of what owners say is where no channel is for them.
    without = plan.model_copy(deep=True)
    without.channels[1].audiences = ["commuters"]
    [found] = audience_elsewhere(acme, without, MARCH)
    assert found.key == "audience-elsewhere:owners:bluesky"
    assert found.evidence.startswith(
        "Of 30 items the listening queries for owners heard in the period, 26 (87 %) were on Bluesky; Mastodon 4."
    )
    assert "The plan counts 1,500 of them there." in found.evidence
    assert found.change == "Add owners to the audiences of acme-bsky, the plan's channel on Bluesky."
    assert only_change(without, found.plan) == ["changed channel acme-bsky"]


def test_an_audience_on_a_platform_without_channels_is_advice_only(acme: Workspace) -> None:
    plan = plan_of(acme)
    heard(acme, "x", "commuting-en", 25)
    [found] = audience_elsewhere(acme, plan, MARCH)
    assert found.plan is None
    assert found.change == "No plan change: consider a channel on X for commuters."


# All of them


def test_recommend_runs_every_rule_most_important_first_and_a_healthy_workspace_gets_none(acme: Workspace) -> None:
    plan = plan_of(acme)
    quiet = alignment(("acme-bsky", 20, 6))
    assert advice.recommend(acme, plan, MARCH, kpis=[], alignment=quiet) == []

    channel_numbers(acme, {"acme-bsky": 400, "acme-help": 300, "acme-mastodon": 16})
    conversations(acme, "acme-help", SATURDAYS, late=3)
    off = kpi(acme, "eu-awareness", Forecast("off_track", 17000, 16000, 18000, 5, 13000, 40))
    found = advice.recommend(acme, plan, MARCH, kpis=[off], alignment=alignment(("acme-bsky", 20, 12)))
    assert [r.kind for r in found] == ["objective_off_track", "channel_effort", "sla", "mix_drift"]
    assert len({r.key for r in found}) == len(found)
    assert all(r.as_dict()["evidence"] for r in found)


@pytest.mark.parametrize("rule", ["channel_effort", "sla"])
def test_the_advice_is_the_same_on_a_second_reading(acme: Workspace, rule: str) -> None:
    """Stable keys and words: the report, the PDF and the propose button must agree."""
    channel_numbers(acme, {"acme-bsky": 400, "acme-help": 300, "acme-mastodon": 150})
    conversations(acme, "acme-help", SATURDAYS, late=3)
    read = channel_effort if rule == "channel_effort" else sla
    first, second = read(acme, plan_of(acme), MARCH), read(acme, plan_of(acme), MARCH)
    assert [r.as_dict() for r in first] == [r.as_dict() for r in second]


def test_only_the_part_of_a_period_that_is_over_is_weighed(acme: Workspace) -> None:
    today = today_of(acme)
    running = counted(acme, Period.ending("monthly", today))
    assert running.start == today.replace(day=1)
    assert running.end == max(running.start, today - dt.timedelta(days=1))  # today is still moving
    assert counted(acme, MARCH) == MARCH
    # A fortnight at least before a channel's effort is judged: a few days say more about the weekday.
    channel_numbers(acme, {"acme-bsky": 400, "acme-mastodon": 16})
    assert channel_effort(acme, plan_of(acme), Period("monthly", MARCH.start, MARCH.start + dt.timedelta(days=12))) == []
