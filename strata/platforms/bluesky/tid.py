"""Record keys in the TID format (timestamp + clock id, base32-sortable), which Bluesky
requires for posts. Strata picks the key when a post is made, so a repeated write with the
same key cannot make a second post."""

from __future__ import annotations

import secrets
import time

_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def make_tid(micros: int | None = None, clock_id: int | None = None) -> str:
    micros = time.time_ns() // 1000 if micros is None else micros
    clock_id = secrets.randbelow(1024) if clock_id is None else clock_id
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
