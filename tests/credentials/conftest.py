"""Fixtures for credential tests: a loopback web server standing in for issuers,
and keys and credentials made on the fly (the samples carry no expired, tampered
or status-list cases, so the tests make them)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import pytest_asyncio
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials import dataintegrity
from app.credentials.fetch import Response, SafeFetcher, default_fetcher
from app.credentials.signing import Signer, signer_for

# The key of the 1EdTech spec test vectors and validator fixtures; the samples
# name it in the fragment of their verificationMethod.
SPEC_KEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


class LocalWeb:
    """Serves documents under their real URLs from 127.0.0.1: the fetcher it
    hands out rewrites every URL to the loopback server, which answers with
    whatever was published for that URL (404 otherwise)."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.hits: list[str] = []
        self.base = ""
        self._inner: SafeFetcher | None = None

    def publish(self, url: str, body: Any, status: int = 200, **headers: str) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.pages[url] = (status, data, headers)

    def local_url(self, url: str) -> str:
        return f"{self.base}/fetch?u={quote(url, safe='')}"

    async def handle(self, request: web.Request) -> web.Response:
        url = request.query.get("u", "")
        self.hits.append(url)
        if url not in self.pages:
            return web.Response(status=404, text="not found")
        status, body, headers = self.pages[url]
        return web.Response(
            status=status, body=body, headers=headers, content_type="application/json"
        )

    async def get(self, url: str) -> Response:
        assert self._inner is not None
        response = await self._inner.get(self.local_url(url))
        return Response(url, response.status, response.body, response.content_type)


@pytest_asyncio.fixture
async def web_server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[LocalWeb]:
    monkeypatch.setenv("CREDGRAPH_ALLOW_PRIVATE_FETCH", "1")
    site = LocalWeb()
    app = web.Application()
    app.router.add_get("/fetch", site.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    site.base = f"http://127.0.0.1:{port}"
    async with default_fetcher() as inner:
        site._inner = inner
        yield site
    await runner.cleanup()


@pytest.fixture
def samples(shared_samples: Path) -> Path:
    return shared_samples


def issuer_document(issuer_id: str, *keys: str, jwks: list[dict] | None = None) -> dict:
    """An issuer profile publishing Multikey verification methods (and JWKs)."""
    document: dict[str, Any] = {
        "id": issuer_id,
        "type": ["Profile"],
        "verificationMethod": [
            {
                "id": f"{issuer_id}#{key}",
                "type": "Multikey",
                "controller": issuer_id,
                "publicKeyMultibase": key,
            }
            for key in keys
        ],
    }
    if jwks:
        document["keys"] = jwks
    return document


@pytest.fixture
def issuer_key() -> Signer:
    """A fresh did:key issuer."""
    return signer_for(Ed25519PrivateKey.generate())


def make_ob3(
    signer: Signer,
    *,
    name: str = "Data Structures",
    credits: float | None = 4.0,
    ident: str = "urn:uuid:00000000-0000-4000-8000-000000000001",
    valid_from: str = "2024-01-15T00:00:00Z",
    valid_until: str | None = None,
    status: dict | None = None,
    alignment: list[dict] | None = None,
    extra: dict | None = None,
) -> dict[str, Any]:
    """A signed OB 3.0 credential, as an issuer would send it."""
    achievement: dict[str, Any] = {
        "id": f"https://issuer.example/achievements/{quote(name)}",
        "type": ["Achievement"],
        "name": name,
        "description": f"Completed {name}",
        "criteria": {"narrative": "Passed the proctored exam"},
    }
    if credits is not None:
        achievement["creditsAvailable"] = credits
    if alignment:
        achievement["alignment"] = alignment
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": ident,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": signer.issuer_id,
            "type": ["Profile"],
            "name": "Test University",
        },
        "validFrom": valid_from,
        "name": name,
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
    }
    if valid_until:
        document["validUntil"] = valid_until
    if status:
        document["credentialStatus"] = status
    document.update(extra or {})
    return dataintegrity.sign(
        document,
        signer.private_key,
        signer.verification_method,
        created=datetime(2024, 1, 15, tzinfo=UTC),
    )
