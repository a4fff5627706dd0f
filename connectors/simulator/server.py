"""The shared simulator app: state, faults on every response, the control endpoint.

Format modules (`swayam.py`, …) add routes with `register(app, state)` and
answer through `respond()`, which applies request faults, counts hits and
handles conditional GET, so every format gets the same faults for free.

Control endpoint, for tests and demos that change the world between runs:
    GET  /_control   -> {"generation", "faults", "hits", "fired", ...}
    POST /_control   {"generation": 2, "faults": "error500:p=0.1", "change": 0.1,
                      "drop": 0.05, "reset_counts": true}   (every key optional)
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import importlib
import json
import pkgutil
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from connectors.simulator.faults import Fault, FaultPlan, FaultSyntaxError

# Modules of this package that are machinery, not provider formats.
_NOT_FORMATS = frozenset({"server", "faults", "data"})
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

HTML_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>Bad Gateway</h1><p>The upstream server is not responding."
    b"</p></body></html>"
)


@dataclass
class SimConfig:
    courses: int = 1000  # generated courses per format
    seed: int = 0
    faults: str | None = None
    swayam_sample: Path | None = None  # serve these real nodes instead
    # ../shared/samples: edx, coursera and ctdl serve its real payloads instead
    samples: Path | None = None
    generation: int = 0
    change: float = 0.05  # share of records a new generation changes
    drop: float = 0.02  # share it removes
    max_page_size: int = 1000


class SimState:
    """Mutable world of one simulator: data generation, faults, hit counts."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.generation = config.generation
        self.change = config.change
        self.drop = config.drop
        self.plan = FaultPlan.parse(config.faults, config.seed)
        self.revision = 0  # bumped by every change of data or faults
        self.hits: Counter[str] = Counter()  # "swayam" and "swayam:page=3"
        # The latest requests' path and query, so tests can see what a
        # connector asked for (an incremental run's `timestamp`, `after`).
        self.requests: deque[str] = deque(maxlen=10_000)
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, callback: Callable[[], None]) -> None:
        """Called when data or record faults change, to drop pre-rendered pages."""
        self._listeners.append(callback)

    def _changed(self) -> None:
        self.revision += 1
        for callback in self._listeners:
            callback()

    def set_generation(self, generation: int) -> None:
        self.generation = generation
        self._changed()

    def set_faults(self, text: str | None) -> None:
        self.plan = FaultPlan.parse(text, self.config.seed)
        self._changed()

    def reset_counts(self) -> None:
        self.hits.clear()
        self.requests.clear()
        self.plan.fired.clear()
        for fault in self.plan.faults:
            fault.matched = fault.fired = 0

    def apply(self, changes: dict[str, Any]) -> None:
        """What POST /_control does; unknown keys are refused, not ignored."""
        unknown = set(changes) - {
            "generation",
            "faults",
            "change",
            "drop",
            "reset_counts",
        }
        if unknown:
            raise ValueError(f"unknown control keys: {sorted(unknown)}")
        if "change" in changes:
            self.change = float(changes["change"])
        if "drop" in changes:
            self.drop = float(changes["drop"])
        if "faults" in changes:
            self.set_faults(changes["faults"])
        if changes.get("reset_counts"):
            self.reset_counts()
        if {"generation", "change", "drop"} & set(changes):
            self.set_generation(int(changes.get("generation", self.generation)))

    def version(self, provider: str) -> str:
        """Changes whenever anything this provider serves could change (for ETags)."""
        record_faults = [str(f) for f in self.plan.faults if f.kind in _RECORD]
        key = repr((self.config.seed, self.generation, self.change, self.drop))
        digest = hashlib.blake2b(
            (key + repr(record_faults)).encode(), digest_size=6
        ).hexdigest()
        return f"{provider}-{digest}"

    def last_modified(self) -> str:
        # Moves forward on every change, so If-Modified-Since never hides one.
        when = _EPOCH + timedelta(minutes=self.revision)
        return email.utils.format_datetime(when, usegmt=True)

    def snapshot(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "change": self.change,
            "drop": self.drop,
            "faults": self.plan.describe(),
            "hits": dict(self.hits),
            **self.plan.counts(),
        }


_RECORD = frozenset({"malformed", "duplicate"})
STATE = web.AppKey("simulator_state", SimState)


def _not_modified(request: web.Request, etag: str, last_modified: str) -> bool:
    match = request.headers.get("If-None-Match")
    if match is not None:
        return etag in (m.strip() for m in match.split(",")) or match.strip() == "*"
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return email.utils.parsedate_to_datetime(
                since
            ) >= email.utils.parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return False
    return False


async def respond(
    request: web.Request,
    *,
    provider: str,
    page: int | None,
    body: Callable[[], bytes],
    content_type: str = "application/json",
    etag: str | None = None,
) -> web.StreamResponse:
    """Serve `body()` as `provider`'s page `page`, unless a fault says otherwise."""
    state = request.app[STATE]
    state.hits[provider] += 1
    state.hits[f"{provider}:page={page}"] += 1
    state.requests.append(request.path_qs)
    fault = state.plan.request_fault(provider, page)
    if fault is not None and fault.kind != "slow":
        return await _faulty(request, fault, body, content_type)
    if fault is not None:
        await asyncio.sleep(fault.delay)
    last_modified = state.last_modified()
    headers = {"Last-Modified": last_modified}
    if etag is not None:
        headers["ETag"] = etag
        if _not_modified(request, etag, last_modified):
            return web.Response(status=304, headers=headers)
    return web.Response(body=body(), content_type=content_type, headers=headers)


async def _faulty(
    request: web.Request,
    fault: Fault,
    body: Callable[[], bytes],
    content_type: str,
) -> web.StreamResponse:
    if fault.kind == "error500":
        return web.Response(status=500, text="simulated internal server error")
    if fault.kind == "rate429":
        return web.Response(
            status=429,
            text="slow down",
            headers={"Retry-After": str(fault.retry_after)},
        )
    if fault.kind == "html200":
        return web.Response(body=HTML_ERROR_PAGE, content_type="text/html")
    if fault.kind == "truncate":
        whole = body()
        # Same headers as the real answer: only the body gives it away.
        return web.Response(body=whole[: len(whole) // 2], content_type=content_type)
    # "reset": drop the connection without an answer.
    if request.transport is not None:
        request.transport.close()
    raise web.HTTPServiceUnavailable()  # never reaches the client


async def _control(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if request.method == "POST":
        try:
            changes = await request.json()
            if not isinstance(changes, dict):
                raise ValueError("expected a JSON object")
            state.apply(changes)
        except (ValueError, TypeError, FaultSyntaxError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
    return web.json_response(state.snapshot())


def format_modules() -> list[str]:
    """Every module of this package that registers a provider format."""
    from connectors import simulator

    return sorted(
        info.name
        for info in pkgutil.iter_modules(simulator.__path__)
        if info.name not in _NOT_FORMATS and not info.name.startswith("_")
    )


def build_app(config: SimConfig) -> web.Application:
    state = SimState(config)
    app = web.Application()
    app[STATE] = state
    app.router.add_route("GET", "/_control", _control)
    app.router.add_route("POST", "/_control", _control)
    for name in format_modules():
        module = importlib.import_module(f"connectors.simulator.{name}")
        module.register(app, state)
    return app


class Simulator:
    """A simulator on a loopback port: `async with Simulator(cfg) as sim: sim.url`."""

    def __init__(self, config: SimConfig | None = None) -> None:
        self.app = build_app(config or SimConfig())
        self.state = self.app[STATE]
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def control(self, **changes: Any) -> dict[str, Any]:
        """In-process twin of POST /_control."""
        self.state.apply(changes)
        return json.loads(json.dumps(self.state.snapshot()))
