"""Outbound fetches: only http(s), only public addresses (unless allowed), capped,
and a redirect cannot lead somewhere a direct request could not go."""

from __future__ import annotations

import pytest

from app.credentials.errors import FetchFailed, FetchRefused
from app.credentials.fetch import SafeFetcher
from tests.credentials.conftest import LocalWeb


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://10.1.2.3/x",
        "http://192.168.0.1/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
        "http://localhost/x",
    ],
)
async def test_private_addresses_are_refused(url: str) -> None:
    async with SafeFetcher(allow_private=False) as fetcher:
        with pytest.raises(FetchRefused):
            await fetcher.get(url)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x"]
)
async def test_other_schemes_are_refused(url: str) -> None:
    async with SafeFetcher(allow_private=True) as fetcher:
        with pytest.raises(FetchRefused, match="only http"):
            await fetcher.get(url)


@pytest.mark.asyncio
async def test_redirect_to_a_refused_scheme_is_refused(web_server: LocalWeb) -> None:
    web_server.publish(
        "https://issuer.example/key", b"", status=302, Location="file:///etc/passwd"
    )
    with pytest.raises(FetchRefused):
        await web_server.get("https://issuer.example/key")


class _FirstHopPublic(SafeFetcher):
    """Treats the first URL as public (our fixture server stands in for a public
    host) and applies the real rules to every hop after it."""

    def __init__(self, first: str) -> None:
        super().__init__(allow_private=False)
        self.first = first

    async def _check_url(self, url: str) -> None:
        if url != self.first:
            await super()._check_url(url)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:1/admin"]
)
async def test_redirect_to_a_private_address_is_refused(
    web_server: LocalWeb, target: str
) -> None:
    web_server.publish("https://issuer.example/key", b"", status=302, Location=target)
    first = web_server.local_url("https://issuer.example/key")
    async with _FirstHopPublic(first) as fetcher:
        with pytest.raises(FetchRefused, match="non-public"):
            await fetcher.get(first)


@pytest.mark.asyncio
async def test_oversized_response_is_cut_off(web_server: LocalWeb) -> None:
    web_server.publish("https://issuer.example/big", b"x" * 5000)
    async with SafeFetcher(allow_private=True, max_bytes=1000) as fetcher:
        with pytest.raises(FetchFailed, match="larger than"):
            await fetcher.get(web_server.local_url("https://issuer.example/big"))


@pytest.mark.asyncio
async def test_unreachable_host_fails_not_hangs() -> None:
    async with SafeFetcher(allow_private=True, timeout=2) as fetcher:
        with pytest.raises(FetchFailed):
            await fetcher.get("http://127.0.0.1:9/nothing")
