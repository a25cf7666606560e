"""Ambassadors without a network: the score and who it finds, the pages with hostile names, what
each role may decide, the CSV with formulas in it, and the trend of a confirmed ambassador. The
real Bluesky AppView's follower counts are in test_ambassadors_bluesky.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils.timezone import now

from strata.accounts.models import User, Workspace
from strata.engagement.ambassadors import refresh, scoring
from strata.engagement.ambassadors.models import Ambassador, AmbassadorScoring, AmbassadorSnapshot
from strata.engagement.inbox import filing
from strata.engagement.models import HeardItem, Source
from strata.publishing.models import ChannelAccount

_numbers = itertools.count(1)
HOSTILE = "<script>alert('amb')</script>"


def heard(
    workspace: Workspace,
    author: str,
    kind: str,
    *,
    days: float = 1,
    sentiment: str = "",
    text: str = "",
    name: str = "",
    platform: str = "bluesky",
    channel: str = "acme-bsky",
    **extra: object,
) -> HeardItem:
    """Something `author` did with the brand `days` ago, labelled as the classifiers would."""
    n = next(_numbers)
    source, _ = Source.objects.get_or_create(
        workspace=workspace, channel_id=channel, kind=Source.Kind.NOTIFICATIONS, defaults={"platform": platform}
    )
    item = HeardItem(
        workspace=workspace,
        source=source,
        platform=platform,
        channel_id=channel,
        remote_id=f"at://did:plc:{author}/app.bsky.feed.post/{n}",
        kind=kind,
        author_id=f"did:plc:{author}",
        author_handle=f"{author}.test",
        author_name=name,
        text=text,
        sentiment=sentiment,
        created_at=now() - dt.timedelta(days=days),
        **extra,
    )
    item.refresh_shown()
    item.save()
    return item


def person(workspace: Workspace, author: str) -> Ambassador:
    return Ambassador.objects.get(workspace=workspace, author_id=f"did:plc:{author}")


# -- The score ------------------------------------------------------------------------------------


def test_a_frequent_recent_positive_quoter_scores_above_an_old_one_off_liker() -> None:
    at = now()
    quoter = scoring.Tally(kinds={"quote": 5}, positive=5, labelled=5, last_at=at - dt.timedelta(days=2))
    liker = scoring.Tally(kinds={"like": 1}, last_at=at - dt.timedelta(days=80))
    complainer = scoring.Tally(kinds={"reply": 8}, negative=7, labelled=8, last_at=at - dt.timedelta(days=1))
    scores = {
        name: scoring.score(t, at=at, followers=300) for name, t in [("quoter", quoter), ("liker", liker), ("complainer", complainer)]
    }

    assert scores["quoter"].score > scores["complainer"].score > scores["liker"].score
    assert scores["quoter"].score > 80
    assert scores["liker"].score < 30
    assert scores["complainer"].sentiment == -0.875
    assert scoring.is_candidate(quoter)
    assert not scoring.is_candidate(complainer)  # often, but negative: never suggested
    assert not scoring.is_candidate(liker)  # one like is not engaging often
    # Each part does what its name says.
    assert scoring.recency(at - dt.timedelta(days=30), at) == 0.5
    assert scoring.frequency(scoring.FULL_WEIGHT) == 1.0
    assert scoring.reach(99_999) == 1.0
    assert scoring.reach(0) == 0.0
    assert scoring.reach(None) is None
    # An unknown reach leaves its weight out instead of counting as none at all.
    known = scoring.combine(0.5, 0.5, 0.0, 0.5)
    assert scoring.combine(0.5, 0.5, 0.0, None) == known == 50.0
    assert scoring.combine(0.5, 0.5, 0.0, 0.0) < known


def test_the_refresh_finds_the_people_who_engage_positively_and_leaves_out_the_rest(acme: Workspace) -> None:
    ChannelAccount.objects.create(
        workspace=acme,
        channel_id="acme-bsky",
        platform="bluesky",
        service="https://pds.invalid",
        handle="acme.test",
        remote_account="did:plc:acme",
    )
    for day in (1, 3, 6):
        heard(acme, "fan", "quote", days=day, sentiment="positive", text="Best commute ever", name="Fan")
    for day in (2, 5):
        heard(acme, "liker", "like", days=day)
    heard(acme, "liker", "repost", days=9)
    for day in range(1, 9):
        heard(acme, "grumpy", "reply", days=day, sentiment="negative", text="Still broken")
    heard(acme, "once", "like", days=80)
    for day in (1, 2, 3):
        heard(acme, "acme", "repost", days=day)  # the brand's own account
        heard(acme, "ghost", "quote", days=day, sentiment="positive", deleted_at=now())  # deleted on the platform
        heard(acme, "context", "post", days=day, sentiment="positive", context=True)  # a thread's posts
    for day in (1, 2):  # talking about the brand without naming its account, found by a brand query
        heard(acme, "talker", "post", days=day, sentiment="positive", text="acme bikes are great", matched_key=",brand-mentions,")
    heard(acme, "rival-fan", "post", days=1, sentiment="positive", text="rapid cycles", matched_key=",competitors,")

    assert refresh.refresh(acme) == 3
    ranked = list(Ambassador.objects.filter(workspace=acme).order_by("-score").values_list("handle", flat=True))
    assert ranked == ["fan.test", "talker.test", "liker.test"]
    fan = person(acme, "fan")
    assert (fan.name, fan.status, fan.interactions, fan.interactions_30d, fan.shares_30d) == ("Fan", "candidate", 3, 3, 3)
    assert fan.sentiment == 1.0
    assert fan.reach is None
    assert fan.last_at is not None
    assert fan.audience_id == "commuters"  # acme-bsky reaches commuters only: the guess
    assert person(acme, "liker").sentiment == 0.0  # likes and reposts carry no words

    # Someone who stops qualifying is dropped, unless a person did something with them.
    HeardItem.objects.filter(author_id__in=["did:plc:liker", "did:plc:talker"]).update(shown_sentiment_key="negative")
    talker = person(acme, "talker")
    talker.set_tags(["press"])
    talker.save()
    refresh.refresh(acme)
    assert set(Ambassador.objects.filter(workspace=acme).values_list("handle", flat=True)) == {"fan.test", "talker.test"}


def test_scores_are_computed_again_once_stale_on_read_or_by_the_ingest_sweep(acme: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    for day in (1, 2):
        heard(acme, "fan", "quote", days=day, sentiment="positive")
    assert refresh.refresh_if_stale(acme)
    assert not refresh.refresh_if_stale(acme)  # scored a moment ago: the stored scores serve
    heard(acme, "fan", "quote", days=0, sentiment="positive")
    AmbassadorScoring.objects.filter(workspace=acme).update(refreshed_at=now() - refresh.SWEEP_EVERY)
    monkeypatch.setattr(refresh, "_next_sweep", 0.0)
    assert refresh.sweep() == 1
    assert refresh.sweep() == 0  # it looks at most once a minute
    assert person(acme, "fan").interactions == 3


# -- Pages, roles and the CSV ---------------------------------------------------------------------


def test_the_pages_escape_what_strangers_wrote_and_link_to_the_inbox(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    for day in (1, 2):
        heard(acme, "mallory", "quote", days=day, sentiment="positive", name=HOSTILE, text=f"I love it {HOSTILE}")
    said = heard(acme, "mallory", "reply", days=0.5, sentiment="positive", name=HOSTILE, text="Thanks!", root_id="at://did:plc:acme/post/1")
    filing.file_unfiled()
    said.refresh_from_db()
    assert said.conversation_id is not None
    analyst = client_for("analyst")

    listed = analyst.get("/w/acme/ambassadors/")
    assert listed.status_code == 200
    body = listed.content.decode()
    assert HOSTILE not in body
    assert "&lt;script&gt;alert(&#x27;amb&#x27;)&lt;/script&gt;" in body
    assert "Commuters" in body
    assert "should share" in body
    assert "/confirm/" not in body  # an analyst reads, and decides nothing

    page = analyst.get(f"/w/acme/ambassadors/{person(acme, 'mallory').pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert HOSTILE not in body
    assert "I love it &lt;script&gt;" in body
    assert f"/w/acme/inbox/{said.conversation_id}/" in body

    bad = analyst.get("/w/acme/ambassadors/?status=%3Cb%3E&platform=myspace&audience=nobody")
    assert bad.status_code == 200
    assert "is not a status here" in bad.content.decode()
    assert "<b>" not in bad.content.decode()


def test_people_who_label_confirm_dismiss_and_tag_and_no_one_else(
    acme: Workspace, client_for: Callable[[str], Client], token_for: Callable[[str], str], personas: dict[str, User]
) -> None:
    for day in (1, 2, 3):
        heard(acme, "fan", "repost", days=day)
    refresh.refresh(acme)
    fan = person(acme, "fan")
    responder, analyst = client_for("responder"), client_for("analyst")
    base = f"/w/acme/ambassadors/{fan.pk}"

    assert analyst.post(f"{base}/confirm/").status_code == 403
    assert client_for("outsider").post(f"/w/rival/ambassadors/{fan.pk}/confirm/").status_code == 404
    assert client_for("outsider").get(f"/w/rival/ambassadors/{fan.pk}/").status_code == 404
    back = responder.post(f"{base}/confirm/", {"back": "/w/acme/ambassadors/?status=candidate&platform=bluesky"})
    assert back["Location"] == "/w/acme/ambassadors/?status=candidate&platform=bluesky"
    fan.refresh_from_db()
    assert (fan.status, fan.confirmed_by) == ("confirmed", personas["responder"])
    assert responder.post(f"{base}/tags/", {"tags": "local, Racer, local ,"})["Location"] == f"{base}/"
    fan.refresh_from_db()
    assert fan.tags == ["local", "Racer"]
    assert responder.get("/w/acme/ambassadors/?status=confirmed&tag=racer").content.decode().count(f"{base}/") >= 1
    too_long = responder.post(f"{base}/tags/", {"tags": "x" * 41})
    assert too_long.status_code == 422
    assert "at most 40 characters" in too_long.content.decode()
    wrong = responder.post(f"{base}/audience/", {"audience": "martians"})
    assert wrong.status_code == 422
    assert "not an audience of the plan" in wrong.content.decode()
    assert responder.post(f"{base}/dismiss/", {"back": "https://evil.example/"})["Location"] == f"{base}/"

    headers = {"Authorization": f"Bearer {token_for('strategist')}"}
    api = f"/api/v1/workspaces/acme/ambassadors/{fan.pk}"
    answer = Client().post(f"{api}/audience", {"audience": "owners"}, content_type="application/json", headers=headers)
    assert answer.status_code == 200
    assert answer.json()["role"] == "customer"
    assert answer.json()["desired_action"] == "ask"
    answer = Client().post(f"{api}/tags", {"tags": ["a,b"]}, content_type="application/json", headers=headers)
    assert answer.status_code == 422
    assert answer.json()["field"] == "tags"
    listed = Client().get("/api/v1/workspaces/acme/ambassadors?status=dismissed", headers=headers).json()
    assert [(a["handle"], a["audience"], a["audience_chosen"], a["tags"]) for a in listed] == [
        ("fan.test", "owners", True, ["local", "Racer"])
    ]
    assert Client().get("/api/v1/workspaces/acme/ambassadors?status=famous", headers=headers).status_code == 422
    viewer = {"Authorization": f"Bearer {token_for('editor')}"}
    assert Client().post(f"{api}/confirm", content_type="application/json", headers=viewer).status_code == 403


def test_the_csv_makes_formulas_in_names_and_tags_inert(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    for day in (1, 2):
        heard(acme, "evil", "quote", days=day, sentiment="positive", name='=HYPERLINK("https://evil.example","click")')
    for day in (1, 2, 3):
        heard(acme, "sad", "like", days=day)
    heard(acme, "sad", "reply", days=1, sentiment="positive")
    heard(acme, "sad", "reply", days=2, sentiment="negative")
    refresh.refresh(acme)
    evil = person(acme, "evil")
    evil.set_tags(["+cmd|' /C calc'!A0", "@SUM(1)"])
    evil.save()

    response = client_for("analyst").get("/w/acme/ambassadors.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    by_handle = {r["handle"]: r for r in rows}
    assert by_handle["evil.test"]["name"] == '\'=HYPERLINK("https://evil.example","click")'
    assert by_handle["evil.test"]["tags"] == "'+cmd|' /C calc'!A0;@SUM(1)"
    assert by_handle["evil.test"]["role"] == "ambassador"
    assert by_handle["evil.test"]["desired_action"] == "share"
    assert by_handle["sad.test"]["sentiment"] == "0.0"  # a number stays a number
    for row in rows:
        assert not any(value.startswith(("=", "+", "@", "\t", "\r")) for value in row.values())


# -- Are they still sharing? ----------------------------------------------------------------------


def test_a_confirmed_ambassador_shows_whether_they_still_share(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    for day in range(31, 40):
        heard(acme, "rita", "repost", days=day)
    for day in (2, 6, 11, 20):
        heard(acme, "rita", "quote", days=day, sentiment="positive", text="Rode it again")
    refresh.refresh(acme)
    rita = person(acme, "rita")
    owner = client_for("owner")
    owner.post(f"/w/acme/ambassadors/{rita.pk}/confirm/")

    assert AmbassadorSnapshot.objects.filter(ambassador=rita, week=refresh.week_of(now())).count() == 1
    refresh.refresh(acme)  # a second refresh in the same week keeps one snapshot, updated
    week = AmbassadorSnapshot.objects.get(ambassador=rita)
    assert (week.interactions_30d, week.shares_30d) == (4, 4)
    page = owner.get(f"/w/acme/ambassadors/{rita.pk}/").content.decode()
    assert "Shared 4 times in the last 30 days (4 interactions), down from 9." in page
    assert "Still sharing?" in page
    assert scoring.trend(0, 0, 3, 2) == "Shared nothing in the last 30 days (0 interactions), down from 2."
    assert scoring.trend(5, 1, 2, 1) == "Shared once in the last 30 days (5 interactions): as often as in the 30 days before."
