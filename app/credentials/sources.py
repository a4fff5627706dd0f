"""Reading a credential from a URL (API and CLI) or a local file (CLI only)."""

from __future__ import annotations

from pathlib import Path

from app.credentials.errors import CredentialError, FetchRefused, NotACredential
from app.credentials.fetch import Fetcher


async def read_url(url: str, fetcher: Fetcher) -> bytes:
    """The bytes at an http(s) URL, fetched under the safe-fetch rules. This is
    the one to use for input from the API: it never reads a local file."""
    if not url.startswith(("http://", "https://")):
        raise FetchRefused(f"not an http(s) URL: {url!r}")
    response = await fetcher.get(url)
    if response.status == 410:
        # a hosted OB 2.0 assertion that is gone: verify its URL, which says revoked
        return url.encode()
    if not 200 <= response.status < 300:
        raise CredentialError(f"{url}: HTTP {response.status}")
    return response.body


async def read_source(source: str, fetcher: Fetcher) -> bytes:
    """A CLI argument: a URL, or else a path to a file."""
    if source.startswith(("http://", "https://")):
        return await read_url(source, fetcher)
    path = Path(source)
    if not path.is_file():
        raise NotACredential(f"no such file: {source}")
    return path.read_bytes()
