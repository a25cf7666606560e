"""Read a plan file: bytes in, a validated `PlanDocument` out, or `PlanInvalid` with every error.

Steps:
1. refuse files over the size limit and text that is not UTF-8 (pointing at the bad byte);
2. refuse nesting and aliases beyond the bounds (bounds.py) before any parser that recurses runs;
3. parse YAML into a node tree (positions kept) and plain Python (no duplicate keys, no aliases);
4. validate the shape with pydantic, translating its errors into plain words with a position;
5. check that every id is unique and every reference names something that exists.
Nothing is written anywhere: importing is the caller's business, after this succeeded.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import gc
import re
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pydantic
import yaml

from strata.strategy.plan import bounds, yamlnodes
from strata.strategy.plan.errors import PlanError, PlanInvalid
from strata.strategy.plan.query import QueryError
from strata.strategy.plan.references import reference_errors
from strata.strategy.plan.scalarpos import position_in_scalar
from strata.strategy.plan.schema import WEEKDAYS, PlanDocument

MAX_BYTES = 5 * 1024 * 1024


def too_large(size: int | None, filename: str) -> PlanInvalid:
    """The one message for a plan over the limit, on every path (API, upload, CLI)."""
    how_big = f"{size / 1048576:.1f} MB" if size is not None else "more than 5 MB"
    return PlanInvalid([PlanError(filename, 1, 1, "", f"the file is {how_big}; a plan file may be at most 5 MB")])


def load_plan(data: bytes, filename: str = "plan.yaml") -> PlanDocument:
    if len(data) > MAX_BYTES:
        raise too_large(len(data), filename)
    try:
        text = data.decode()  # UTF-8
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line, column = before.count(b"\n") + 1, exc.start - before.rfind(b"\n")
        raise PlanInvalid(
            [PlanError(filename, line, column, "", f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} here); save it as UTF-8")]
        ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:  # the fast parser would stop reading there and drop the rest unsaid
        raise _control_character(text, text.index("\x00"), filename)
    try:
        bounds.check_bounds(text)
    except bounds.BoundsExceeded as exc:
        raise PlanInvalid([PlanError(filename, exc.line, exc.column, "", exc.message)]) from None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, filename) from None
    with gc_paused():
        return _parse_and_validate(text, filename)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Build a large plan without the cyclic garbage collector running again and again over the
    objects being made: those runs made loading grow faster than the plan (docs/benchmarks.md).
    Nothing made here forms reference cycles, so pausing loses nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse_and_validate(text: str, filename: str) -> PlanDocument:
    try:
        raw = yamlnodes.parse_fast(text)
    except yamlnodes.FastParseError as exc:
        # The fast parser has no positions: the slow one finds and places the error.
        _raise_positioned(text, filename)
        raise PlanInvalid([PlanError(filename, exc.line, exc.column, "", f"not valid YAML: {exc.message}")]) from None
    if raw is None:
        raise PlanInvalid([PlanError(filename, 1, 1, "", "the file is empty; a plan starts with 'strata: 1' and 'workspace:'")])
    return validate_plan(raw, filename=filename, root=lambda: _node_tree(text), text=text)


def _node_tree(text: str) -> yaml.Node | None:
    """The node tree with positions, built only when an error needs placing."""
    try:
        return yamlnodes.compose(text)
    except (yaml.YAMLError, RecursionError):
        return None


def _raise_positioned(text: str, filename: str) -> None:
    """Parse slowly, with positions, and raise the first error found (if any). Both steps recurse
    (libyaml's composer in C, the conversion in Python) only as deep as the bounds let a text
    nest, far below where either would run out of stack."""
    try:
        root = yamlnodes.compose(text)
        if root is not None:
            yamlnodes.to_python(root)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, filename) from None
    except yamlnodes.NodeError as exc:
        raise PlanInvalid([PlanError(filename, exc.line, exc.column, "", exc.message)]) from None


def _yaml_error(exc: yaml.YAMLError, text: str, filename: str) -> PlanInvalid:
    """libyaml's error, placed and in plain words: a character YAML does not allow, or a problem
    with its mark (libyaml marks every other error it raises)."""
    if isinstance(exc, yaml.reader.ReaderError):  # its position counts bytes of UTF-8
        return _control_character(text, len(text.encode()[: exc.position].decode()), filename)
    marked: Any = exc
    mark = marked.problem_mark
    return PlanInvalid([PlanError(filename, mark.line + 1, mark.column + 1, "", f"not valid YAML: {marked.problem}")])


def _control_character(text: str, position: int, filename: str) -> PlanInvalid:
    before = text[:position]
    line, column = before.count("\n") + 1, position - before.rfind("\n")
    message = f"the file contains a control character (U+{ord(text[position]):04X}) that YAML does not allow"
    return PlanInvalid([PlanError(filename, line, column, "", message)])


def validate_plan(raw: Any, *, filename: str, root: Callable[[], yaml.Node | None] | None = None, text: str | None = None) -> PlanDocument:
    """Validate already-parsed data (from YAML or JSON). On errors, positions come from the node
    tree that `root` builds (it is called only then), and from `text` inside a value."""
    if not isinstance(raw, dict) or (root is not None and not raw):
        return _invalid_shape(raw, filename, root)
    try:
        plan = PlanDocument.model_validate(raw)
    except pydantic.ValidationError as exc:
        tree = root() if root else None
        errors = [_translate(error, raw, filename, tree, text) for error in exc.errors()]
        raise PlanInvalid(_dedupe(errors)) from None
    problems = reference_errors(plan)
    if problems:
        tree = root() if root else None
        errors = []
        for loc, message in problems:
            line, column = yamlnodes.locate(tree, loc)
            errors.append(PlanError(filename, line, column, describe_path(loc, raw), message))
        raise PlanInvalid(errors)
    return plan


def _invalid_shape(raw: Any, filename: str, root: Callable[[], yaml.Node | None] | None) -> PlanDocument:
    tree = root() if root else None
    if isinstance(raw, list) and tree is None:
        raise PlanInvalid([PlanError(filename, 1, 1, "", "the file holds several YAML documents (---); a plan is one document")])
    line, column = yamlnodes.locate(tree, ())
    raise PlanInvalid(
        [
            PlanError(
                filename, line, column, "", "a plan is a mapping of sections (strata, workspace, goals, …), not a list or a single value"
            )
        ]
    )


def _dedupe(errors: list[PlanError]) -> list[PlanError]:
    """Each error once. Errors about different places stay apart even where they share words and
    a position (a plan from JSON has no positions: every error is at 1:1)."""
    seen: set[tuple[int, int, str, str]] = set()
    unique = []
    for error in errors:
        if (error.line, error.column, error.path, error.message) not in seen:
            seen.add((error.line, error.column, error.path, error.message))
            unique.append(error)
    return unique


def describe_path(loc: tuple[Any, ...], raw: Any) -> str:
    """channels[1].purpose → channels[acme-bsky].purpose, using the element's id when it has one."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            element_id = node[step].get("id") if isinstance(node, list) and step < len(node) and isinstance(node[step], dict) else None
            parts.append(f"[{element_id}]" if isinstance(element_id, str) else f"[{step}]")
        else:
            parts.append(("." if parts else "") + str(step))
        node = _child(node, step)
    return "".join(parts)


def _child(node: Any, step: Any) -> Any:
    try:
        return node[step]
    except (KeyError, IndexError, TypeError):
        return None


def _translate(error: Any, raw: Any, filename: str, root: yaml.Node | None, text: str | None = None) -> PlanError:
    loc = tuple(step for step in error["loc"] if not (isinstance(step, str) and step.startswith(("[key]", "function-"))))
    kind = error["type"]
    value = error.get("input")
    field = loc[-1]  # never the whole plan: a mapping is checked before pydantic sees it
    if kind == "extra_forbidden":
        known = _known_keys(loc[:-1])
        guess = difflib.get_close_matches(str(field), known)
        hint = f"; did you mean '{guess[0]}'?" if guess else f"; expected one of: {', '.join(known)}"
        line, column = yamlnodes.locate(root, loc, key=True)
        return PlanError(filename, line, column, describe_path(loc[:-1], raw), f"unknown key '{field}'{hint}")
    line, column = yamlnodes.locate(root, loc)
    where = describe_path(loc, raw)
    if kind == "value_error" and isinstance(problem := error["ctx"]["error"], QueryError) and text is not None:
        # Point at the offending token inside the query, not at the start of the value.
        node = yamlnodes.node_at(root, loc)  # the query's own node: the value exists
        inside = position_in_scalar(text, node, problem.offset) if node is not None else None
        line, column = inside or (line, column)
    if kind == "missing":
        return PlanError(filename, line, column, describe_path(loc[:-1], raw), f"missing required key '{field}'")
    if field == "purpose" and isinstance(value, list):
        return PlanError(
            filename,
            line,
            column,
            where,
            f"a channel has exactly one primary purpose, not {len(value)}; a second purpose means a second profile: add another channel",
        )
    if kind == "literal_error":
        expected = [str(ast.literal_eval(v)) for v in re.split(", | or ", error["ctx"]["expected"])]  # "'a', 'b' or 'c'"
        guess = difflib.get_close_matches(str(value), expected, cutoff=0.5) if isinstance(value, str) else []
        hint = f"; did you mean '{guess[0]}'?" if guess else ""
        return PlanError(filename, line, column, where, f"{_show(value)} is not one of: {', '.join(expected)}{hint}")
    return PlanError(filename, line, column, where, _plain_message(kind, field, value, error))


_TYPE_WORDS = {
    "string_type": "text",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "date_type": "a date like 2027-06-30",
    "date_parsing": "a date like 2027-06-30",
    "date_from_datetime_parsing": "a date like 2027-06-30",
    "date_from_datetime_inexact": "a date like 2027-06-30 (no time of day)",
    "bool_type": "true or false",
}


def _plain_message(kind: str, field: Any, value: Any, error: Any) -> str:
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {_show(value)}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "string_pattern_mismatch":
        if field in ("within", "next_within", "default_within", "warn_before"):
            return f"{_show(value)} is not a duration: write a number and a unit, like 30m, 4h or 2d"
        if field == "hours" or field in WEEKDAYS:
            return f"{_show(value)} is not opening hours: write HH:MM-HH:MM, like 09:00-17:00, or several ranges: 09:00-12:00,13:00-17:00"
        if field == "language":
            return f"{_show(value)} is not a language code: write two or three lower-case letters, like en or de"
        if field == "currency":
            return f"{_show(value)} is not a currency code: write three capital letters, like EUR or USD"
        return f"{_show(value)} is not a valid id: use lower-case letters, digits, '-' and '_' (e.g. 'eu-awareness')"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long (at most {error['ctx']['max_length']} characters)"
    if kind in ("greater_than_equal", "less_than_equal"):  # the plan's bounds are all inclusive
        return f"{_show(value)}: {error['msg'].lower()}"
    return f"{error['msg']} (got {_show(value)})"


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value; put it in quotes if you meant the word)"
    text = repr(value)  # what is left is text (quoted) or a number
    return text if len(text) <= 60 else text[:57] + "…"


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the schema allows at `loc`, for 'did you mean' hints. Only a model refuses
    unknown keys, and the plan reaches its models through fields and list items alone."""
    model: Any = PlanDocument
    for step in loc:
        if isinstance(step, str):  # a field; an int is an item of the list the field holds
            model = _model_in(model.model_fields[step].annotation)
    return list(model.model_fields)


def _model_in(annotation: Any) -> Any:
    """The model a field holds: `Budget`, `Budget | None` or `list[Goal]` → Budget, Goal."""
    return next(a for a in (annotation, *typing.get_args(annotation)) if isinstance(a, type) and issubclass(a, pydantic.BaseModel))
