"""strata listen test --query QUERY --text TEXT [--language LANG] [--text-language LANG]
strata listen test --plan FILE --text TEXT"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from strata.engagement.listening.matcher import Matcher, QuerySpec
from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.plan.loader import MAX_BYTES, load_plan
from strata.strategy.plan.query import QueryError, parse

EXIT_MATCH, EXIT_NO_MATCH, EXIT_INVALID = 0, 1, 2


class Command(BaseCommand):
    help = "Try listening queries against a text (docs/plan-format.md, listening)."
    requires_system_checks: list[str] = []  # works without a database

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{test}")
        test = sub.add_parser("test", help="print 'match' or 'no match'; exit 0 on a match, 1 without, 2 for an invalid query")
        source = test.add_mutually_exclusive_group(required=True)
        source.add_argument("--query", help="a listening query")
        source.add_argument("--plan", help="a plan file: try every query of its listening section and print those that match")
        test.add_argument("--text", required=True, help="the text of a post")
        test.add_argument("--language", help="the query's language (with --query): only texts in it can match")
        test.add_argument("--text-language", action="append", default=[], help="the language the platform gives for the text")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["plan"]:
            specs = self.plan_queries(options["plan"])
        else:
            specs = [QuerySpec("query", self.checked(options["query"]), options["language"])]
        matched = Matcher(specs).match(options["text"], options["text_language"] or None)
        if options["plan"]:
            for query_id in matched:
                self.stdout.write(query_id)
        self.stdout.write("match" if matched else "no match")
        sys.exit(EXIT_MATCH if matched else EXIT_NO_MATCH)

    def checked(self, query: str) -> str:
        """The query, or exit 2 with the error's place and a caret under it."""
        try:
            parse(query)
        except QueryError as exc:
            line = query.count("\n", 0, exc.offset) + 1
            line_start = query.rfind("\n", 0, exc.offset) + 1
            line_end = query.find("\n", exc.offset)
            column = exc.offset - line_start + 1
            self.stderr.write(f"query:{line}:{column}: {exc.problem}")
            self.stderr.write("  " + query[line_start : line_end if line_end >= 0 else len(query)])
            self.stderr.write("  " + " " * (column - 1) + "^")
            sys.exit(EXIT_INVALID)
        return query

    def plan_queries(self, file: str) -> list[QuerySpec]:
        try:
            with Path(file).open("rb") as handle:
                plan = load_plan(handle.read(MAX_BYTES + 1), file)
        except OSError as exc:
            self.stderr.write(f"{file}: cannot read the file: {exc.strerror or exc}")
            sys.exit(EXIT_INVALID)
        except PlanInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            sys.exit(EXIT_INVALID)
        return [QuerySpec(q.id, q.query, q.language) for q in plan.listening]
