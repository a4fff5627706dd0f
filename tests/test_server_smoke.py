"""A real uvicorn process on a free loopback port, on each backend.

In-process clients run the app in the test's task and so cannot catch the
Tortoise-context bug that breaks every request under uvicorn (TECH-NOTES §2.2).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, query: str) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_demo_served_by_uvicorn(db_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": db_url}
    cli = [sys.executable, "-m", "app"]
    loaded = subprocess.run(
        [*cli, "demo", "--no-serve"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert loaded.returncode == 0, loaded.stderr
    port = _free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        with urllib.request.urlopen(f"{base}/readyz", timeout=5) as ready:
            assert json.loads(ready.read())["database"] == "ok"
        body = _post(
            f"{base}/graphql",
            "{ courses(first: 5) "
            "{ edges { node { title credits provider { name } } } } }",
        )
        assert "errors" not in body, body
        edges = body["data"]["courses"]["edges"]
        assert len(edges) == 5
        assert all(e["node"]["provider"]["name"] for e in edges)
    finally:
        server.terminate()
        server.communicate(timeout=10)
