"""Finding a PostgreSQL server for the test suite.

TEST_POSTGRES_URL wins; otherwise the suite starts a throwaway cluster when
the server binaries are installed (Debian keeps them outside PATH, and they
refuse to run as root, so the cluster runs as the `postgres` user).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class PostgresServer:
    url: str  # postgres://user@host:port (no database)
    stop: callable  # type: ignore[valid-type]


def _bindir() -> Path | None:
    candidates: list[str] = []
    if shutil.which("pg_config"):
        try:
            out = subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, check=True
            )
            candidates.append(out.stdout.strip())
        except (OSError, subprocess.CalledProcessError):
            pass
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (
            Path(candidate) / "pg_ctl"
        ).exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster() -> PostgresServer | None:
    bindir = _bindir()
    if bindir is None:
        return None
    as_root = os.geteuid() == 0
    datadir = Path(tempfile.mkdtemp(prefix="credgraph-pg-"))
    user = "postgres" if as_root else os.environ.get("USER", "postgres")

    def run(*cmd: str) -> None:
        full = ["runuser", "-u", "postgres", "--", *cmd] if as_root else list(cmd)
        subprocess.run(full, check=True, capture_output=True)

    if as_root:
        shutil.chown(datadir, "postgres", "postgres")
    port = _free_port()
    run(
        str(bindir / "initdb"),
        "-D",
        str(datadir / "data"),
        "-U",
        user,
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-sync",
    )
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(datadir / "data"),
        "-l",
        str(datadir / "log"),
        "-w",
        "-o",
        f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        "-c max_connections=200",
        "start",
    )

    def stop() -> None:
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if as_root else [])
            + [
                str(bindir / "pg_ctl"),
                "-D",
                str(datadir / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(datadir, ignore_errors=True)

    # Give the server a moment to accept TCP connections after pg_ctl -w.
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    return PostgresServer(url=f"postgres://{user}@127.0.0.1:{port}", stop=stop)


def server_from_env() -> PostgresServer | None:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        return None
    # Tests create their own databases; keep only the server part of the URL.
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    return PostgresServer(url=base, stop=lambda: None)
