"""The matcher: one automaton for every term of every query, the boolean logic only for
candidates, and always the same answers as the slow reference reading of each query."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strata.engagement.listening.matcher import Matcher, QuerySpec
from strata.engagement.listening.reference import reference_match
from strata.strategy.plan.loader import load_plan
from strata.strategy.plan.query import And, Near, Not, Or, Term, parse, render
from tests.conftest import DEMO_PLAN

# Processes, parsers or the command line, not what differs between databases: the SQLite pass only.
pytestmark = pytest.mark.one_database


def matches(query: str, text: str, **kwargs: Any) -> bool:
    return bool(Matcher([QuerySpec("q", query)]).match(text, **kwargs))


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("bike", "A new bike!", True),
        ("bike", "my motorbike", False),
        ("bike", "bikes", False),
        ("bike*", "bikes and bikers", True),
        ("bike*", "motorbikes", False),
        ("e-bike", "my new E-Bike", True),
        ("e-bike", "e bike", True),
        ('"spring ride"', "The Spring-Ride starts", True),
        ('"spring ride"', "ride in spring", False),
        ("acme bike", "bike by acme", True),
        ("acme AND bike", "acme only", False),
        ("acme OR bike", "bike only", True),
        ("acme -jobs", "acme is hiring: jobs", False),
        ("acme NOT (jobs OR hiring)", "acme is hiring", False),
        ("acme NOT (jobs OR hiring)", "acme rocks", True),
        ("rain NEAR/2 commute", "commute in rain", True),
        ("rain NEAR/3 commute", "rain on my long commute", False),
        ("rain NEAR/4 commute", "rain on my long commute", True),
        ('"flat tyre" NEAR/1 acme', "Acme flat tyre again", True),
        ("bike NEAR/3 bike", "one bike", False),
        ("bike NEAR/3 bike", "bike to bike", True),
        ("#spring", "#Spring is here", True),
        ("#spring", "spring is here", False),
        ("spring", "#Spring is here", True),
        ("#spring*", "#Springtime", True),
        ("@acme.bsky.social", "thanks @ACME.bsky.social.", True),
        ("acme", "thanks @acme.bsky.social", False),
        ("@acme.bsky.social", "mail acme.bsky.social", False),
        ("@acme*", "hi @acme@mastodon.example", True),
        ("café", "CAFE", True),
        ("cafe", "Café", True),
        ("自転車", "東京の自転車が好き", True),
        ("自転車", "自転", False),
        ("🚲", "Off we go 🚲🚲", True),
        ("👍", "👍🏽", True),
        ("acme", "Acme™ bikes", True),
        ("NOT jobs", "anything at all", False),
        ("acme OR NOT jobs", "nothing here", False),
        ("acme OR NOT jobs", "acme", True),
    ],
)
def test_it_matches_as_documented(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected
    assert reference_match(query, text) is expected


def test_a_language_keeps_other_languages_out_but_not_texts_of_unknown_language() -> None:
    matcher = Matcher([QuerySpec("de", "fahrrad", "de"), QuerySpec("any", "fahrrad")])
    assert matcher.match("Fahrrad", ["de-AT"]) == ["de", "any"]
    assert matcher.match("Fahrrad", ["en"]) == ["any"]
    assert matcher.match("Fahrrad") == ["de", "any"]


def test_it_says_which_queries_matched_in_the_order_they_were_given() -> None:
    plan = load_plan(DEMO_PLAN.read_bytes())
    matcher = Matcher(QuerySpec(q.id, q.query, q.language) for q in plan.listening)
    text = "Velocita e-bikes vs Acme bikes for the commute: Acme wins"
    assert matcher.match(text, ["en"]) == ["brand-mentions", "competitors", "commuting-en"]
    assert matcher.match("nothing about bikes", ["en"]) == []
    assert Matcher([]).match("acme") == []


def test_a_query_only_costs_when_its_terms_appear() -> None:
    queries = [QuerySpec(f"q{i}", f'"brand{i}" OR (rival{i} NEAR/2 bike*) NOT jobs') for i in range(3000)]
    matcher = Matcher(queries)
    assert matcher.match("rival2999 e-bikes are fun, brand17 too") == ["q17", "q2999"]
    assert matcher.match("jobs jobs bike bike") == []


# -- the automaton agrees with the reference on generated queries and texts --------------------

VOCAB = ["bike", "bikes", "acme", "ride", "cafe", "e", "spring", "自", "転", "🚲", "x"]
TEXT_WORDS = st.sampled_from([*VOCAB, "#spring", "#bikes", "@acme.bsky.social", "@acme@m.example", "motorbike", "café", "-", "...", "É"])


@st.composite
def terms(draw: st.DrawFn) -> Term:
    kind = draw(st.sampled_from(["word", "prefix", "phrase", "hashtag", "handle"]))
    if kind == "word":
        return Term("words", (draw(st.sampled_from(VOCAB)),))
    if kind == "prefix":
        return Term("words", (draw(st.sampled_from(["bi", "bik", "sp", "ac", "ca"])),), True)
    if kind == "phrase":
        return Term("words", tuple(draw(st.lists(st.sampled_from(VOCAB), min_size=2, max_size=3))))
    if kind == "hashtag":
        return Term("hashtag", (draw(st.sampled_from(["spring", "bikes", "bike"])),), draw(st.booleans()))
    return Term("handle", (draw(st.sampled_from(["@acme.bsky.social", "@acme"])),), draw(st.booleans()))


@st.composite
def trees(draw: st.DrawFn, depth: int = 3) -> Any:
    kind = draw(st.sampled_from(["term", "term", "not", "and", "or", "near"] if depth else ["term"]))
    if kind == "term":
        return draw(terms())
    if kind == "not":
        return Not(draw(trees(depth - 1)))
    if kind == "near":
        side = st.lists(terms(), min_size=1, max_size=2).map(tuple)
        return Near(draw(side), draw(side), draw(st.integers(1, 4)))
    children = tuple(draw(st.lists(trees(depth - 1), min_size=2, max_size=3)))
    return And(children) if kind == "and" else Or(children)


QUERIES = st.lists(st.builds(render, trees()), min_size=1, max_size=12)
TEXTS = st.lists(st.lists(TEXT_WORDS, max_size=14).map(" ".join), min_size=1, max_size=8)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries=QUERIES, texts=TEXTS, languages=st.lists(st.sampled_from([None, "en", "de"]), min_size=12, max_size=12))
def test_the_automaton_matches_exactly_what_the_reference_matches(queries: list[str], texts: list[str], languages: list[Any]) -> None:
    specs = [QuerySpec(f"q{i}", query, languages[i]) for i, query in enumerate(queries)]
    matcher = Matcher(specs)
    for text in texts:
        for text_languages in (None, ["en"]):
            expected = [s.id for s in specs if reference_match(s.query, text, language=s.language, languages=text_languages)]
            assert matcher.match(text, text_languages) == expected, (text, text_languages)


@settings(max_examples=200, deadline=None)
@given(tree=trees())
def test_every_generated_query_reads_back_as_written(tree: Any) -> None:
    assert parse(render(tree)) == tree
