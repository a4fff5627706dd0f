"""A real `credgraph serve` on a free loopback port, for the tests that need
a client outside the process (the graphql-http audit, a browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import ROOT

CI = bool(os.environ.get("CI"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_tool(name: str, why: str) -> str:
    """The path of a program; skips without it, fails without it on CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} not found: {why}"
        if CI:
            pytest.fail(message + " (CI is set)")
        pytest.skip(message)
    return path


@contextmanager
def live_server(db_url: str, *, demo: bool = False, **env: str) -> Iterator[str]:
    """Migrates the database (and loads the demo graph), serves it, yields
    the base URL."""
    environ = {**os.environ, "DATABASE_URL": db_url, **env}
    cli = [sys.executable, "-m", "app"]
    prepare = ["demo", "--no-serve"] if demo else ["migrate"]
    migrated = subprocess.run(
        [*cli, *prepare], env=environ, cwd=ROOT, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=environ,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError(server.stderr.read().decode()) from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.communicate(timeout=10)
