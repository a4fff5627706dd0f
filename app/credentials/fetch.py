"""Outbound fetches for verification: hosted assertions, keys, did:web, status lists.

Credentials name URLs chosen by whoever made them, so every fetch is treated as
hostile: http(s) only, the host must resolve to public addresses only (loopback,
private, link-local… are refused unless CREDGRAPH_ALLOW_PRIVATE_FETCH=1, which the
tests set), redirects are followed by hand so each hop is checked again, and the
body is capped. A server that does not answer raises FetchFailed; the caller turns
that into an *indeterminate* check, never a passed one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import aiohttp

from app.credentials.errors import FetchFailed, FetchRefused

MAX_BYTES = 2_000_000
TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    body: bytes
    content_type: str

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise FetchFailed(f"{self.url}: not JSON ({exc})", self.status) from None


class Fetcher(Protocol):
    async def get(self, url: str) -> Response: ...


async def fetch_json(fetcher: Fetcher, url: str) -> Any:
    """GET a URL and parse JSON; a non-2xx status raises FetchFailed."""
    response = await fetcher.get(url)
    if not 200 <= response.status < 300:
        raise FetchFailed(f"{url}: HTTP {response.status}", response.status)
    return response.json()


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class SafeFetcher:
    """The aiohttp fetcher with the safety rules above."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.allow_private = allow_private
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SafeFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchRefused(f"refused to fetch {url!r}: only http(s) URLs")
        if self.allow_private:
            return
        host = parts.hostname
        try:
            addresses = [host] if _is_ip(host) else await _resolve(host, parts.port)
        except OSError as exc:
            raise FetchFailed(f"{url}: cannot resolve {host} ({exc})") from None
        for address in addresses:
            if not _is_public(address):
                raise FetchRefused(
                    f"refused to fetch {url}: {host} is a non-public address"
                )

    async def get(self, url: str) -> Response:
        if self._session is None:
            connector = None
            if not self.allow_private:
                connector = aiohttp.TCPConnector(resolver=_PublicResolver())
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"Accept": "application/json, application/ld+json, */*"},
            )
        for _ in range(MAX_REDIRECTS + 1):
            await self._check_url(url)
            try:
                async with self._session.get(url, allow_redirects=False) as resp:
                    if (
                        resp.status in (301, 302, 303, 307, 308)
                        and "Location" in resp.headers
                    ):
                        url = urljoin(url, resp.headers["Location"])
                        continue
                    body = await resp.content.read(self.max_bytes + 1)
                    if len(body) > self.max_bytes:
                        raise FetchFailed(
                            f"{url}: response larger than {self.max_bytes} bytes"
                        )
                    return Response(url, resp.status, body, resp.content_type)
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise FetchFailed(
                    f"{url}: {type(exc).__name__} {exc}".strip()
                ) from None
        raise FetchFailed(f"{url}: more than {MAX_REDIRECTS} redirects")


class _PublicResolver(aiohttp.ThreadedResolver):
    """Re-checks the addresses aiohttp connects to, so a DNS answer that changes
    between our check and the connection (rebinding) still cannot reach inside."""

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):  # type: ignore[override]
        infos = await super().resolve(host, port, family)
        for info in infos:
            if not _is_public(info["host"]):
                raise OSError(f"{host} resolved to a non-public address")
        return infos


def default_fetcher() -> SafeFetcher:
    """The fetcher the CLI and API use, with the configured private-address rule."""
    from app.settings import get_settings

    return SafeFetcher(allow_private=get_settings().allow_private_fetch)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def _resolve(host: str, port: int | None) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port or 443, type=socket.SOCK_STREAM
    )
    return [info[4][0] for info in infos]
