"""Benchmark: matching posts against 10, 1,000 and 10,000 listening queries.

The matcher (one Aho-Corasick automaton over every term of every query, the boolean logic only
for candidates) against the baseline measured in the same run: each query compiled as one
regular expression, tried on every post in a loop, its matches fed to the same boolean logic.
Both start from the same normalised tokens, whose cost is counted in both. The baseline is
run on fewer posts where all 100,000 would take too long; it is reported per post. Where both
ran, their answers are compared.

    .venv/bin/python bench/listening.py              # prints a Markdown table
    .venv/bin/python bench/listening.py --posts 20000
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import regex

from strata.engagement.listening.matcher import Matcher, QuerySpec
from strata.strategy.plan import query as q

SIZES = (10, 1_000, 10_000)
RUNS = 3  # the matcher's time is the median of three passes over all the posts
BASELINE_WORK = 3_000_000  # query × post tries for the baseline at each size (about a minute at most)

COMMON = str.split(
    "the a to and of in is it for on my with this that at be just so you was we are but have new ride bike bikes "
    "today work commute city road rain morning love great day route time need help anyone know best good way home "
    "week train station park weekend coffee friends traffic lane helmet light chain brake tyre shop repair fast slow"
)


def brand(i: int) -> str:
    """A made-up name per query: queries watch different brands, as they do in practice."""
    syllables = ["ka", "ro", "vel", "tix", "mo", "na", "dri", "pe", "lu", "zor", "fen", "qui"]
    word, n = "", i + 7
    while n:
        word += syllables[n % len(syllables)]
        n //= len(syllables)
    return word


def make_queries(count: int) -> list[QuerySpec]:
    templates = [
        '"{b} bikes" OR @{b}.bsky.social OR #{b}',
        "{b} NEAR/3 (bike* OR ride OR commute) -jobs",
        "({b} OR {c}) AND (brake* OR chain OR repair) NOT shop",
        '#{b}ride OR ("{b} {c}" NEAR/5 love)',
        "{b}* -{c}",
    ]
    return [
        QuerySpec(f"q{i}", templates[i % len(templates)].format(b=brand(i), c=brand(i + 50_000)), "en" if i % 3 else None)
        for i in range(count)
    ]


def make_posts(count: int, rng: random.Random) -> list[str]:
    posts = []
    for _ in range(count):
        words = [rng.choice(COMMON) for _ in range(rng.randint(8, 40))]
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):  # about half the posts name a brand
            name = brand(rng.randrange(SIZES[-1]))
            words.insert(rng.randrange(len(words) + 1), rng.choice([name, f"#{name}", f"@{name}.bsky.social", f"{name}s", name.upper()]))
        if rng.random() < 0.1:
            words.append(rng.choice(["🚲", "café", "Straße", "東京の自転車"]))
        posts.append(" ".join(words))
    return posts


class RegexBaseline:
    """Each query as one regular expression over the post's tokens (' tok tok '), tried in turn."""

    def __init__(self, specs: list[QuerySpec]) -> None:
        self.compiled = []
        for spec in specs:
            tree = q.parse(spec.query)
            terms = list(dict.fromkeys(q.terms(tree)))
            number = {term: i for i, term in enumerate(terms)}
            pattern = regex.compile("|".join(f"(?P<t{i}>{self.term_regex(t)})" for i, t in enumerate(terms)))
            positive = frozenset(number[t] for t in q.positive_terms(tree))
            self.compiled.append((spec, pattern, self.evaluator(tree, number), positive))

    @staticmethod
    def term_regex(term: q.Term) -> str:
        words = ["#?" + regex.escape(token) for token in term.tokens]
        if term.kind == "hashtag":
            words = ["#" + regex.escape(term.tokens[0])]
        return "(?<= )" + " ".join(words) + ("[^ ]*" if term.prefix else "") + "(?= )"

    def evaluator(self, node: q.Node, number: dict[q.Term, int]) -> Callable[[dict[int, list[int]]], bool]:
        if isinstance(node, q.Term):
            i = number[node]
            return lambda found: i in found
        if isinstance(node, q.Not):
            child = self.evaluator(node.child, number)
            return lambda found: not child(found)
        if isinstance(node, (q.And, q.Or)):
            parts = [self.evaluator(c, number) for c in node.children]
            combine = all if isinstance(node, q.And) else any
            return lambda found: combine(p(found) for p in parts)
        left = [(number[t], len(t.tokens)) for t in node.left]
        right = [(number[t], len(t.tokens)) for t in node.right]

        def near(found: dict[int, list[int]]) -> bool:
            a = [(s, s + w - 1) for i, w in left for s in found.get(i, [])]
            b = [(s, s + w - 1) for i, w in right for s in found.get(i, [])]
            return any(x != y and max(y[0] - x[1], x[0] - y[1], 0) <= node.distance for x in a for y in b)

        return near

    def match(self, text: str, languages: list[str] | None) -> list[str]:
        tokens = q.tokenise(q.normalise(text))
        stream = " " + " ".join(("#" + t.text) if t.kind == "hashtag" else t.text for t in tokens) + " "
        starts = list(itertools.accumulate((len(t.text) + 1 + (t.kind == "hashtag") for t in tokens), initial=0))
        matched = []
        for spec, pattern, evaluate, positive in self.compiled:
            found: dict[int, list[int]] = {}
            for m in pattern.finditer(stream):
                i = int(m.lastgroup[1:])
                found.setdefault(i, []).append(bisect.bisect_left(starts, m.start() - 1))
            if (
                not positive.isdisjoint(found)
                and (spec.language is None or not languages or spec.language in languages)
                and evaluate(found)
            ):
                matched.append(spec.id)
        return matched


def timed(func: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(9)
    posts = make_posts(args.posts, rng)
    languages = [["en"] if i % 2 else None for i in range(len(posts))]
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {dt.datetime.now(dt.UTC).date()}"
    )
    print(f"{len(posts):,} posts, {sum(len(p) for p in posts) / len(posts):.0f} characters on average\n")
    print("| queries | terms | compile | matcher posts/s | matched posts | baseline posts | baseline posts/s | × faster | same answers |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in SIZES:
        specs = make_queries(size)
        compile_s, matcher = timed(lambda specs=specs: Matcher(specs))
        assert isinstance(matcher, Matcher)
        runs = [timed(lambda m=matcher: [m.match(p, lang) for p, lang in zip(posts, languages, strict=True)]) for _ in range(RUNS)]
        match_s = statistics.median(seconds for seconds, _ in runs)
        results = runs[0][1]
        assert isinstance(results, list)
        rate = len(posts) / match_s
        sample = min(len(posts), max(100, BASELINE_WORK // size))
        baseline = RegexBaseline(specs)
        base_s, base_results = timed(
            lambda b=baseline, n=sample: [b.match(p, lang) for p, lang in zip(posts[:n], languages[:n], strict=True)]
        )
        same = base_results == results[:sample]
        terms = len({t for s in specs for t in q.terms(q.parse(s.query))})
        print(
            f"| {size:,} | {terms:,} | {compile_s:.2f} s | {rate:,.0f} | {sum(1 for r in results if r):,} | {sample:,} "
            f"| {sample / base_s:,.0f} | {rate / (sample / base_s):,.0f}× | {'yes' if same else 'NO'} |"
        )


if __name__ == "__main__":
    main()
