"""Characters XML and iCalendar cannot carry, typed into a post, must not break the public Atom
feed (read back with feedparser) or the calendar feed (read with a strict reading of RFC 5545)."""

from __future__ import annotations

import datetime as dt
import re
import xml.parsers.expat
from collections.abc import Callable
from typing import Any

import feedparser
from django.test import Client
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.publishing import actions, delivery
from strata.strategy.actions import put_element
from strata.strategy.elements import KINDS
from strata.xmltext import xml_text
from tests.posts import due_post

# Controls a member can paste (vertical tab, form feed, escape) and a non-character.
NASTY = "\x0b\x0c\x1b\ufffe"


def feed_channel(workspace: Workspace) -> None:
    element = {"id": "acme-feed", "platform": "rss", "handle": "acme-feed", "purpose": "educating"}
    put_element(workspace=workspace, author=None, kind=KINDS["channels"], element_id=None, element=element)
    actions.connect_channel(
        workspace=workspace,
        actor=None,
        channel_id="acme-feed",
        service="http://testserver/feeds/acme/acme-feed.atom",
        handle="feed",
        secret="",
    )


def test_it_serves_the_feed_when_a_post_holds_control_characters(acme: Workspace) -> None:
    feed_channel(acme)
    due_post(acme, "acme-feed", f"Winter{NASTY} riding\x0bguide", title=f"Winter{NASTY} guide", link="https://acme.example/news")
    delivery.run_once(worker="test:1")

    for _ in range(2):  # it used to fail on every request, not just the first
        response = Client().get("/feeds/acme/acme-feed.atom")
        assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    [entry] = parsed.entries
    assert entry.title == "Winter guide"
    assert "Winter riding" in entry.summary


def test_it_keeps_only_characters_xml_can_carry() -> None:
    every = "".join(chr(c) for c in range(0x110000))
    document = f"<t>{xml_text(every).replace('&', '&amp;').replace('<', '&lt;')}</t>".encode("utf-8", "surrogatepass")
    xml.parsers.expat.ParserCreate().Parse(document, True)  # a strict parser: raises on any bad character
    assert "\t\n" in xml_text(every)
    assert xml_text("é\x0b€\ud800𝄞\uffff") == "é€𝄞"


# RFC 5545 3.3.11: TEXT is TSAFE-CHAR (no CONTROL but tab, no `"` restriction, no ; , \) or an
# escape; 3.1: lines end in CRLF, are at most 75 octets, and continue after CRLF + one space.
ESCAPE = re.compile(r"\\(.)")
CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def content_lines(body: bytes) -> list[str]:
    assert body.endswith(b"\r\n")
    physical = body[:-2].split(b"\r\n")
    for line in physical:
        assert b"\r" not in line, f"a bare line break: {line!r}"
        assert b"\n" not in line, f"a bare line break: {line!r}"
        assert len(line) <= 75, f"a line of {len(line)} octets: {line!r}"
    return body.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")[:-2].split("\r\n")


def text_value(value: str) -> str:
    assert not CONTROL.search(value), f"a control character in {value!r}"
    assert not re.search(r"(?<!\\)(\\\\)*[;,]", value), f"an unescaped ; or , in {value!r}"

    def unescape(match: re.Match[str]) -> str:
        char = match.group(1)
        assert char in "\\;,nN", f"an unknown escape \\{char} in {value!r}"
        return "\n" if char in "nN" else char

    return ESCAPE.sub(unescape, value)


def calendar(client_for: Callable[[str], Client]) -> bytes:
    page = client_for("editor").post("/w/acme/calendar/address/").content.decode()
    match = re.search(r"/w/acme/calendar\.ics\?token=[\w-]+", page)
    assert match, "the new address is shown"
    response = Client().get(match.group(0))
    assert response.status_code == 200
    return response.content


def test_it_escapes_line_breaks_and_drops_controls_in_the_calendar(
    personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    title = "Launch\rday; with, commas\\ and\x0bmore\r\nand\nlines"
    long = "Ünïcödé " * 30 + "end"  # folded between characters, never inside one
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=actions.PostInput(variants=[actions.VariantInput("acme-bsky", long + "\x0c\x1b")], title=title, objective_id="eu-awareness"),
    )
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(days=2))

    lines = content_lines(calendar(client_for))
    props = dict(line.split(":", 1) for line in lines if line.startswith(("SUMMARY", "DESCRIPTION")))
    assert text_value(props["SUMMARY"]) == "Launch\nday; with, commas\\ andmore\nand\nlines (scheduled)"
    assert text_value(props["DESCRIPTION"]) == f"[acme-bsky] {long}"
