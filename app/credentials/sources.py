"""Reading a credential from a file or URL (the CLI's FILE|URL arguments)."""

from __future__ import annotations

from pathlib import Path

from app.credentials.errors import CredentialError
from app.credentials.fetch import Fetcher


async def read_source(source: str, fetcher: Fetcher) -> bytes:
    """The bytes of a file, or of a URL fetched under the safe-fetch rules
    (FetchFailed / FetchRefused propagate: both are CredentialErrors)."""
    if source.startswith(("http://", "https://")):
        response = await fetcher.get(source)
        if response.status == 410:
            # a hosted OB 2.0 assertion that is gone: verify its URL (revoked)
            return source.encode()
        if not 200 <= response.status < 300:
            raise CredentialError(f"{source}: HTTP {response.status}")
        return response.body
    path = Path(source)
    if not path.is_file():
        raise CredentialError(f"no such file: {source}")
    return path.read_bytes()
