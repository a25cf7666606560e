"""The listening query language: every construct, every error with its column, and queries as
part of the plan (file, web editor, API, `strata listen test`)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from strata.accounts.models import Workspace
from strata.strategy.plan import query as language
from strata.strategy.plan.dump import dump_plan
from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.plan.loader import load_plan
from strata.strategy.plan.query import And, Near, Not, Or, QueryError, Term, normalise, parse, render, token_texts, tokenise
from strata.strategy.store import current_plan
from tests.plans import complete_plan_text

# Processes, parsers or the command line, not what differs between databases: the SQLite pass only.
pytestmark = pytest.mark.one_database


def w(*tokens: str, prefix: bool = False) -> Term:
    return Term("words", tokens, prefix)


# -- constructs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("bike", w("bike")),
        ("Bike", w("bike")),
        ("bike*", w("bike", prefix=True)),
        ('"spring ride"', w("spring", "ride")),
        ("“spring ride”", w("spring", "ride")),
        ("e-bike", w("e", "bike")),
        ("e-bike*", w("e", "bike", prefix=True)),
        ("#Cycling", Term("hashtag", ("cycling",))),
        ("#cycl*", Term("hashtag", ("cycl",), True)),
        ("@Acme.bsky.social", Term("handle", ("@acme.bsky.social",))),
        ("@acme@mastodon.example", Term("handle", ("@acme@mastodon.example",))),
        ("@acme*", Term("handle", ("@acme",), True)),
        ("a OR b", Or((w("a"), w("b")))),
        ("a AND b", And((w("a"), w("b")))),
        ("a b", And((w("a"), w("b")))),
        ("a b OR c", Or((And((w("a"), w("b"))), w("c")))),
        ("a (b OR c)", And((w("a"), Or((w("b"), w("c")))))),
        ("NOT a", Not(w("a"))),
        ("a NOT b", And((w("a"), Not(w("b"))))),
        ("a -b", And((w("a"), Not(w("b"))))),
        ("a -(b OR c)", And((w("a"), Not(Or((w("b"), w("c"))))))),
        ("a NEAR/3 b", Near((w("a"),), (w("b"),), 3)),
        ('(a OR "b c") NEAR/1 #d', Near((w("a"), w("b", "c")), (Term("hashtag", ("d",)),), 1)),
        ("NOT a NEAR/2 b", Not(Near((w("a"),), (w("b"),), 2))),
        ("and or not", And((w("and"), w("or"), w("not")))),
        ("NEARBY", w("nearby")),
        ("café", w("cafe")),
        ("自転車", w("自", "転", "車")),
        ("🚲", w("🚲")),
        ("ＡＣＭＥ", w("acme")),
        ("Straße", w("strasse")),
    ],
)
def test_it_reads_every_construct(query: str, tree: Any) -> None:
    assert parse(query) == tree
    assert parse(render(tree)) == tree


@pytest.mark.parametrize(
    ("query", "column", "words"),
    [
        ("", 1, "the query is empty"),
        ("   ", 1, "the query is empty"),
        ("(bike OR e-bike", 1, "this '(' is never closed: expected ')'"),
        ("acme (bike OR (e-bike)", 6, "this '(' is never closed"),
        ("bike)", 5, "')' without a matching '('"),
        (")", 1, "')' without a matching '('"),
        ("()", 2, "after '(', found ')'"),
        ("bike NEAR/x commute", 6, "NEAR needs a number of words after a slash, like NEAR/3"),
        ("bike NEAR commute", 6, "NEAR needs a number"),
        ("bike NEAR/0 commute", 6, "between 1 and 100"),
        ("bike NEAR/101 commute", 6, "between 1 and 100"),
        ("a NEAR/3 b NEAR/3 c", 12, "NEAR/n joins two things"),
        ("(a AND b) NEAR/3 c", 2, "NEAR/n joins words, phrases"),
        ("a NEAR/3 NOT b", 10, "after NEAR/3, found NOT"),
        ("bike OR", 8, "the query ends after OR: expected a word"),
        ("bike OR   ", 8, "the query ends after OR"),
        ("bike AND OR x", 10, "after AND, found OR"),
        ("OR bike", 1, "found OR"),
        ("bike NOT", 9, "the query ends after NOT"),
        ('"spring ride', 1, "this quote is never closed"),
        ('""', 1, "the phrase is empty"),
        ('"spring rid*"', 12, "wildcards do not work inside quotes"),
        ("b*ke", 2, "'*' stands for the end of a word"),
        ("*bike", 1, "'*' stands for the end of a word"),
        ("b*", 1, "at least 2 letters before '*'"),
        ("bike-*", 6, "'*' must follow a letter or digit"),
        ("#", 1, "a #hashtag is '#' and letters or digits"),
        ("#spring-ride", 1, "a #hashtag is"),
        ("@", 1, "an @handle is '@' and the account's name"),
        ("a - b", 3, "'-' excludes the word right after it"),
        ("!!!", 1, "has no letters, digits or emoji"),
        ("lang:de fahrrad", 1, "the language is set beside the query"),
        ("(" * 40 + "a" + ")" * 40, 33, "nests more than 32 levels"),
        ("a " * 2001, 4001, "longer than 4000 characters"),
    ],
)
def test_every_error_names_its_column_and_what_was_expected(query: str, column: int, words: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.offset + 1 == column
    assert words in caught.value.problem
    assert str(caught.value).endswith(f"(character {column} of the query)")


# -- normalisation and tokens ------------------------------------------------------------------


def test_words_end_at_anything_that_is_not_a_letter_or_digit() -> None:
    assert token_texts(normalise("Motorbike, bikes & e-bikes: 2 BIKES!")) == ["motorbike", "bikes", "e", "bikes", "2", "bikes"]


def test_hashtags_handles_and_email_addresses_are_told_apart() -> None:
    tokens = tokenise(normalise("#Spring ride with @Acme.bsky.social. Mail sales@acme.example, C# or &#39;"))
    kinds = [(t.text, t.kind) for t in tokens]
    assert ("spring", "hashtag") in kinds
    assert ("@acme.bsky.social", "handle") in kinds  # the full stop ends the sentence, not the handle
    assert ("sales", "word") in kinds
    assert not any(kind == "handle" and "acme.example" in text for text, kind in kinds)
    assert ("c", "word") in kinds
    assert not any(kind == "hashtag" and text == "39" for text, kind in kinds)


def test_accents_case_and_compatibility_forms_are_folded_but_not_letters_of_other_scripts() -> None:
    assert normalise("CAFÉ Ｃａｆé ﬁne Acme™") == "cafe cafe fine acme "
    assert normalise("й") == "й"
    assert normalise("ΚΑΦΈΣ") == "καφεσ"


def test_cjk_characters_and_emoji_are_tokens_of_their_own() -> None:
    assert token_texts(normalise("東京の自転車🚲👍🏽❤️")) == ["東", "京", "の", "自", "転", "車", "🚲", "👍", "❤"]
    assert token_texts(normalise("한국 자전거")) == ["한국", "자전거"]


# -- generated queries read back as they were written ------------------------------------------

WORDS = st.sampled_from(["bike", "acme", "ride", "café", "e-bike", "自転車", "🚲", "and", "near"])


@st.composite
def trees(draw: st.DrawFn, depth: int = 3) -> Any:
    term = st.one_of(
        st.builds(lambda x: parse(x), WORDS),
        st.builds(lambda x: parse(f"{x}*"), st.sampled_from(["bik", "rid", "acm"])),
        st.builds(lambda a, b: parse(f'"{a} {b}"'), WORDS, WORDS),
        st.builds(lambda x: parse(f"#{x}"), st.sampled_from(["spring", "velo", "radfahren"])),
        st.builds(lambda x: parse(f"@{x}"), st.sampled_from(["acme.bsky.social", "rival@mastodon.example"])),
    )
    if depth == 0:
        return draw(term)
    kind = draw(st.sampled_from(["term", "not", "and", "or", "near"]))
    if kind == "term":
        return draw(term)
    if kind == "not":
        return Not(draw(trees(depth - 1)))
    if kind == "near":
        side = st.lists(term, min_size=1, max_size=3).map(lambda terms: tuple(t for t in terms if isinstance(t, Term)))
        left, right = draw(side), draw(side)
        return Near(left, right, draw(st.integers(1, 6))) if left and right else draw(term)
    children = tuple(draw(st.lists(trees(depth - 1), min_size=2, max_size=3)))
    return And(children) if kind == "and" else Or(children)


@settings(max_examples=300, deadline=None)
@given(trees())
def test_a_written_out_tree_reads_back_as_the_same_tree(tree: Any) -> None:
    assert parse(render(tree)) == tree


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab (")*#@-NEAR/3ORANDT\n')), max_size=30))
def test_any_text_either_parses_or_says_where_it_went_wrong(query: str) -> None:
    problem: QueryError | None = None
    try:
        parse(query)
    except QueryError as exc:
        problem = exc
    if problem is not None:
        assert 0 <= problem.offset <= len(query)
        assert problem.problem


# -- queries in the plan -----------------------------------------------------------------------

PLAN = """strata: 1
workspace: {name: Acme}
audiences:
  - {id: commuters, description: People who ride to work}
listening:
  - {id: plain, topic: brand, query: acme AND (bike OR e-bike}
  - {id: single, topic: brand, query: 'it''s acme NEAR/x bike'}
  - id: double
    topic: competitor
    query: "\\"rapid cycles\\" OR velocita*x"
  - id: block
    topic: industry
    query: |
      (commute OR commuting)
      NEAR/5 (bike OR)
  - id: folded
    topic: industry
    query: commute
      OR )
"""


def error_at(errors: list[Any], path: str) -> tuple[int, int, str]:
    [error] = [e for e in errors if e.path == path]
    return error.line, error.column, error.message


def test_a_query_that_does_not_parse_is_a_plan_error_pointing_inside_the_query() -> None:
    with pytest.raises(PlanInvalid) as caught:
        load_plan(PLAN.encode(), "plan.yaml")
    errors = caught.value.errors
    lines = PLAN.splitlines()
    assert error_at(errors, "listening[plain].query")[:2] == (6, lines[5].index("(bike") + 1)
    assert "this '(' is never closed: expected ')'" in error_at(errors, "listening[plain].query")[2]
    assert error_at(errors, "listening[single].query")[:2] == (7, lines[6].index("NEAR/x") + 1)
    assert error_at(errors, "listening[double].query")[:2] == (10, lines[9].index("*x") + 1)
    assert error_at(errors, "listening[block].query")[:2] == (15, lines[14].index(")") + 1)
    assert error_at(errors, "listening[folded].query")[:2] == (19, lines[18].index(")") + 1)
    assert str(errors[0]).startswith(f"plan.yaml:6:{lines[5].index('(bike') + 1}: listening[plain].query: this '(' is never closed")


def test_a_query_names_an_audience_of_the_plan_and_has_its_own_id() -> None:
    text = PLAN.split("listening:")[0] + (
        "listening:\n  - {id: a, topic: brand, query: acme, audience: comuters, language: EN}\n  - {id: a, topic: Brand!, query: acme}\n"
    )
    with pytest.raises(PlanInvalid) as caught:
        load_plan(text.encode(), "plan.yaml")
    messages = {e.path: e.message for e in caught.value.errors}
    assert messages["listening[a].language"] == "'EN' is not a language code: write two or three lower-case letters, like en or de"
    assert "is not a valid id" in messages["listening[a].topic"]
    text = text.replace("language: EN", "language: en").replace("Brand!", "brand")
    with pytest.raises(PlanInvalid) as caught:
        load_plan(text.encode(), "plan.yaml")
    messages = {e.path: e.message for e in caught.value.errors}
    assert messages["listening[a].audience"] == "no audience with id 'comuters'; did you mean 'commuters'?"
    assert messages["listening[a].id"] == "duplicate query id 'a': ids must be unique"


def test_the_complete_example_keeps_its_queries_through_export_and_import() -> None:
    plan = load_plan(complete_plan_text().encode())
    assert [q.topic for q in plan.listening] == ["brand", "industry"]
    assert load_plan(dump_plan(plan).encode()) == plan


# -- the editor and the API ---------------------------------------------------------------------


def api(token: str) -> Callable[..., Any]:
    client = Client()

    def call(method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body)
        return getattr(client, method)(
            f"/api/v1{path}", data=data, content_type="application/json", headers={"authorization": f"Bearer {token}"}
        )

    return call


def test_the_api_refuses_a_bad_query_with_422_and_takes_a_good_one(token_for: Callable[[str], str]) -> None:
    call = api(token_for("strategist"))
    bad = call("post", "/workspaces/acme/plan/queries", {"id": "rivals", "topic": "competitor", "query": "rapid NEAR/x cycles"})
    assert bad.status_code == 422
    assert "NEAR needs a number of words after a slash, like NEAR/3 (character 7 of the query)" in bad.json()["detail"]
    good = call(
        "post",
        "/workspaces/acme/plan/queries",
        {"id": "rivals", "topic": "competitor", "query": '"rapid cycles" NOT jobs', "language": "de", "audience": "commuters"},
    )
    assert good.status_code == 201, good.json()
    assert good.json() == {
        "id": "rivals",
        "topic": "competitor",
        "query": '"rapid cycles" NOT jobs',
        "language": "de",
        "audience": "commuters",
    }
    assert call("get", "/workspaces/acme/plan/queries/rivals").json()["query"] == '"rapid cycles" NOT jobs'
    assert call("put", "/workspaces/acme/plan/queries/rivals", {"id": "rivals", "topic": "competitor", "query": "(a"}).status_code == 422
    assert call("delete", "/workspaces/acme/plan/queries/rivals").status_code == 204


def test_the_web_form_shows_a_query_error_beside_the_query(client_for: Callable[[str], Client]) -> None:
    client = client_for("strategist")
    form = {"id": "rivals", "topic": "competitor", "query": "rapid (cycles", "audience": "commuters"}
    response = client.post("/w/acme/plan/queries/new/", form)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="err-query"' in page
    assert "this &#x27;(&#x27; is never closed" in page
    response = client.post("/w/acme/plan/queries/new/", {**form, "query": "rapid (cycles OR velocita)"})
    assert response.status_code == 302
    plan = current_plan(Workspace.objects.get(slug="acme")).plan
    assert next(q for q in plan.listening if q.id == "rivals").audience == "commuters"
    assert "Listening queries" in client.get("/w/acme/plan/queries/").content.decode()


def test_the_review_points_at_a_query_that_can_never_match(token_for: Callable[[str], str]) -> None:
    call = api(token_for("strategist"))
    assert call("post", "/workspaces/acme/plan/queries", {"id": "jobs", "topic": "brand", "query": "NOT jobs"}).status_code == 201
    findings = call("get", "/workspaces/acme/review").json()["findings"]
    assert [f["code"] for f in findings if f["ref"] == "query:jobs"] == ["query.never_matches"]


# -- strata listen test -------------------------------------------------------------------------


def listen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "strata.cli", "listen", "test", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_listen_test_says_match_or_no_match_with_its_exit_code() -> None:
    matched = listen("--query", "bike* -motorbike", "--text", "New bikes for the commute!")
    assert (matched.returncode, matched.stdout.strip()) == (0, "match")
    missed = listen("--query", "bike", "--text", "my motorbike")
    assert (missed.returncode, missed.stdout.strip()) == (1, "no match")
    other_language = listen("--query", "bike", "--language", "de", "--text", "bike", "--text-language", "en-GB")
    assert (other_language.returncode, other_language.stdout.strip()) == (1, "no match")


def test_listen_test_shows_where_an_invalid_query_goes_wrong() -> None:
    result = listen("--query", "acme (bike NEAR/x ride)", "--text", "anything")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "query:1:12: NEAR needs a number of words after a slash, like NEAR/3",
        "  acme (bike NEAR/x ride)",
        "             ^",
    ]


def test_listen_test_tries_every_query_of_a_plan(tmp_path: Any) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(complete_plan_text())
    result = listen("--plan", str(path), "--text", "My commute by bike is 20 minutes, love my Acme Bikes")
    assert (result.returncode, result.stdout.split()) == (0, ["brand-mentions", "commute-talk", "match"])


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab_Z09 .-@#&,'*")), max_size=40))
def test_ascii_text_takes_the_fast_path_to_the_same_tokens(text: str) -> None:
    assert language._ASCII_TOKENS.findall(text) == language._TOKENS.findall(text)
