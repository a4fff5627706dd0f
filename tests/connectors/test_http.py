"""The HTTP client against the simulator's faults: what a flaky provider does."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from dataclasses import replace

import pytest

from connectors.http import (
    FetchFailed,
    HttpClient,
    HttpPolicy,
    conditional_headers,
    retry_after_seconds,
)
from connectors.simulator import Simulator
from tests.connectors.conftest import FAST, StartSimulator

PAGE = "/modules/gql/query"
QUERY = {"q": "{ courseList(first: 5) { edges { node { id } } } }"}


def _url(sim: Simulator) -> str:
    return sim.url + PAGE


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", ["error500", "rate429", "reset"])
async def test_transient_failures_are_retried_until_success(
    start_simulator: StartSimulator, http: HttpClient, fault: str
) -> None:
    sim = await start_simulator(courses=20, faults=f"{fault}:times=2")
    response = await http.get(_url(sim), params=QUERY)
    assert response.status == 200 and b"courseList" in response.body
    assert sim.state.hits["swayam"] == 3
    if fault == "reset":
        # aiohttp itself retries once when a reused connection is dropped.
        assert response.attempts >= 2
    else:
        assert response.attempts == 3
        assert http.stats.retries == 2


@pytest.mark.asyncio
async def test_retry_after_is_honoured(start_simulator: StartSimulator) -> None:
    sim = await start_simulator(courses=5, faults="rate429:times=1:retry_after=1")
    async with HttpClient(FAST) as http:
        started = time.monotonic()
        response = await http.get(_url(sim), params=QUERY)
        elapsed = time.monotonic() - started
    assert response.status == 200
    # The backoff alone would have waited about 10 ms.
    assert elapsed >= 1.0
    assert http.stats.waited_s >= 1.0


@pytest.mark.asyncio
async def test_retry_after_is_capped(start_simulator: StartSimulator) -> None:
    sim = await start_simulator(courses=5, faults="rate429:times=1:retry_after=3600")
    async with HttpClient(replace(FAST, retry_after_max_s=0.2)) as http:
        started = time.monotonic()
        await http.get(_url(sim), params=QUERY)
    assert time.monotonic() - started < 2


@pytest.mark.asyncio
async def test_a_slow_response_times_out_and_is_retried(
    start_simulator: StartSimulator,
) -> None:
    sim = await start_simulator(courses=5, faults="slow:delay=2:times=1")
    async with HttpClient(replace(FAST, timeout_s=0.6)) as http:
        response = await http.get(_url(sim), params=QUERY)
    assert response.attempts == 2
    assert http.stats.reasons == {"timeout": 1}


@pytest.mark.asyncio
async def test_exhausted_retries_raise_with_url_status_and_attempts(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=5, faults="error500")
    with pytest.raises(FetchFailed) as failure:
        await http.get(_url(sim), params=QUERY, what="page 1")
    error = failure.value
    assert (error.status, error.attempts) == (500, FAST.attempts)
    assert error.url == _url(sim)
    assert "page 1" in str(error) and "4 attempt" in str(error)
    assert sim.state.hits["swayam"] == FAST.attempts


@pytest.mark.asyncio
async def test_a_client_error_is_not_retried(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=5)
    with pytest.raises(FetchFailed) as failure:
        await http.get(sim.url + "/no/such/path")
    assert (failure.value.status, failure.value.attempts) == (404, 1)


@pytest.mark.asyncio
async def test_conditional_get_returns_not_modified(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=5)
    first = await http.get(_url(sim), params=QUERY)
    assert first.validator and first.validator.startswith('"')

    again = await http.get(_url(sim), params=QUERY, validator=first.validator)
    assert again.not_modified and again.status == 304 and again.body == b""
    assert http.stats.not_modified == 1

    # Last-Modified works the same way when a source gives no ETag.
    since = first.headers["Last-Modified"]
    by_date = await http.get(_url(sim), params=QUERY, validator=since)
    assert by_date.not_modified

    sim.control(generation=1)
    changed = await http.get(_url(sim), params=QUERY, validator=first.validator)
    assert changed.status == 200 and changed.validator != first.validator


@pytest.mark.asyncio
async def test_rate_limit_spaces_requests(start_simulator: StartSimulator) -> None:
    sim = await start_simulator(courses=5)
    async with HttpClient(replace(FAST, rate_per_s=20)) as http:
        started = time.monotonic()
        await asyncio.gather(*(http.get(_url(sim), params=QUERY) for _ in range(6)))
        elapsed = time.monotonic() - started
    # Six starts at 20/s: the last one 5 intervals (0.25 s) after the first.
    assert elapsed >= 0.24


@pytest.mark.asyncio
async def test_concurrency_cap_holds_requests_back(
    start_simulator: StartSimulator,
) -> None:
    sim = await start_simulator(courses=5, faults="slow:delay=0.2")
    async with HttpClient(replace(FAST, concurrency=2)) as http:
        started = time.monotonic()
        await asyncio.gather(*(http.get(_url(sim), params=QUERY) for _ in range(4)))
        elapsed = time.monotonic() - started
    # Two at a time: two rounds of 0.2 s, where four at once would take one.
    assert elapsed >= 0.4


def test_retry_after_parses_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480) == 10
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_validators_pick_the_conditional_header() -> None:
    assert conditional_headers('"abc"') == {"If-None-Match": '"abc"'}
    assert conditional_headers('W/"abc"') == {"If-None-Match": 'W/"abc"'}
    assert conditional_headers("Thu, 01 Jan 2026 00:00:00 GMT") == {
        "If-Modified-Since": "Thu, 01 Jan 2026 00:00:00 GMT"
    }
    assert conditional_headers(None) == {}


def test_policy_reads_source_options() -> None:
    policy = HttpPolicy.from_options({"rate_per_s": 2, "attempts": 3, "page_size": 9})
    assert (policy.rate_per_s, policy.attempts) == (2, 3)


@pytest.mark.asyncio
async def test_a_source_that_is_down_fails_after_every_attempt(
    http: HttpClient,
) -> None:
    with socket.socket() as sock:  # a port nobody listens on any more
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchFailed) as failure:
        await http.get(f"http://127.0.0.1:{port}/modules/gql/query")
    assert failure.value.status is None
    assert failure.value.attempts == FAST.attempts
    assert "connection error" in str(failure.value)


@pytest.mark.asyncio
async def test_post_shares_the_session_and_the_error_says_post(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=5)
    response = await http.post(
        sim.url + "/_control",
        data=b'{"generation": 3}',
        headers={"Content-Type": "application/json"},
        decode=json.loads,
    )
    assert response.data["generation"] == 3 == sim.state.generation
    with pytest.raises(FetchFailed, match=r"^POST .* 404"):
        await http.post(sim.url + "/no/token/here", data={"grant_type": "x"})
