"""The public response cache: hits, invalidation by the catalogue generation,
ETag and conditional GET, and never for learner data or mutations."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from app.db.models.sync import CatalogueGeneration
from app.graphql import cache
from app.settings import Settings
from tests.factories import make_course, make_provider

QUERY = "{ courses(first: 10) { edges { node { title } } } }"


@pytest_asyncio.fixture
async def app_client(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    # check the generation on every request, as if a second had passed
    monkeypatch.setattr(cache, "GENERATION_TTL", 0.0)
    from app.main import create_app

    app = create_app(Settings(database_url="sqlite://:memory:"), register_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def bump() -> None:
    row, _ = await CatalogueGeneration.get_or_create(id=1)
    row.generation += 1
    await row.save()


def titles(response: httpx.Response) -> list[str]:
    return [e["node"]["title"] for e in response.json()["data"]["courses"]["edges"]]


@pytest.mark.asyncio
async def test_hit_until_the_generation_moves(app_client: httpx.AsyncClient) -> None:
    provider = await make_provider()
    await make_course(provider, "a", "Alpha")
    first = await app_client.post("/graphql", json={"query": QUERY})
    assert first.headers["x-cache"] == "miss" and titles(first) == ["Alpha"]
    await make_course(provider, "b", "Beta")  # written without a sync
    again = await app_client.post("/graphql", json={"query": QUERY})
    assert again.headers["x-cache"] == "hit" and titles(again) == ["Alpha"]
    await bump()  # what a sync that changed data does
    fresh = await app_client.post("/graphql", json={"query": QUERY})
    assert fresh.headers["x-cache"] == "miss"
    assert titles(fresh) == ["Alpha", "Beta"]


@pytest.mark.asyncio
async def test_variables_and_media_type_are_part_of_the_key(
    app_client: httpx.AsyncClient,
) -> None:
    provider = await make_provider()
    for i in range(3):
        await make_course(provider, f"c{i}", f"Course {i}")
    query = "query($n: Int) { courses(first: $n) { edges { node { title } } } }"
    one = await app_client.post(
        "/graphql", json={"query": query, "variables": {"n": 1}}
    )
    two = await app_client.post(
        "/graphql", json={"query": query, "variables": {"n": 2}}
    )
    assert len(titles(one)) == 1 and len(titles(two)) == 2
    modern = await app_client.post(
        "/graphql",
        json={"query": query, "variables": {"n": 1}},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert modern.headers["x-cache"] == "miss"
    assert modern.headers["content-type"].startswith("application/graphql-response")


@pytest.mark.asyncio
async def test_get_carries_etag_and_answers_304(app_client: httpx.AsyncClient) -> None:
    provider = await make_provider()
    await make_course(provider, "a", "Alpha")
    response = await app_client.get("/graphql", params={"query": QUERY})
    assert response.status_code == 200
    etag = response.headers["etag"]
    assert response.headers["cache-control"] == "public, max-age=60"
    same = await app_client.get(
        "/graphql", params={"query": QUERY}, headers={"If-None-Match": etag}
    )
    assert same.status_code == 304 and same.content == b""
    await make_course(provider, "b", "Beta")
    await bump()
    changed = await app_client.get(
        "/graphql", params={"query": QUERY}, headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200 and changed.headers["etag"] != etag


@pytest.mark.asyncio
async def test_requests_with_authorization_are_never_cached(
    app_client: httpx.AsyncClient,
) -> None:
    await make_course(await make_provider(), "a", "Alpha")
    headers = {"Authorization": "Bearer not-a-real-token"}
    for _ in range(2):
        response = await app_client.get(
            "/graphql", params={"query": QUERY}, headers=headers
        )
        assert "x-cache" not in response.headers and "etag" not in response.headers
        assert response.headers["cache-control"] == "private, no-store"
    # and nothing was stored for anonymous callers either
    anonymous = await app_client.get("/graphql", params={"query": QUERY})
    assert anonymous.headers["x-cache"] == "miss"


@pytest.mark.asyncio
async def test_errors_are_not_cached(app_client: httpx.AsyncClient) -> None:
    query = "{ courses(first: 1000) { totalCount } }"
    for _ in range(2):
        response = await app_client.post("/graphql", json={"query": query})
        assert response.json()["errors"] and "x-cache" not in response.headers
