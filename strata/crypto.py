"""Secrets at rest (platform tokens, app passwords): Fernet, with keys from the environment.

STRATA_ENCRYPTION_KEYS holds one or more Fernet keys, comma-separated, newest first, so keys
can be rotated: the first encrypts, any decrypts. Without it, a key is generated once into the
data directory (readable by its owner only), so a laptop install needs no set-up."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the configured keys."""


@functools.cache
def _fernet() -> MultiFernet:
    configured = os.environ.get("STRATA_ENCRYPTION_KEYS", "").strip()
    if configured:
        keys = [k.strip() for k in configured.split(",") if k.strip()]
    else:
        path = Path(settings.DATA_DIR) / "encryption.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(Fernet.generate_key())
            path.chmod(0o600)
        keys = [path.read_text().strip()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise SecretUnreadable(f"STRATA_ENCRYPTION_KEYS holds a key that is not a Fernet key: {exc}") from None


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "a stored secret cannot be decrypted: was STRATA_ENCRYPTION_KEYS changed without keeping the old key?"
        ) from None
