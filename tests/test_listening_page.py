"""The listening page: what was heard for a topic of the plan, counted (per day, per sentiment as
shown, per author, per word), filtered, listed with links to the originals, exported as CSV, and
an item's labels corrected in one action. Strangers' text is shown escaped, their links inert
unless http(s), and nothing of another workspace ever shows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils.timezone import now

from strata.accounts.models import User, Workspace
from strata.engagement.models import HeardItem
from strata.engagement.stats import words

BERLIN = dt.timezone(dt.timedelta(hours=1))  # mid-March: Berlin is on CET
TODAY = dt.date(2026, 3, 15)
_n = iter(range(1, 1_000_000))


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    # Noon in Berlin: "today" and "n days ago" fall on the same dates in UTC and in Berlin.
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, 0, tzinfo=BERLIN), tick=False):
        yield


def heard(
    workspace: Workspace,
    text: str = "",
    *,
    days_ago: int = 0,
    matched: tuple[str, ...] = ("brand-mentions",),
    author: str = "fan.test",
    platform: str = "bluesky",
    kind: str = "post",
    sentiment: str = "neutral",
    intents: tuple[str, ...] = (),
    url: str = "",
    context: bool = False,
) -> HeardItem:
    """An item as ingest stores it: labelled by the model, tagged with the queries it matched."""
    n = next(_n)
    item = HeardItem(
        workspace=workspace,
        platform=platform,
        remote_id=f"remote-{n}",
        kind=kind,
        author_id=f"id-{author}",
        author_handle=author,
        text=text or f"Riding my acme bike to work, day {n}",
        url=url or f"https://bsky.app/profile/{author}/post/{n}",
        created_at=now() - dt.timedelta(days=days_ago),
        sentiment=sentiment,
        intents=list(intents),
        context=context,
    )
    item.set_matched(list(matched))
    item.refresh_shown()
    item.save()
    return item


@pytest.fixture
def acme_ws(personas: dict[str, User]) -> Workspace:
    return Workspace.objects.get(slug="acme")


@pytest.fixture
def owner(client_for: Callable[[str], Client]) -> Client:
    return client_for("owner")


def page(client: Client, address: str, **headers: str) -> tuple[Any, str]:
    response = client.get(address, headers=headers)
    assert response.status_code == 200, response.status_code
    return response, response.content.decode()


def csv_rows(client: Client, address: str) -> tuple[bytes, list[dict[str, str]]]:
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = response.content
    return raw, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


# Counting


def test_it_counts_the_items_of_each_day_of_the_last_28_days(acme_ws: Workspace, owner: Client) -> None:
    for days_ago in (0, 0, 0, 3, 27):
        heard(acme_ws, days_ago=days_ago)
    heard(acme_ws, days_ago=28)  # one day before the default range
    response, body = page(owner, "/w/acme/listening/")
    days = {d.day: d.count for d in response.context["days"]}
    assert len(days) == 28
    assert days[TODAY] == 3
    assert days[TODAY - dt.timedelta(days=3)] == 1
    assert days[TODAY - dt.timedelta(days=27)] == 1
    assert sum(days.values()) == 5
    assert "<strong>5</strong> items" in body
    # the chart is drawn on the server: a bar per day, its count in its title
    svg = re.search(r'<svg class="chart".*?</svg>', body, re.S)
    assert svg is not None
    assert svg.group(0).count("<rect") == 28
    assert "15 Mar: 3 items" in svg.group(0)


def test_the_sentiment_share_counts_a_correction_instead_of_the_models_label(acme_ws: Workspace, owner: Client) -> None:
    corrected = heard(acme_ws, sentiment="negative")
    heard(acme_ws, sentiment="negative")
    heard(acme_ws, sentiment="positive")
    heard(acme_ws, sentiment="neutral")
    owner.post(f"/w/acme/heard/{corrected.pk}/labels/", {"sentiment": "positive"})

    response, body = page(owner, "/w/acme/listening/")
    shares = {p.sentiment: p.count for p in response.context["shares"].parts}
    assert shares == {"negative": 1, "neutral": 1, "positive": 2}
    assert "Positive: <strong>50 %</strong>" in body
    assert "Negative: <strong>25 %</strong>" in body


def test_top_authors_and_top_terms_are_counted_and_say_how(acme_ws: Workspace, owner: Client) -> None:
    for _ in range(3):
        heard(acme_ws, "The chain on my Acme snapped again https://example.org/x @acme.bsky.social", author="grumpy.test")
    heard(acme_ws, "Acme chain grease? #AcmeBikes", author="curious.test")
    heard(acme_ws, "The the and of to", author="quiet.test")
    response, body = page(owner, "/w/acme/listening/")
    authors = [(a.handle, a.count) for a in response.context["authors"]]
    assert authors[:2] == [("grumpy.test", 3), ("curious.test", 1)]
    terms = {t.term: t.count for t in response.context["terms"]}
    assert terms["acme"] == 4
    assert terms["chain"] == 4
    assert terms["snapped"] == 3
    assert terms["#acmebikes"] == 1
    assert "the" not in terms
    assert "and" not in terms
    assert not any("example.org" in t or t.startswith("@") for t in terms)  # links and handles are not terms
    assert "once per item" in body


def test_words_are_lower_cased_once_per_text_without_stop_words_numbers_or_links() -> None:
    assert words("Bike BIKE bike! Der Fahrrad-Laden ist zu. 2026 https://x.example/a www.y.example @someone.test it's") == {
        "bike",
        "fahrrad-laden",
    }


# Filters


def test_a_topic_shows_what_its_queries_matched_and_everything_heard_adds_the_unmatched(acme_ws: Workspace, owner: Client) -> None:
    heard(acme_ws, "acme brand post", matched=("brand-mentions",))
    heard(acme_ws, "rapid cycles post", matched=("competitors",))
    heard(acme_ws, "commute post", matched=("commuting-en", "brand-mentions"))
    heard(acme_ws, "a reply that matched nothing", matched=(), kind="reply")
    heard(acme_ws, "the brand's own post above a reply", matched=(), kind="post", context=True)

    def shown(address: str) -> set[str]:
        return {c.item.text for c in page(owner, address)[0].context["cards"]}

    assert shown("/w/acme/listening/") == {"acme brand post", "rapid cycles post", "commute post"}
    assert shown("/w/acme/listening/competitor/") == {"rapid cycles post"}
    assert shown("/w/acme/listening/industry/") == {"commute post"}
    assert shown("/w/acme/listening/brand/") == {"acme brand post", "commute post"}
    assert shown("/w/acme/listening/brand/?query=brand-mentions") == {"acme brand post", "commute post"}
    assert shown("/w/acme/listening/all/") == {"acme brand post", "rapid cycles post", "commute post", "a reply that matched nothing"}
    # a query of another topic does not widen a topic
    assert shown("/w/acme/listening/competitor/?query=brand-mentions") == {"rapid cycles post"}
    assert owner.get("/w/acme/listening/no-such-topic/").status_code == 404


def test_filters_narrow_by_platform_sentiment_intent_and_dates(acme_ws: Workspace, owner: Client) -> None:
    heard(acme_ws, "on bluesky, cross", sentiment="negative", intents=("complaint",))
    heard(acme_ws, "on mastodon, a question", platform="mastodon", intents=("question",))
    heard(acme_ws, "ten days ago", days_ago=10, sentiment="positive", intents=("praise", "question"))

    def shown(query: str) -> set[str]:
        return {c.item.text for c in page(owner, f"/w/acme/listening/?{query}")[0].context["cards"]}

    assert shown("platform=mastodon") == {"on mastodon, a question"}
    assert shown("sentiment=negative") == {"on bluesky, cross"}
    assert shown("intent=question") == {"on mastodon, a question", "ten days ago"}
    assert shown("since=2026-03-01&until=2026-03-10") == {"ten days ago"}
    assert shown("since=2026-03-14") == {"on bluesky, cross", "on mastodon, a question"}
    # values the page does not know are ignored, not a 500
    assert len(shown("platform=myspace&sentiment=angry&intent=<b>")) == 3


def test_a_bad_date_is_said_and_the_default_range_used(acme_ws: Workspace, owner: Client) -> None:
    heard(acme_ws, "today")
    response, body = page(owner, "/w/acme/listening/?since=yesterday&until=2026-02-30")
    assert "is not a date" in body
    assert response.context["f"].selection.since == TODAY - dt.timedelta(days=27)
    swapped, _ = page(owner, "/w/acme/listening/?since=2026-03-15&until=2026-03-01")
    assert swapped.context["f"].selection.since == dt.date(2026, 3, 1)


def test_htmx_gets_the_results_without_the_page(acme_ws: Workspace, owner: Client) -> None:
    heard(acme_ws, "a post of the brand")
    _, body = page(owner, "/w/acme/listening/?sentiment=neutral", HX_Request="true")
    assert "a post of the brand" in body
    assert "<!doctype" not in body.lower()
    assert 'id="f-platform"' not in body


def test_items_are_paginated_newest_first(acme_ws: Workspace, owner: Client) -> None:
    for i in range(30):
        heard(acme_ws, f"item {i:02d}", days_ago=i % 20)
    first, body = page(owner, "/w/acme/listening/")
    texts = [c.item.text for c in first.context["cards"]]
    assert len(texts) == 25
    created = [c.item.created_at for c in first.context["cards"]]
    assert created == sorted(created, reverse=True)
    assert "page=2" in body
    second, _ = page(owner, "/w/acme/listening/?page=2")
    assert len(second.context["cards"]) == 5
    assert not {c.item.text for c in second.context["cards"]} & set(texts)


def test_the_page_costs_a_fixed_number_of_queries(acme_ws: Workspace, owner: Client, django_assert_max_num_queries: Any) -> None:
    for i in range(120):
        heard(acme_ws, f"acme bike number {i}", days_ago=i % 28, author=f"rider{i % 7}.test")
    with django_assert_max_num_queries(16):
        page(owner, "/w/acme/listening/")


# The items


def test_a_hostile_text_is_escaped_and_a_javascript_link_inert(acme_ws: Workspace, owner: Client) -> None:
    heard(acme_ws, "<script>alert(1)</script>", author="<img src=x onerror=alert(2)>", url="javascript:alert(3)")
    heard(acme_ws, "a fine post", url="https://bsky.app/profile/fan.test/post/1")
    _, body = page(owner, "/w/acme/listening/")
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body
    assert "javascript:" not in body
    assert '<a href="#" rel="nofollow noopener ugc"' in body
    assert '<a href="https://bsky.app/profile/fan.test/post/1" rel="nofollow noopener ugc"' in body
    # the same in the top authors, and in the SVG's titles
    _, terms_body = page(owner, "/w/acme/listening/all/")
    assert "<script>" not in terms_body.replace('<script src="/static/', "")


def test_a_deleted_item_is_shown_as_deleted_without_its_text(acme_ws: Workspace, owner: Client) -> None:
    item = heard(acme_ws, "soon gone")
    HeardItem.objects.filter(pk=item.pk).update(deleted_at=now(), text="")
    _, body = page(owner, "/w/acme/listening/")
    assert "Deleted on the platform" in body


# CSV


def test_the_csv_has_the_filtered_items_a_bom_and_no_formula(acme_ws: Workspace, owner: Client) -> None:
    heard(acme_ws, '=HYPERLINK("https://evil.example","click")', author="@evil.test", sentiment="negative")
    heard(acme_ws, "+1+cmd|' /C calc'!A0", author="-minus.test", sentiment="negative")
    heard(acme_ws, "\tTabbed", sentiment="negative")
    heard(acme_ws, "Großartig, das Rad! ünïcödé", sentiment="positive")
    raw, rows = csv_rows(owner, "/w/acme/listening.csv?sentiment=negative")
    assert raw.startswith(b"\xef\xbb\xbf")
    assert len(rows) == 3
    texts = {r["text"] for r in rows}
    assert '\'=HYPERLINK("https://evil.example","click")' in texts
    assert "'+1+cmd|' /C calc'!A0" in texts
    assert "'\tTabbed" in texts
    assert {r["author_handle"] for r in rows} >= {"'@evil.test", "'-minus.test"}
    for row in rows:
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())
    _, everything = csv_rows(owner, "/w/acme/listening.csv?topic=brand")
    assert "Großartig, das Rad! ünïcödé" in {r["text"] for r in everything}


def test_the_csv_follows_the_topic_and_shows_corrections(acme_ws: Workspace, owner: Client) -> None:
    item = heard(acme_ws, "rapid cycles are slow", matched=("competitors",), sentiment="negative")
    heard(acme_ws, "acme is fine", matched=("brand-mentions",))
    owner.post(f"/w/acme/heard/{item.pk}/labels/", {"toggle": "complaint"})
    _, rows = csv_rows(owner, "/w/acme/listening.csv?topic=competitor")
    assert [(r["text"], r["intents"], r["model_intents"], r["corrected_by"]) for r in rows] == [
        ("rapid cycles are slow", "complaint", "", "Owner")
    ]
    assert owner.get("/w/acme/listening.csv?topic=nothing-like-it").status_code == 404


# Correcting a label


def test_correcting_over_htmx_answers_with_the_item_corrected(acme_ws: Workspace, owner: Client, personas: dict[str, User]) -> None:
    item = heard(acme_ws, "where is my order?", sentiment="neutral", intents=("question",))
    response = owner.post(f"/w/acme/heard/{item.pk}/labels/", {"sentiment": "negative"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<!doctype" not in body.lower()
    assert f'id="heard-{item.pk}"' in body
    assert 'value="negative" class="chip sentiment-negative" aria-pressed="true"' in body
    assert "Corrected by Owner" in body
    assert 'title="the model said: neutral; question"' in body
    item.refresh_from_db()
    assert (item.sentiment, item.corrected_sentiment, item.corrected_by) == ("neutral", "negative", personas["owner"])

    # an intent is turned on, then off, one click each
    owner.post(f"/w/acme/heard/{item.pk}/labels/", {"toggle": "complaint"}, headers={"HX-Request": "true"})
    item.refresh_from_db()
    assert item.shown_intents == ["question", "complaint"]
    owner.post(f"/w/acme/heard/{item.pk}/labels/", {"toggle": "question"}, headers={"HX-Request": "true"})
    item.refresh_from_db()
    assert item.shown_intents == ["complaint"]
    assert item.intents == ["question"]  # the model's stay beside


def test_correcting_without_htmx_goes_back_to_the_page(acme_ws: Workspace, owner: Client) -> None:
    item = heard(acme_ws)
    response = owner.post(f"/w/acme/heard/{item.pk}/labels/", {"sentiment": "positive", "back": "/w/acme/listening/brand/?page=1"})
    assert response.status_code == 302
    assert response["Location"] == f"/w/acme/listening/brand/?page=1#heard-{item.pk}"
    elsewhere = owner.post(f"/w/acme/heard/{item.pk}/labels/", {"sentiment": "positive", "back": "https://evil.example/"})
    assert elsewhere["Location"].startswith("/w/acme/listening/all/")


def test_a_label_that_does_not_exist_is_refused_beside_the_item(acme_ws: Workspace, owner: Client) -> None:
    item = heard(acme_ws, sentiment="neutral")
    response = owner.post(f"/w/acme/heard/{item.pk}/labels/", {"sentiment": "furious"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "is not a sentiment" in response.content.decode()
    item.refresh_from_db()
    assert item.corrected_at is None


def test_a_role_that_may_not_label_sees_the_labels_without_buttons(acme_ws: Workspace, client_for: Callable[[str], Client]) -> None:
    item = heard(acme_ws, sentiment="negative", intents=("complaint",))
    analyst = client_for("analyst")
    _, body = page(analyst, "/w/acme/listening/")
    assert 'class="chip on sentiment-negative">negative' in body
    assert f"/heard/{item.pk}/labels/" not in body
    assert analyst.post(f"/w/acme/heard/{item.pk}/labels/", {"sentiment": "positive"}).status_code == 403
    _, responder = page(client_for("responder"), "/w/acme/listening/")
    assert f"/heard/{item.pk}/labels/" in responder


# Another workspace


def test_another_workspaces_items_never_show(acme_ws: Workspace, personas: dict[str, User], client_for: Callable[[str], Client]) -> None:
    rival = Workspace.objects.get(slug="rival")
    secret = heard(acme_ws, "acme's secret complaint", author="acme-only.test")
    heard(rival, "rival's own post", matched=())
    outsider = client_for("outsider")
    for address in ("/w/rival/listening/", "/w/rival/listening/all/", "/w/rival/listening/brand/"):
        response = outsider.get(address)
        body = response.content.decode()
        assert "acme's secret complaint" not in body
        assert "acme-only.test" not in body
    _, rows = csv_rows(outsider, "/w/rival/listening.csv?topic=all")
    assert [r["text"] for r in rows] == ["rival's own post"]
    # acme's pages and acme's item, through rival's address: not found
    assert outsider.get("/w/acme/listening/").status_code == 404
    assert outsider.get("/w/acme/listening.csv").status_code == 404
    assert outsider.post(f"/w/rival/heard/{secret.pk}/labels/", {"sentiment": "positive"}).status_code == 404
    secret.refresh_from_db()
    assert secret.corrected_at is None
    # and the owner of acme does not see rival's
    _, body = page(client_for("owner"), "/w/acme/listening/all/")
    assert "rival's own post" not in body
