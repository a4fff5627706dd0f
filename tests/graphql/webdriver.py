"""Just enough of the W3C WebDriver protocol to drive headless Chromium
through Debian's chromedriver, with no Python browser package."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.graphql.live_server import free_port


class Browser:
    def __init__(self, base: str, session: str) -> None:
        self.url = f"{base}/session/{session}"

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["value"]

    def get(self, url: str) -> None:
        self._call("POST", "/url", {"url": url})

    def script(self, source: str, *args: Any) -> Any:
        return self._call(
            "POST", "/execute/sync", {"script": source, "args": list(args)}
        )

    def wait_for(self, source: str, timeout: float = 30.0) -> Any:
        """Polls a script until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.script(source)
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for: {source}")


@contextmanager
def chromium(chromedriver: str, binary: str) -> Iterator[Browser]:
    port = free_port()
    driver = subprocess.Popen(
        [chromedriver, f"--port={port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/status", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        options = {
            "binary": binary,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                # no internet: every name but loopback fails to resolve, so
                # the page must get its assets from the app
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            ],
        }
        request = urllib.request.Request(
            f"{base}/session",
            data=json.dumps(
                {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            session = json.loads(response.read())["value"]["sessionId"]
        browser = Browser(base, session)
        try:
            yield browser
        finally:
            urllib.request.urlopen(
                urllib.request.Request(f"{base}/session/{session}", method="DELETE"),
                timeout=30,
            ).close()
    finally:
        driver.terminate()
        driver.wait(timeout=10)
