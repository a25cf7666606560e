"""Short link codes: random base62, long enough that guessing one is hopeless (62^8 ≈ 2·10^14)
and short enough that a link stays shorter than most addresses it replaces."""

from __future__ import annotations

import secrets
import string

ALPHABET = string.digits + string.ascii_letters
LENGTH = 8
# What the redirect accepts before it asks the database: anything else is a 404 at once.
SHORTEST, LONGEST = 7, 16


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def well_formed(code: str) -> bool:
    return SHORTEST <= len(code) <= LONGEST and code.isascii() and code.isalnum()  # base62; str methods beat a regex here
