"""One HTTP client per connector run: retries, backoff, rate limit, conditional GET.

A sync run opens one `HttpClient` (one aiohttp `ClientSession`, so connections
are pooled for the whole run, TECH-NOTES §3 item 14) and hands it to the
connector. Everything a flaky provider does to us is handled here, once:

- connection errors, timeouts, 5xx and 429 are retried with exponential
  backoff and jitter; a 429/503 `Retry-After` is honoured, capped so a hostile
  header cannot stall a run for hours;
- a 200 whose body is not what the caller expects (an HTML error page, JSON
  cut short) is retried too, when the caller passes a `decode` that raises
  `BadPayload`;
- requests start no faster than `rate_per_s` and at most `concurrency` are in
  flight, per client, i.e. per source;
- `validators` (an ETag or a Last-Modified date, as stored in
  `SyncState.validators`) turn a GET conditional; a 304 comes back as a
  `Response` with `not_modified=True`;
- when every attempt failed, `FetchFailed` (a `ConnectorError`) says which
  URL, the last status and how many attempts were made.

`get()` is what catalogue paging uses; `post()` exists for the odd idempotent
call a run needs (an OAuth2 token request), so it shares the run's session.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from connectors.base import ConnectorError

log = logging.getLogger(__name__)

# Statuses worth another try: the server said "later" or broke, not "no".
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpPolicy:
    """How patient a client is with one source. Every knob is a source option."""

    timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    attempts: int = 5  # tries per request, the first one included
    backoff_base_s: float = 0.5  # first retry waits about this long
    backoff_max_s: float = 30.0
    retry_after_max_s: float = 120.0  # cap on a server's Retry-After
    rate_per_s: float | None = None  # None: no rate limit
    concurrency: int = 4
    user_agent: str = "credgraph/0.1 (+catalogue sync)"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> HttpPolicy:
        """The policy a source's options ask for (unknown keys are the connector's)."""
        known = {
            name: options[name] for name in cls.__dataclass_fields__ if name in options
        }
        return cls(**known)


@dataclass
class HttpStats:
    """What a client did, for logs, sync-run summaries and tests."""

    requests: int = 0  # attempts sent
    retries: int = 0
    not_modified: int = 0
    waited_s: float = 0.0  # time spent in backoff and Retry-After sleeps
    bytes: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # why retries happened


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    body: bytes
    headers: Mapping[str, str]
    attempts: int
    data: Any = None  # what `decode` returned
    not_modified: bool = False
    # The validator to send next time for this URL (ETag, else Last-Modified).
    validator: str | None = None


class BadPayload(Exception):
    """Raised by a `decode` callback: the body is not what a 200 should carry."""


class FetchFailed(ConnectorError):
    """Every attempt at one URL failed; the run cannot go on past it."""

    def __init__(
        self,
        url: str,
        *,
        reason: str,
        status: int | None,
        attempts: int,
        what: str | None = None,
        method: str = "GET",
    ) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        self.attempts = attempts
        self.what = what
        subject = f"{what} ({url})" if what else url
        super().__init__(
            f"{method} {subject} failed after {attempts} attempt(s): {reason}"
            + (f" (last status {status})" if status is not None else "")
        )


@dataclass(frozen=True)
class _Request:
    method: str
    url: str
    params: Mapping[str, str] | None
    headers: Mapping[str, str]
    data: Mapping[str, str] | bytes | None
    decode: Callable[[bytes], Any] | None
    what: str | None


class _Retry(Exception):
    def __init__(
        self,
        reason: str,
        status: int | None,
        delay: float | None,
        kind: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason  # the detail, for the final error
        self.kind = kind or reason  # a bounded label, for HttpStats.reasons
        self.status = status
        self.delay = delay  # the server's Retry-After, when it gave one


class _RateLimiter:
    """Spaces request starts at least 1/rate apart (a leaky bucket of size 1)."""

    def __init__(self, rate_per_s: float | None) -> None:
        self._interval = 1.0 / rate_per_s if rate_per_s else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self._interval:
            return
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            await asyncio.sleep(start - now)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After header as seconds: delta-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def conditional_headers(validator: str | None) -> dict[str, str]:
    """If-None-Match for an ETag (always quoted, maybe W/), else If-Modified-Since."""
    if not validator:
        return {}
    if validator.startswith(('"', "W/")):
        return {"If-None-Match": validator}
    return {"If-Modified-Since": validator}


class HttpClient:
    """Use as `async with HttpClient(policy) as http:` for exactly one run."""

    def __init__(
        self,
        policy: HttpPolicy | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy or HttpPolicy()
        self.stats = HttpStats()
        self._rng = rng or random.Random()
        self._limiter = _RateLimiter(self.policy.rate_per_s)
        self._slots = asyncio.Semaphore(self.policy.concurrency)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HttpClient:
        p = self.policy
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(
                total=p.timeout_s, sock_connect=p.connect_timeout_s
            ),
            connector=aiohttp.TCPConnector(limit=p.concurrency),
            headers={"User-Agent": p.user_agent},
            raise_for_status=False,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        validator: str | None = None,
        decode: Callable[[bytes], Any] | None = None,
        what: str | None = None,
    ) -> Response:
        """GET with retries. `decode(body)` may raise `BadPayload` to retry a 200.

        `what` names the request in errors ("page 3"), so a failed run's
        message says where it stopped, not only which URL.
        """
        send = dict(headers or {})
        send.update(conditional_headers(validator))
        return await self._request(
            _Request("GET", url, params, send, None, decode, what)
        )

    async def post(
        self,
        url: str,
        *,
        data: Mapping[str, str] | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        decode: Callable[[bytes], Any] | None = None,
        what: str | None = None,
    ) -> Response:
        """POST with the same retries (for idempotent calls: token requests)."""
        return await self._request(
            _Request("POST", url, None, dict(headers or {}), data, decode, what)
        )

    async def _request(self, request: _Request) -> Response:
        if self._session is None:
            raise RuntimeError("HttpClient used outside `async with`")
        p = self.policy
        last: _Retry | None = None
        for attempt in range(1, p.attempts + 1):
            if last is not None:
                await self._sleep_before(attempt, last)
            try:
                return await self._attempt(request, attempt)
            except _Retry as retry:
                last = retry
                self.stats.reasons[retry.kind] = (
                    self.stats.reasons.get(retry.kind, 0) + 1
                )
                log.info(
                    "%s %s: %s (attempt %d)",
                    request.method,
                    request.what or request.url,
                    retry.reason,
                    attempt,
                )
        assert last is not None
        raise FetchFailed(
            request.url,
            reason=last.reason,
            status=last.status,
            attempts=p.attempts,
            what=request.what,
            method=request.method,
        )

    async def _sleep_before(self, attempt: int, last: _Retry) -> None:
        p = self.policy
        # Exponential backoff with "equal jitter": never less than half the
        # step, so clients that failed together do not retry together.
        step = min(p.backoff_max_s, p.backoff_base_s * 2 ** (attempt - 2))
        delay = step / 2 + self._rng.uniform(0, step / 2)
        if last.delay is not None:
            delay = max(delay, min(last.delay, p.retry_after_max_s))
        self.stats.retries += 1
        self.stats.waited_s += delay
        await asyncio.sleep(delay)

    async def _attempt(self, request: _Request, attempt: int) -> Response:
        assert self._session is not None
        async with self._slots:
            await self._limiter.wait()
            self.stats.requests += 1
            try:
                async with self._session.request(
                    request.method,
                    request.url,
                    params=request.params,
                    headers=request.headers,
                    data=request.data,
                ) as resp:
                    body = await resp.read()
                    status = resp.status
                    got = resp.headers
                    final_url = str(resp.url)
            except TimeoutError as exc:
                raise _Retry("timeout", None, None) from exc
            except aiohttp.ClientError as exc:
                raise _Retry(
                    f"connection error: {exc!r}", None, None, "connection error"
                ) from exc
        self.stats.bytes += len(body)
        validator = got.get("ETag") or got.get("Last-Modified")
        if status == 304:
            self.stats.not_modified += 1
            return Response(
                final_url,
                status,
                body,
                got,
                attempt,
                not_modified=True,
                validator=validator,
            )
        if status in RETRY_STATUSES:
            raise _Retry(
                f"HTTP {status}", status, retry_after_seconds(got.get("Retry-After"))
            )
        if status >= 400:
            # 4xx other than 429: asking again will not help.
            raise FetchFailed(
                request.url,
                reason=f"HTTP {status}",
                status=status,
                attempts=attempt,
                what=request.what,
                method=request.method,
            )
        data = None
        if request.decode is not None:
            try:
                data = request.decode(body)
            except BadPayload as exc:
                detail = str(exc)
                raise _Retry(
                    f"bad payload: {detail}",
                    status,
                    None,
                    "bad payload: " + detail.split(" (", 1)[0],
                ) from exc
        return Response(
            final_url, status, body, got, attempt, data=data, validator=validator
        )
