"""Strata's own short links: a published post's addresses become /l/<code> links on the links
domain (made once per variant, before the platform is called), the redirect adds UTM tags and
counts the click (people, distinct visitors, bots apart) without keeping the visitor's address,
and the day's salt goes with its day. Published through a real local webhook receiver."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db.models import Model
from django.test import Client
from django.utils.timezone import now

from strata.accounts.models import User, Workspace
from strata.analytics.links import clicks, domain, salt
from strata.analytics.links.models import ClickDay, DailySalt, DailyVisitor, LinkSettings, ShortLink
from strata.analytics.links.tasks import forget_day
from strata.env import SettingsError
from strata.publishing import actions, delivery
from strata.publishing.models import Variant
from tests.posts import due_post
from tests.test_core_delivery import HOOK, Receiver, hook  # noqa: F401 - the webhook receiver fixture

DOMAIN = "https://acme.link"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SHORT = re.compile(re.escape(DOMAIN) + r"/l/([0-9A-Za-z]{8})")


@pytest.fixture(autouse=True)
def links_domain(settings: Any) -> Iterator[None]:
    settings.STRATA_LINK_DOMAIN = DOMAIN
    clicks.forget_links()
    salt.forget_cached()
    yield
    clicks.forget_links()
    salt.forget_cached()


def sent(index: int = -1) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(Receiver.bodies[index])
    return body


def publish(workspace: Workspace, text: str, link: str = "") -> Variant:
    post = due_post(workspace, HOOK, text, link=link)
    delivery.run_once(worker="test:1")
    return Variant.objects.get(post=post)


def follow(code: str, *, user_agent: str = BROWSER, address: str = "198.51.100.7", method: str = "get") -> Any:
    return getattr(Client(), method)(f"/l/{code}", headers={"user-agent": user_agent}, REMOTE_ADDR=address)


def make_link(workspace: Workspace, code: str, target: str = "https://acme.example/") -> ShortLink:
    return ShortLink.objects.create(workspace=workspace, code=code, platform="bluesky", url=target, url_hash=code, target=target)


def day_of(link: ShortLink) -> ClickDay:
    return ClickDay.objects.get(link=link, day=now().date())


@pytest.mark.usefixtures("hook")
def test_a_published_posts_addresses_go_out_as_short_links_with_utm_tags(acme: Workspace) -> None:
    variant = publish(
        acme,
        "Spring routes: https://acme.example/routes?city=berlin. And again https://acme.example/routes?city=berlin",
        "https://acme.example/shop",
    )
    assert variant.state == "published"
    [part] = sent()["parts"]
    codes = SHORT.findall(part["text"])
    assert len(codes) == 2
    assert codes[0] == codes[1]
    assert part["text"] == f"Spring routes: {DOMAIN}/l/{codes[0]}. And again {DOMAIN}/l/{codes[0]}"
    assert SHORT.fullmatch(part["link"])
    assert "acme.example" not in json.dumps(sent())
    assert variant.text.startswith("Spring routes: https://acme.example/routes")  # the post itself keeps what was written

    link = ShortLink.objects.get(code=codes[0])
    assert (link.workspace_id, link.variant_id, link.post_id, link.url) == (
        acme.pk,
        variant.pk,
        variant.post_id,
        "https://acme.example/routes?city=berlin",
    )
    response = follow(link.code)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "acme.example", "/routes")
    assert parse_qs(target.query) == {
        "city": ["berlin"],
        "utm_source": ["webhook"],
        "utm_medium": ["social"],
        "utm_campaign": ["eu-awareness"],
        "utm_content": [str(variant.post_id)],
    }
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response
    assert (day_of(link).clicks, day_of(link).visitors, day_of(link).bots) == (1, 1, 0)


@pytest.mark.usefixtures("hook")
def test_a_retry_publishes_the_same_short_link_and_makes_no_second(acme: Workspace) -> None:
    Receiver.answers = [503]
    variant = publish(acme, "Read https://acme.example/news")
    assert variant.state == "scheduled"  # to be tried again
    Variant.objects.filter(pk=variant.pk).update(next_attempt_at=now())
    delivery.run_once(worker="test:1")
    assert Variant.objects.get(pk=variant.pk).state == "published"
    first, second = (sent(0)["parts"][0]["text"], sent(1)["parts"][0]["text"])
    assert first == second
    assert SHORT.search(first)
    assert ShortLink.objects.filter(variant=variant).count() == 1


def test_a_link_of_its_own_an_author_utm_tag_and_the_fragment_are_kept() -> None:
    from strata.analytics.links.targets import with_utm

    assert with_utm("https://a.example/p?utm_source=news&x=1#top", source="bluesky", campaign="o", content="7") == (
        "https://a.example/p?utm_source=news&x=1&utm_medium=social&utm_campaign=o&utm_content=7#top"
    )
    assert with_utm("https://a.example", source="mastodon", campaign="", content="7") == (
        "https://a.example?utm_source=mastodon&utm_medium=social&utm_content=7"
    )


@pytest.mark.usefixtures("hook")
def test_the_same_visitor_twice_is_one_visitor_and_two_clicks_another_is_a_second(acme: Workspace) -> None:
    publish(acme, "https://acme.example/a")
    link = ShortLink.objects.get()
    follow(link.code)
    follow(link.code)
    assert (day_of(link).clicks, day_of(link).visitors) == (2, 1)
    follow(link.code, address="198.51.100.8")
    follow(link.code, user_agent=BROWSER + " Edg/128")
    assert (day_of(link).clicks, day_of(link).visitors, day_of(link).bots) == (4, 3, 0)


@pytest.mark.parametrize(
    ("user_agent", "method"),
    [
        ("Twitterbot/1.0", "get"),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "get"),
        ("Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)", "get"),
        ("http.rb/5.1.1 (Mastodon/4.3.0; +https://mastodon.social/)", "get"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "get"),
        ("curl/8.5.0", "get"),
        ("python-requests/2.32", "get"),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36", "get"),
        ("", "get"),
        (BROWSER, "head"),
    ],
)
def test_bots_and_link_previews_are_counted_apart(acme: Workspace, user_agent: str, method: str) -> None:
    link = make_link(acme, "botTest1")
    assert follow(link.code, user_agent=user_agent, method=method).status_code == 302
    assert (day_of(link).clicks, day_of(link).visitors, day_of(link).bots) == (0, 0, 1)
    assert not DailyVisitor.objects.exists()


def text_of_every_row() -> str:
    """Every column of every row of the links' tables, as text."""
    models: list[type[Model]] = [ShortLink, ClickDay, DailyVisitor, DailySalt, LinkSettings]
    return "\n".join(
        repr(row) for model in models for row in model._default_manager.values_list(*(f.attname for f in model._meta.concrete_fields))
    )


@pytest.mark.usefixtures("hook")
def test_the_visitors_address_is_stored_and_logged_nowhere(acme: Workspace, caplog: pytest.LogCaptureFixture) -> None:
    publish(acme, "https://acme.example/a")
    link = ShortLink.objects.get()
    caplog.set_level("DEBUG")
    for address in ("203.0.113.77", "2001:db8::77"):
        follow(link.code, address=address, user_agent="Mozilla/5.0 UniqueAgent/9")
    stored = text_of_every_row()
    assert DailyVisitor.objects.count() == 2
    assert day_of(link).visitors == 2
    for secret in ("203.0.113.77", "2001:db8::77", "203.0.113", "UniqueAgent"):
        assert secret not in stored
        assert secret not in caplog.text


def test_the_salt_is_new_every_utc_day_and_yesterdays_goes_with_its_hashes(acme: Workspace) -> None:
    link = make_link(acme, "saltTest1")
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 59, tzinfo=dt.UTC), tick=False):
        follow(link.code)
        follow(link.code)
        [first] = DailySalt.objects.all()
        assert first.day == dt.date(2026, 3, 1)
        [digest] = DailyVisitor.objects.values_list("digest", flat=True)
    with time_machine.travel(dt.datetime(2026, 3, 2, 0, 1, tzinfo=dt.UTC), tick=False):
        follow(link.code)
        [second] = DailySalt.objects.all()
        assert second.day == dt.date(2026, 3, 2)
        assert second.salt != first.salt
        assert not DailyVisitor.objects.filter(day=dt.date(2026, 3, 1)).exists()
        assert not DailyVisitor.objects.filter(digest=digest).exists()
    counted = {d.day: (d.clicks, d.visitors) for d in ClickDay.objects.filter(link=link)}
    assert counted == {dt.date(2026, 3, 1): (2, 1), dt.date(2026, 3, 2): (1, 1)}  # the counts stay; the same person is new on a new day


def test_making_a_days_salt_schedules_its_forgetting_for_the_end_of_the_day(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False), django_capture_on_commit_callbacks(execute=True):
        salt.salt_for(dt.date(2026, 3, 1))
    [task] = DBTaskResult.objects.filter(task_path="strata.analytics.links.tasks.forget_day")
    assert task.run_after == dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    assert task.args_kwargs == {"args": ["2026-03-01"], "kwargs": {}}


def test_the_end_of_day_task_forgets_the_day_even_when_nobody_clicks_the_next(acme: Workspace) -> None:
    DailySalt.objects.create(day=dt.date(2026, 3, 1), salt="00" * 32)
    DailyVisitor.objects.create(day=dt.date(2026, 3, 1), digest="ab" * 32)
    DailySalt.objects.create(day=dt.date(2026, 3, 2), salt="11" * 32)
    assert forget_day.call("2026-03-01") == 1
    assert list(DailySalt.objects.values_list("day", flat=True)) == [dt.date(2026, 3, 2)]
    assert not DailyVisitor.objects.exists()


@pytest.mark.parametrize("code", ["nothere1", "short", "a" * 40, "abc.defgh", "%2e%2e%2fadmin"])
def test_an_unknown_or_malformed_code_is_a_404_page(db: Any, code: str) -> None:
    response = Client().get(f"/l/{code}")
    assert response.status_code == 404
    assert b"Not found" in response.content


@pytest.mark.usefixtures("hook")
def test_only_the_webs_addresses_are_followed_and_javascript_is_never_a_link(acme: Workspace) -> None:
    publish(acme, "javascript:alert(1) ftp://acme.example/f and https://acme.example/ok")
    [part] = sent()["parts"]
    assert "javascript:alert(1) ftp://acme.example/f and https://acme.link/l/" in part["text"]
    make_link(acme, "badTarget", "javascript:alert(1)")
    assert follow("badTarget").status_code == 404


@pytest.mark.usefixtures("hook")
def test_nothing_is_shortened_when_the_workspace_turned_it_off(
    acme: Workspace, client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    settings_page = client_for("owner").get("/w/acme/settings/workspace/")
    assert "Send links in posts as short links" in settings_page.content.decode()
    response = client_for("owner").post("/w/acme/links/settings/", {})
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/settings/workspace/#links"
    assert LinkSettings.objects.get(workspace=acme).shorten is False
    publish(acme, "https://acme.example/a")
    assert sent()["parts"][0]["text"] == "https://acme.example/a"
    assert not ShortLink.objects.exists()
    client_for("owner").post("/w/acme/links/settings/", {"shorten": "1"})
    assert LinkSettings.objects.get(workspace=acme).shorten is True
    assert client_for("editor").post("/w/acme/links/settings/", {}).status_code == 403


@pytest.mark.usefixtures("hook")
def test_nothing_is_shortened_where_nobody_could_follow_the_link(acme: Workspace, settings: Any) -> None:
    settings.STRATA_LINK_DOMAIN = ""
    settings.SITE_URL = "http://127.0.0.1:8000"
    publish(acme, "https://acme.example/a")
    assert sent()["parts"][0]["text"] == "https://acme.example/a"
    assert not ShortLink.objects.exists()


def test_a_links_domain_that_is_not_a_bare_address_stops_start_up(settings: Any) -> None:
    for wrong in ("acme.link", "ftp://acme.link", "https://acme.link/go", "https://acme.link?x=1", "https://acme.link:x"):
        settings.STRATA_LINK_DOMAIN = wrong
        with pytest.raises(SettingsError, match="STRATA_LINK_DOMAIN"):
            domain.configured()
    settings.STRATA_LINK_DOMAIN = "https://acme.link/"
    assert domain.short_url("abcdefgh") == "https://acme.link/l/abcdefgh"
    del settings.STRATA_LINK_DOMAIN
    settings.SITE_URL = "https://strata.acme.org"
    assert domain.base() == "https://strata.acme.org"
    assert domain.reachable()


def test_a_short_link_that_would_make_a_bluesky_post_too_long_is_left_out(acme: Workspace) -> None:
    from strata.analytics.links.rewrite import shorten
    from strata.publishing.claims import Claimed
    from strata.publishing.link_hooks import Message

    post = due_post(acme, "acme-bsky", "x")
    text = "x" * 286 + " https://a.co"  # 299 graphemes; 315 once https://a.co becomes https://acme.link/l/…
    claimed = Claimed(
        pk=post.variants.get().pk,
        post_id=post.pk,
        workspace_id=acme.pk,
        title="",
        channel_id="acme-bsky",
        platform="bluesky",
        text=text,
        link="",
        thread=[],
        keys=["k"],
        due_at=None,
        attempts=0,
        check_first=False,
        attempt_id=0,
        has_media=False,
    )
    message = Message(texts=(text,), link="", variant=claimed)
    assert shorten(message) == message
    longer = Message(texts=("Routes: https://acme.example/a/long/address/of/routes",), link="", variant=claimed)
    assert SHORT.search(shorten(longer).texts[0])


@pytest.mark.usefixtures("hook")
def test_the_newsletter_and_answers_keep_their_addresses(acme: Workspace) -> None:
    from strata.analytics.links.rewrite import shorten
    from strata.publishing.claims import Claimed
    from strata.publishing.link_hooks import Message

    def message(platform: str, reply_to: str = "") -> Message:
        claimed = Claimed(
            pk=1,
            post_id=1,
            workspace_id=acme.pk,
            title="",
            channel_id="c",
            platform=platform,
            text="https://acme.example/a",
            link="",
            thread=[],
            keys=["k"],
            due_at=None,
            attempts=0,
            check_first=False,
            attempt_id=0,
            has_media=False,
            reply_to=reply_to,
        )
        return Message(texts=(claimed.text,), link="", variant=claimed)

    for kept in (message("newsletter"), message("rss"), message("mastodon", reply_to="110")):
        assert shorten(kept) == kept
    assert not ShortLink.objects.exists()


@pytest.mark.usefixtures("hook")
def test_the_links_page_shows_clicks_per_link_objective_and_day_to_every_member(
    acme: Workspace, client_for: Callable[[str], Client]
) -> None:
    publish(acme, "https://acme.example/page-link")
    link = ShortLink.objects.get()
    follow(link.code)
    follow(link.code, user_agent="Twitterbot/1.0")
    page = client_for("analyst").get("/w/acme/links/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "https://acme.example/page-link" in html
    assert f"/l/{link.code}" in html
    assert "eu-awareness" in html
    assert "<strong>1</strong> clicks, <strong>1</strong> visitors (per link and day), <strong>1</strong> by bots" in html
    assert client_for("analyst").get("/w/acme/links/?objective=eu-awareness&post=" + str(link.post_id)).status_code == 200
    assert client_for("analyst").get("/w/acme/links/?objective=<x>&post=99999999999999999999").status_code == 200


@pytest.mark.usefixtures("hook")
def test_a_member_of_another_workspace_sees_nothing(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    publish(acme, "https://acme.example/secret-route")
    assert client_for("outsider").get("/w/acme/links/").status_code == 404
    assert client_for("outsider").get("/w/acme/links.csv").status_code == 404
    rival = client_for("outsider").get("/w/rival/links/")
    assert rival.status_code == 200
    assert b"secret-route" not in rival.content


@pytest.mark.usefixtures("hook")
def test_the_csv_has_a_line_per_link_and_day_with_formulas_made_inert(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=actions.PostInput(
            variants=[actions.VariantInput(HOOK, "https://acme.example/x")],
            title='=HYPERLINK("http://evil.example")',
            objective_id="eu-awareness",
        ),
    )
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(minutes=5))
    Variant.objects.filter(post=post).update(next_attempt_at=now(), due_at=now())
    delivery.run_once(worker="test:1")
    link = ShortLink.objects.get()
    follow(link.code)
    response = client_for("creative").get("/w/acme/links.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("day,short_link,address,target")
    [line] = lines[1:]
    assert f"{DOMAIN}/l/{link.code}" in line
    assert "'=HYPERLINK" in line
    assert line.endswith(",1,1,0")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_click_writer_thread_writes_the_clicks(acme: Workspace) -> None:
    link = make_link(acme, "writerT1")
    try:
        for _ in range(5):
            clicks.record(link.pk, address="198.51.100.9", user_agent=BROWSER, bot=False, at=now())
        clicks.record(link.pk, address="198.51.100.9", user_agent="curl/8", bot=True, at=now())
        clicks.flush()
        assert (day_of(link).clicks, day_of(link).visitors, day_of(link).bots) == (5, 1, 1)
    finally:
        clicks.stop_writer()
