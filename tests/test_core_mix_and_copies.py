"""Where copy detection and the 80/20 mix draw their lines: the exact threshold, short texts
compared word by word, the window of 30 days, and what the warning tells a person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.actions import PostInput, VariantInput
from strata.publishing.mix import MixWarning, channel_mix
from strata.publishing.models import Post, Variant
from strata.publishing.planlink import PlanLink
from strata.publishing.similarity import SIMILAR, similar_pairs, similarity
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from tests.conftest import DEMO_PLAN

ELEVEN = "riders across berlin pick the canal route for calmer mornings this spring"  # 12 words


def words(count: int) -> str:
    return " ".join(ELEVEN.split()[:count])


def test_the_threshold_is_four_fifths() -> None:
    assert SIMILAR == 0.8


def test_eleven_words_with_the_last_one_changed_are_a_copy_at_exactly_the_threshold() -> None:
    # 8 of 10 word triples shared: 80 %, which counts.
    text = words(11)
    edited = text.rsplit(" ", 1)[0] + " afternoons"
    assert similarity(text, edited) == pytest.approx(0.8)
    assert [(p.a, p.b, p.score) for p in similar_pairs([("bsky", text), ("mastodon", edited)])] == [("bsky", "mastodon", 0.8)]


def test_ten_words_with_the_last_one_changed_are_not_a_copy() -> None:
    # 7 of 9 word triples shared: 78 %, just under.
    text = words(10)
    edited = text.rsplit(" ", 1)[0] + " afternoons"
    assert similarity(text, edited) == pytest.approx(7 / 9)
    assert similar_pairs([("bsky", text), ("mastodon", edited)]) == []


def test_five_words_are_compared_word_by_word_so_their_order_does_not_matter() -> None:
    assert similarity("calm routes across berlin canals", "berlin canals calm routes across") == 1.0
    assert similar_pairs([("bsky", "calm routes across berlin canals"), ("mastodon", "berlin canals calm routes across")])


def test_six_words_are_compared_in_triples_so_reordering_them_is_a_new_text() -> None:
    assert similarity("calm routes across berlin canals today", "today berlin canals calm routes across") < 0.8
    assert similar_pairs([("bsky", "calm routes across berlin canals today"), ("mastodon", "today berlin canals calm routes across")]) == []


def test_short_texts_four_of_five_words_shared_are_a_copy() -> None:
    assert similarity("spring routes are live now", "spring routes are live") == pytest.approx(0.8)
    assert similarity("spring routes are live now", "spring routes are here") == pytest.approx(0.5)


def test_case_links_mentions_tags_and_punctuation_do_not_make_a_text_new() -> None:
    a = "New spring routes for Berlin commuters, with maps and cafés: https://acme.example/a"
    b = "new spring routes for berlin commuters with maps and cafés!!! @acme #bikes https://other.example/b?x=1"
    assert similarity(a, b) == 1.0


def test_texts_of_nothing_but_links_and_emoji_are_not_copies_of_each_other() -> None:
    assert similarity("https://acme.example/a 🚲", "https://acme.example/a 🚲") == 0.0
    assert similarity("https://acme.example/a", "Spring routes are live") == 0.0
    assert similar_pairs([("bsky", "🚲 https://acme.example/a"), ("mastodon", "🚲 https://acme.example/a")]) == []


def test_every_pair_is_compared_and_the_closest_comes_first() -> None:
    text = words(12)
    items = [
        ("bsky", text),
        ("mastodon", text.rsplit(" ", 1)[0] + " afternoons"),  # 9 of 11 triples: 82 %
        ("feed", "Something else entirely, written for the feed readers of the blog"),
        ("webhook", text),
    ]
    assert [(p.a, p.b, p.score) for p in similar_pairs(items)] == [
        ("bsky", "webhook", 1.0),
        ("bsky", "mastodon", 0.82),
        ("mastodon", "webhook", 0.82),
    ]


def test_a_stricter_threshold_can_be_asked_for() -> None:
    text = words(12)
    items = [("bsky", text), ("mastodon", text.rsplit(" ", 1)[0] + " afternoons")]
    assert similar_pairs(items, threshold=0.9) == []
    assert len(similar_pairs(items, threshold=0.81)) == 1


# The mix. The demo plan's target is 30 % promotional; the pillar `routes` is social.

SOON = dt.timedelta(hours=2)


def scheduled(workspace: Workspace, channel: str, *, kind: str = "", pillar: str = "", at: dt.datetime | None = None) -> Post:
    post = actions.create_post(
        workspace=workspace,
        actor=None,
        data=PostInput(
            variants=[VariantInput(channel, f"A {kind or 'social'} post")], objective_id="eu-awareness", pillar_id=pillar, kind=kind
        ),
    )
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=at or now() + SOON, accept_mix_warning=True)
    return post


def fill(workspace: Workspace, channel: str, *, promotional: int, social: int) -> None:
    for _ in range(promotional):
        scheduled(workspace, channel, kind="promotional")
    for _ in range(social):
        scheduled(workspace, channel, pillar="routes")


def test_the_mix_counts_the_thirty_days_up_to_the_moment_and_no_more(acme: Workspace) -> None:
    link = PlanLink.of(acme)
    moment = now() + dt.timedelta(days=40)
    inside = scheduled(acme, "acme-bsky", kind="promotional", at=moment - dt.timedelta(days=29))
    scheduled(acme, "acme-bsky", pillar="routes", at=moment)  # at the very end: counted
    scheduled(acme, "acme-bsky", kind="promotional", at=moment - dt.timedelta(days=31))  # before the window
    scheduled(acme, "acme-bsky", kind="promotional", at=moment + dt.timedelta(minutes=1))  # after it
    scheduled(acme, "acme-mastodon", kind="promotional", at=moment)  # another channel
    mix = channel_mix(acme.pk, "acme-bsky", moment, link)
    assert (mix.promotional, mix.total) == (1, 2)
    assert mix.share == 0.5
    assert mix.over
    # exactly thirty days before the moment is outside the window
    Variant.objects.filter(post=inside).update(due_at=moment - dt.timedelta(days=30))
    mix = channel_mix(acme.pk, "acme-bsky", moment, link)
    assert (mix.promotional, mix.total, mix.over) == (0, 1, False)


def test_posts_no_longer_going_out_do_not_count(acme: Workspace) -> None:
    link = PlanLink.of(acme)
    promo = scheduled(acme, "acme-bsky", kind="promotional")
    moment = now() + dt.timedelta(days=1)
    assert channel_mix(acme.pk, "acme-bsky", moment, link).promotional == 1
    for state in (Variant.State.PUBLISHING, Variant.State.PUBLISHED, Variant.State.UNCONFIRMED):
        Variant.objects.filter(post=promo).update(state=state)
        assert channel_mix(acme.pk, "acme-bsky", moment, link).promotional == 1, state
    for state in (Variant.State.FAILED, Variant.State.MISSED):
        Variant.objects.filter(post=promo).update(state=state)
        assert channel_mix(acme.pk, "acme-bsky", moment, link).total == 0, state


def test_an_empty_channel_is_not_over_and_a_share_at_the_target_is_not_over(acme: Workspace) -> None:
    link = PlanLink.of(acme)
    moment = now() + dt.timedelta(days=1)
    empty = channel_mix(acme.pk, "acme-bsky", moment, link)
    assert (empty.share, empty.over, empty.target) == (0.0, False, 0.3)
    fill(acme, "acme-bsky", promotional=3, social=7)
    at_target = channel_mix(acme.pk, "acme-bsky", moment, link)
    assert (at_target.promotional, at_target.total, at_target.share, at_target.over) == (3, 10, 0.3, False)
    scheduled(acme, "acme-bsky", kind="promotional")
    assert channel_mix(acme.pk, "acme-bsky", moment, link).over


def test_the_warning_names_each_channel_pushed_over_and_only_those(acme: Workspace) -> None:
    fill(acme, "acme-bsky", promotional=2, social=7)
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=PostInput(
            variants=[VariantInput("acme-bsky", "Sale on helmets"), VariantInput("acme-mastodon", "Sale on helmets, 20 % off")],
            objective_id="eu-awareness",
            kind="promotional",
        ),
    )
    actions.approve(post=post, actor=None)
    with pytest.raises(MixWarning) as caught:
        actions.schedule(post=post, actor=None, at=now() + SOON)
    # bsky: 3 of 10 is at the target, not over it; mastodon: 1 of 1 is 100 %
    assert [m.channel_id for m in caught.value.over] == ["acme-mastodon"]
    assert str(caught.value) == (
        "this post pushes promotion over the plan's mix: acme-mastodon would be 100% promotional (1 of 1), target 30%. "
        "Schedule anyway, or choose another time or a social post"
    )
    assert Post.objects.get(pk=post.pk).state == "approved"


def test_a_social_post_is_never_held_back_by_the_mix(acme: Workspace) -> None:
    fill(acme, "acme-bsky", promotional=3, social=0)
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=PostInput(variants=[VariantInput("acme-bsky", "A ride story")], objective_id="eu-awareness", pillar_id="routes"),
    )
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + SOON)
    assert Post.objects.get(pk=post.pk).state == "scheduled"


def test_a_post_is_promotional_by_its_pillar_unless_it_says_otherwise(acme: Workspace) -> None:
    link = PlanLink.of(acme)
    moment = now() + dt.timedelta(days=1)
    scheduled(acme, "acme-bsky", pillar="new-models")  # a promotional pillar
    scheduled(acme, "acme-bsky", pillar="new-models", kind="social")  # said otherwise on the post
    mix = channel_mix(acme.pk, "acme-bsky", moment, link)
    assert (mix.promotional, mix.total) == (1, 2)
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=PostInput(variants=[VariantInput("acme-bsky", "New model")], objective_id="eu-awareness", pillar_id="new-models"),
    )
    actions.approve(post=post, actor=None)
    with pytest.raises(MixWarning, match=r"acme-bsky would be 67% promotional \(2 of 3\), target 30%"):
        actions.schedule(post=post, actor=None, at=now() + SOON)


def test_another_workspace_with_the_same_channel_ids_does_not_count(acme: Workspace) -> None:
    other, _ = import_plan(
        data=DEMO_PLAN.read_bytes(), filename="demo.yaml", workspace=None, slug="acme-two", author=None, source=PlanRevision.Source.IMPORT
    )
    fill(other, "acme-bsky", promotional=3, social=0)
    mix = channel_mix(acme.pk, "acme-bsky", now() + dt.timedelta(days=1), PlanLink.of(acme))
    assert (mix.promotional, mix.total) == (0, 0)


def test_the_warning_lists_every_channel_pushed_over(acme: Workspace) -> None:
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=PostInput(
            variants=[VariantInput("acme-bsky", "Sale"), VariantInput("acme-mastodon", "Sale, 20 % off")],
            objective_id="eu-awareness",
            kind="promotional",
        ),
    )
    actions.approve(post=post, actor=None)
    with pytest.raises(MixWarning) as caught:
        actions.schedule(post=post, actor=None, at=now() + SOON)
    assert str(caught.value) == (
        "this post pushes promotion over the plan's mix: acme-bsky would be 100% promotional (1 of 1), target 30%; "
        "acme-mastodon would be 100% promotional (1 of 1), target 30%. Schedule anyway, or choose another time or a social post"
    )
    assert [(m.channel_id, m.promotional, m.total) for m in caught.value.over] == [("acme-bsky", 1, 1), ("acme-mastodon", 1, 1)]
