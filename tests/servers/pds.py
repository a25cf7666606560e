"""A real Bluesky PLC + PDS (npm @atproto/dev-env, pinned in tests/servers/bluesky) on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent / "bluesky"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class BlueskyAccount:
    handle: str
    did: str
    password: str
    app_password: str


class Pds:
    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    @staticmethod
    def available() -> str | None:
        """Why the server cannot run here, or None."""
        if shutil.which("node") is None:
            return "node is not installed"
        if not (HERE / "node_modules" / "@atproto" / "dev-env").exists():
            return "run `npm ci` in tests/servers/bluesky (./dev test does)"
        return None

    def start(self) -> Pds:
        plc, pds = free_port(), free_port()
        self.process = subprocess.Popen(
            ["node", "-r", "./loopback.cjs", "serve.js", str(plc), str(pds)],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "LOG_ENABLED": "false"},
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the PDS stopped while starting (exit {self.process.poll()})")
            if line.startswith("{") and '"ready"' in line:
                self.url = json.loads(line)["pds"]
                return self
        raise RuntimeError("the PDS did not start within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def create_account(self, name: str) -> BlueskyAccount:
        handle, password = f"{name}.test", f"{name}-password-123"
        made = httpx.post(
            f"{self.url}/xrpc/com.atproto.server.createAccount",
            json={"handle": handle, "email": f"{name}@example.test", "password": password},
            timeout=30,
        )
        made.raise_for_status()
        session = made.json()
        app = httpx.post(
            f"{self.url}/xrpc/com.atproto.server.createAppPassword",
            json={"name": "strata"},
            headers={"authorization": f"Bearer {session['accessJwt']}"},
            timeout=30,
        )
        app.raise_for_status()
        return BlueskyAccount(handle=handle, did=session["did"], password=password, app_password=app.json()["password"])

    def records(self, did: str, collection: str = "app.bsky.feed.post") -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        cursor = None
        while True:
            params = {"repo": did, "collection": collection, "limit": 100, **({"cursor": cursor} if cursor else {})}
            page = httpx.get(f"{self.url}/xrpc/com.atproto.repo.listRecords", params=params, timeout=30).json()
            out.extend(page["records"])
            cursor = page.get("cursor")
            if not cursor or not page["records"]:
                return out
