"""Reading YAML into plain Python while keeping the node tree, so that any error found later
(by pydantic or by the reference checks) can be pinned to a line and column.

PyYAML's own constructor silently keeps the last of two equal keys and expands aliases, which
lets a small file grow exponentially ("billion laughs"); both are refused here.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
import yaml_rs

from strata.strategy.plan.bounds import NO_ALIASES

try:  # libyaml's parser is an order of magnitude faster on large plans
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - wheels ship libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class NodeError(Exception):
    """A value the node tree holds but a plan cannot, at the node's position (libyaml marks every node)."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1
        self.column = node.start_mark.column + 1
        self.message = message


class FastParseError(Exception):
    """The fast parser's refusal: its position when it gives one, and the last line of its message
    (the lines before it quote the file)."""

    def __init__(self, message: str) -> None:
        where = re.search(r"line (\d+), column (\d+)", message)
        self.line, self.column = (int(where.group(1)), int(where.group(2))) if where else (1, 1)
        *_, last = [message, *message.strip().splitlines()]
        self.message = last.strip()


_NO_ALIASES = yaml_rs.AliasLimits(max_total_replayed_events=0)


def parse_fast(text: str) -> Any:
    """Plain Python data from YAML, with no positions: about twenty times faster than PyYAML
    on large plans (see docs/benchmarks.md). Duplicate keys (yaml_rs refuses them unless told
    otherwise) and aliases are refused here too; the slow path then finds where they are."""
    try:
        return yaml_rs.loads(text, parse_datetime=False, alias_limits=_NO_ALIASES)
    # TypeError: a key it cannot hash (a list inside a mapping used as a key); the slow path
    # refuses every such key in words, with its position.
    except (yaml_rs.YAMLDecodeError, ValueError, RecursionError, TypeError) as exc:
        raise FastParseError(str(exc)) from None


def compose(text: str) -> yaml.Node | None:
    """Parse `text` into a node tree (one document only). Raises yaml.YAMLError."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def to_python(root: yaml.Node) -> Any:
    """Convert a node tree to dicts, lists and scalars, refusing duplicate keys and aliases."""
    seen: set[int] = set()
    # A constructor of this tree's own: it remembers every value it made, and one kept for the
    # whole process would keep every refused file's values with it.
    scalars = yaml.constructor.SafeConstructor()

    def convert(node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG:
                return node.value  # the common case, without the constructor's overhead
            try:
                return scalars.construct_object(node)
            except yaml.constructor.ConstructorError as exc:
                raise NodeError(node, f"cannot read this value: {exc.problem}") from None
            except (ValueError, KeyError, AttributeError):  # a tag the value does not fit: `!!int x`, `!!bool maybe`
                tag = node.tag.removeprefix("tag:yaml.org,2002:")
                raise NodeError(node, f"cannot read this value: {node.value!r} is not a valid !!{tag}") from None
        if id(node) in seen:
            raise NodeError(node, NO_ALIASES)
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            return [convert(item) for item in node.value]
        result: dict[Any, Any] = {}  # the one other kind of node: a mapping
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise NodeError(key_node, "merge keys (<<) are not supported in plan files: write the keys out")
            key = convert(key_node)
            if isinstance(key, (list, dict)):
                raise NodeError(key_node, "a key must be a plain word, not a list or mapping")
            if key in result:
                raise NodeError(key_node, f"duplicate key '{key}': each key may appear once here")
            result[key] = convert(value_node)
        return result

    return convert(root)


def locate(root: yaml.Node | None, path: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
    """Line and column (1-based) of the node at `path`, or of the deepest node that exists.

    With `key=True` and a path ending in a mapping key, point at the key rather than its value
    (used for unknown keys).
    """
    best = node_at(root, path, key=key)
    if best is None:
        return 1, 1
    return best.start_mark.line + 1, best.start_mark.column + 1


def node_at(root: yaml.Node | None, path: tuple[Any, ...], *, key: bool = False) -> yaml.Node | None:
    """The node at `path`, or the deepest node on the way that exists (None without a tree)."""
    node = root
    for index, step in enumerate(path):
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(step)), None)
            if match is None:
                return node
            node = match[0] if (key and index == len(path) - 1) else match[1]
        elif isinstance(node, yaml.SequenceNode) and step in range(len(node.value)):
            node = node.value[step]
        else:
            return node
    return node
