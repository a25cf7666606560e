"""Text that members type, made safe to write into XML (the Atom feed, the SVG strategy map) and
iCalendar (the calendar feed).

XML 1.0 cannot carry most C0 control characters, U+FFFE/U+FFFF or lone surrogates at all, not
even escaped: one of them in a post made Django's feed writer fail on every request. iCalendar
TEXT values allow no control character but tab, and give `\\`, `;`, `,` and line breaks a
meaning of their own."""

from __future__ import annotations

import re

# Everything outside XML 1.0's Char production: C0 controls except tab, LF and CR, lone
# surrogates (a Python str can hold them; UTF-8 cannot), and the two non-characters U+FFFE/FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# RFC 5545 CONTROL (3.3.11): every C0 control but tab, and DEL. Line breaks are escaped before.
_NOT_ICAL = re.compile("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile("\r\n|\r|\n")
ICAL_LINE_OCTETS = 75


def xml_text(text: str) -> str:
    """The text without the characters XML 1.0 cannot carry; markup is escaped by the writer."""
    return _NOT_XML.sub("", text)


def ical_text(text: str) -> str:
    """A TEXT value per RFC 5545 3.3.11: backslash, `;` and `,` escaped, every line break (CRLF,
    a bare CR or LF) written `\\n`, other control characters dropped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _NOT_ICAL.sub("", _LINE_BREAK.sub("\\\\n", text))


def ical_fold(line: str) -> str:
    """RFC 5545 3.1: a content line longer than 75 octets continues on the next line after one
    space, which counts toward that line's 75. Splits between characters, never inside one."""
    if len(line.encode()) <= ICAL_LINE_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        limit = ICAL_LINE_OCTETS if not parts else ICAL_LINE_OCTETS - 1
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)
