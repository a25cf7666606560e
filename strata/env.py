"""Settings from the environment, through helpers that refuse bad values loudly at start-up."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


class SettingsError(Exception):
    pass


def env_str(name: str, default: str) -> str:
    """The variable's value; unset and empty alike give the default (`DATABASE_URL= strata …`)."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={value!r}: expected true or false")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r}: expected a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


_HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


@dataclass(frozen=True)
class AllowList:
    """Host names, addresses and ranges Strata may reach although they are not public."""

    names: frozenset[str] = frozenset()
    addresses: frozenset[ipaddress.IPv4Address | ipaddress.IPv6Address] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str] | str, name: str = "STRATA_ALLOW_PRIVATE_HOSTS") -> AllowList:
        if isinstance(entries, str):
            entries = entries.split(",")
        names, addresses, networks = set(), set(), []
        for raw in entries:
            entry = raw.strip().lower().rstrip(".")
            if not entry:
                continue
            if "/" in entry:
                try:
                    networks.append(ipaddress.ip_network(entry))
                except ValueError:
                    raise SettingsError(f"{name}: {raw.strip()!r} is not a range such as 10.0.0.0/8 or fd00::/8") from None
                continue
            try:
                addresses.add(ipaddress.ip_address(entry.strip("[]")))
                continue
            except ValueError:
                pass
            if not _HOST_NAME.match(entry):
                raise SettingsError(f"{name}: {raw.strip()!r} is not a host name, an address or a range (comma-separated)")
            names.add(entry)
        return cls(frozenset(names), frozenset(addresses), tuple(networks))

    def names_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.names


def env_allow_list(name: str) -> AllowList:
    """Comma-separated host names, addresses and CIDR ranges; a bad entry stops start-up."""
    return AllowList.parse(os.environ.get(name, ""), name)


def secret_key(data_dir: Path) -> str:
    """SECRET_KEY from the environment, or one generated once and kept in the data directory,
    so that a laptop install keeps its sessions across restarts without any set-up."""
    value = os.environ.get("SECRET_KEY")
    if value:
        if len(value) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters")
        return value
    path = data_dir / "secret_key"
    if not path.exists():
        import secrets

        data_dir.mkdir(parents=True, exist_ok=True)
        private_file(path)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def private_file(path: Path) -> None:
    """Make the file readable by its owner only (0600), creating it empty if it is missing.
    Created with that mode from the start, so no other account can open it in between; a file
    an earlier version left readable to others is tightened."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
            path.chmod(0o600)


def env_seconds(name: str, default: int) -> int:
    """A duration in whole seconds, zero or more."""
    value = env_int(name, default)
    if value < 0:
        raise SettingsError(f"{name}={value}: expected a number of seconds, zero or more")
    return value


def env_service_url(name: str, schemes: tuple[str, ...] = ("wss", "ws", "https", "http")) -> str:
    """A service's address (empty: not used): one of `schemes` and a host, nothing else."""
    value = os.environ.get(name, "").strip()
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise SettingsError(f"{name}={value!r}: not a valid address") from None
    if parts.scheme not in schemes or not parts.hostname:
        raise SettingsError(f"{name}={value!r}: expected an address starting with {', '.join(s + '://' for s in schemes)}")
    return value
