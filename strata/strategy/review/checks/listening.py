"""Listening queries: each must be able to find something."""

from __future__ import annotations

from collections.abc import Iterator

from strata.strategy.plan.query import parse, positive_terms, true_without_terms
from strata.strategy.review.registry import Issue, ReviewContext, check


@check(
    "query.never_matches",
    "error",
    title="Listening query that can never match",
    why="A query matches a post only when one of the words it asks for is in it; a query made only of NOT parts asks for none.",
    fix="Say what to listen for, and exclude with NOT after it: 'acme NOT jobs', not 'NOT jobs'.",
    examines=lambda ctx: ctx.plan.listening,
)
def never_matches(ctx: ReviewContext) -> Iterator[Issue]:
    for listening in ctx.plan.listening:
        if not any(positive_terms(parse(listening.query))):
            yield f"query:{listening.id}", f"query '{listening.id}' has nothing outside NOT, so it can never match"


@check(
    "query.loose_not",
    "warning",
    title="Listening query with a NOT part that matches on its own",
    why="'a OR NOT b' would match every post without b; Strata only matches posts that contain something the query asks for, so the NOT part does nothing.",
    fix="Join the NOT part with AND: 'a NOT b' or 'a AND NOT b'.",
    examines=lambda ctx: ctx.plan.listening,
)
def loose_not(ctx: ReviewContext) -> Iterator[Issue]:
    for listening in ctx.plan.listening:
        tree = parse(listening.query)
        if any(positive_terms(tree)) and true_without_terms(tree):
            yield f"query:{listening.id}", f"in query '{listening.id}', a NOT part is joined with OR and cannot widen what it finds"
