"""Bounds on a YAML text, checked before any parser that recurses sees it.

Both YAML parsers Strata uses build their trees by recursion in C or Rust, where running out of
stack is not an exception but the end of the process: 30,000 nested `[` or `- ` kill the web app
and the publisher with it. libyaml's event parser, by contrast, keeps its own stack on the heap,
so it can measure any nesting safely; it is just too slow to run over every large plan.

Steps:
1. a quick, conservative bound in C-speed string operations: flow brackets (counted without
   regard to quotes, so never less than the true flow depth) and the longest run of indentation
   and block indicators (`- `, `? `, `: `) at the start of a line (each block level needs at least
   one more column). Block and flow nesting add up, so when both are small, the text is safe;
2. only when the quick bound is exceeded, or the text defines anchors, walk libyaml's events to
   find the true depth and any alias, and refuse with the position of the first offender.

Aliases are refused outright: a plan has no use for them, and refusing them at the first one
means no expansion ("billion laughs") can ever start.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - wheels ship libyaml
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

# A real plan nests six or seven levels; the parsers survive a few hundred. Each of the two quick
# bounds may reach this, so together they stay far below what would crash.
MAX_DEPTH = 100

# A run of indentation and block indicators after a line break. Wider than YAML's own rule
# (a line of 100 dashes matches too), which only costs the exact walk; narrower patterns with
# lookarounds are five times slower on a large plan.
_DEEP_BLOCK = re.compile(rf"\n[ \t?:-]{{{MAX_DEPTH}}}")
# YAML 1.1 (libyaml) also breaks lines at CR, NEL, LS and PS; a crafted file could hide
# indentation behind them, so _needs_exact_walk reads them as line breaks too.
# Beyond this many brackets, walking the events is as quick as counting them one by one.
_MANY_BRACKETS = 20_000
# An anchor (&name) is needed before any alias can be used; '&' inside words ("R&D") or alone
# ("Q & A") is not one. In flow, a value may follow the ':' of a quoted key directly
# ({"a":&x [1]}) and a key the '?' before it ([?&x [1]]), so those come before an anchor too.
_ANCHOR = re.compile(r"[\s\[\]{},:?]&[^\s\[\]{},]")

TOO_DEEP = f"the YAML is nested more than {MAX_DEPTH} levels deep; a plan needs fewer than ten"
NO_ALIASES = "aliases (*name) are not supported in plan files: write the value out"


class BoundsExceeded(Exception):
    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def check_bounds(text: str) -> None:
    """Raise BoundsExceeded when `text` nests too deeply or uses an alias; return otherwise.
    When the exact walk was needed and libyaml cannot read the text, its yaml.YAMLError is raised:
    the other parser might read further than libyaml did, into nesting nobody measured."""
    if not _needs_exact_walk(text):
        return
    loader = _EventLoader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _at(event, TOO_DEEP)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                raise _at(event, NO_ALIASES)
    finally:
        loader.dispose()


def _needs_exact_walk(text: str) -> bool:
    # str.replace is far faster than a regex, and gives back the text itself when it has nothing to replace.
    lines = "\n" + text.replace("\r", "\n").replace("\x85", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    if ("&" in text and _ANCHOR.search(lines)) or _DEEP_BLOCK.search(lines):
        return True
    if text.count("[") + text.count("{") > _MANY_BRACKETS:
        return True
    return _flow_depth(text) > MAX_DEPTH


def _flow_depth(text: str) -> int:
    """The deepest running count of brackets, quotes ignored. str.find is memchr underneath:
    on a large plan with a few hundred brackets this is a hundred times faster than a regex."""
    steps = []
    for bracket, step in (("[", 1), ("{", 1), ("]", -1), ("}", -1)):
        at = text.find(bracket)
        while at != -1:
            steps.append((at, step))
            at = text.find(bracket, at + 1)
    steps.sort()
    depth = deepest = 0
    for _, step in steps:
        depth += step
        deepest = max(deepest, depth)
    return deepest


def _at(event: yaml.Event, message: str) -> BoundsExceeded:
    mark: Any = event.start_mark  # libyaml marks every event
    return BoundsExceeded(mark.line + 1, mark.column + 1, message)
