"""Where a character of a YAML text value stands in the file, so that an error about part of a
value (a listening query that does not parse) can point at that part, not at the start of the
value.

The value is rebuilt from the file's text the way YAML reads it (quotes, escapes, '' in single
quotes, folded lines, block indentation), noting where each character came from. If the result
is not exactly the value the parser read, the caller points at the start of the value instead:
a wrong column is worse than a coarse one.
"""

from __future__ import annotations

import yaml

Position = tuple[int, int]  # line, column; 1-based

_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX = {"x": 2, "u": 4, "U": 8}


def position_in_scalar(text: str, node: yaml.Node, offset: int) -> Position | None:
    """Line and column of character `offset` of the scalar `node` (offset == len(value): just
    after its last character), or None when the value cannot be traced back to the file."""
    if not isinstance(node, yaml.ScalarNode) or not isinstance(node.value, str):
        return None
    start, end = node.start_mark, node.end_mark
    source = text[start.index : end.index]
    try:
        if node.style in ("|", ">"):
            chars = _block(source, start.line + 1, node.style)
        else:
            chars = _flow(source, start.line + 1, start.column + 1, node.style or "")
    except (ValueError, IndexError):
        return None
    if "".join(c for c, _ in chars) != node.value or not 0 <= offset <= len(chars):
        return None
    if offset < len(chars):
        return chars[offset][1]
    if chars:
        line, column = chars[-1][1]
        return line, column + 1
    return start.line + 1, start.column + 1


def _flow(source: str, line: int, column: int, style: str) -> list[tuple[str, Position]]:
    """Plain, 'single-quoted' and "double-quoted" values, on one line or folded over several."""
    if style:
        source, column = source[1:-1], column + 1
    out: list[tuple[str, Position]] = []
    lines = source.split("\n")
    pending_break: Position | None = None
    empty_lines = 0
    escaped_break = False
    for number, raw in enumerate(lines):
        first, last = number == 0, number == len(lines) - 1
        col = column if first else 1
        body = raw
        if not first:
            stripped = body.lstrip(" \t")
            col += len(body) - len(stripped)
            body = stripped
        if not last:
            body = body.rstrip(" \t")
        if not first and not body and not last:
            empty_lines += 1
            continue
        if pending_break is not None and not escaped_break:
            joiner = "\n" * empty_lines if empty_lines else " "
            out.extend((j, pending_break) for j in joiner)
        empty_lines, escaped_break = 0, False
        i = 0
        while i < len(body):
            char = body[i]
            here = (line + number, col + i)
            if style == "'" and body.startswith("''", i):
                out.append(("'", here))
                i += 2
            elif style == '"' and char == "\\":
                if i + 1 == len(body):
                    escaped_break = True
                    i += 1
                    continue
                code = body[i + 1]
                if code in _HEX:
                    width = _HEX[code]
                    out.append((chr(int(body[i + 2 : i + 2 + width], 16)), here))
                    i += 2 + width
                else:
                    out.append((_ESCAPES[code], here))
                    i += 2
            else:
                out.append((char, here))
                i += 1
        pending_break = (line + number, col + len(body))
    return out


def _block(source: str, line: int, style: str) -> list[tuple[str, Position]]:
    """Literal (|) and folded (>) block values, with their chomping indicator."""
    header, *lines = source.split("\n")
    indicators = header.split("#", 1)[0].strip()[1:]
    indent = next((int(c) for c in indicators if c.isdigit()), 0)
    if not indent:
        indent = min((len(raw) - len(raw.lstrip(" ")) for raw in lines if raw.strip()), default=0)
    out: list[tuple[str, Position]] = []
    content = [(number, raw[indent:]) for number, raw in enumerate(lines, start=1)]
    while content and not content[-1][1].strip():
        content.pop()  # trailing empty lines belong to chomping
    previous_text = False
    for index, (number, body) in enumerate(content):
        if index:
            end_of_previous = (line + content[index - 1][0], indent + len(content[index - 1][1]) + 1)
            folds = style == ">" and body and previous_text and not body[0].isspace() and not content[index - 1][1][:1].isspace()
            out.append((" " if folds else "\n", end_of_previous))
        out.extend((char, (line + number, indent + i + 1)) for i, char in enumerate(body))
        previous_text = bool(body)
    if content and "-" not in indicators:
        out.append(("\n", (line + content[-1][0], indent + len(content[-1][1]) + 1)))
    return out
