"""CREDGRAPH_CORS_ORIGINS: named browser origins may call the API."""

from __future__ import annotations

import httpx
import pytest

from app.main import create_app
from app.settings import Settings

PORTAL = "https://portal.example.org"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


def _client(settings: Settings) -> httpx.AsyncClient:
    app = create_app(settings, register_db=False)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    )


@pytest.mark.asyncio
async def test_preflight_from_a_named_origin_is_allowed() -> None:
    settings = Settings(cors_origins=(PORTAL,))
    async with _client(settings) as client:
        response = await client.options(
            "/graphql", headers={"Origin": PORTAL, **PREFLIGHT}
        )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PORTAL
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "POST" in response.headers["access-control-allow-methods"]


@pytest.mark.asyncio
async def test_preflight_from_another_origin_is_refused() -> None:
    settings = Settings(cors_origins=(PORTAL,))
    async with _client(settings) as client:
        response = await client.options(
            "/graphql", headers={"Origin": "https://evil.example", **PREFLIGHT}
        )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.asyncio
async def test_no_cors_headers_without_configured_origins() -> None:
    async with _client(Settings()) as client:
        response = await client.get("/healthz", headers={"Origin": PORTAL})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.asyncio
async def test_simple_request_from_a_named_origin_carries_the_header() -> None:
    async with _client(Settings(cors_origins=(PORTAL,))) as client:
        response = await client.get("/healthz", headers={"Origin": PORTAL})
    assert response.headers["access-control-allow-origin"] == PORTAL
