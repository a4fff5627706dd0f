"""application/graphql-response+json (GraphQL over HTTP): request errors are
400 without `data`; field errors and plain application/json stay 200."""

from __future__ import annotations

import httpx
import pytest

MODERN = "application/graphql-response+json"


async def post(client: httpx.AsyncClient, query: str, accept: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": query}, headers={"Accept": accept}
    )


@pytest.mark.parametrize("query", ["{ courses(first: 1 ", "{ nope }"])
@pytest.mark.asyncio
async def test_request_error_is_400_without_data(
    client: httpx.AsyncClient, query: str
) -> None:
    response = await post(client, query, MODERN)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(MODERN)
    body = response.json()
    assert "data" not in body and body["errors"][0]["extensions"]["code"]


@pytest.mark.asyncio
async def test_legacy_json_keeps_200(client: httpx.AsyncClient) -> None:
    response = await post(client, "{ nope }", "application/json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.asyncio
async def test_success_and_field_errors_are_200(client: httpx.AsyncClient) -> None:
    ok = await post(client, "{ courses(first: 1) { totalCount } }", MODERN)
    assert ok.status_code == 200 and ok.json()["data"]["courses"]["totalCount"] == 0
    # a bad argument value is an execution (field) error: data is present
    bad = await post(client, "{ courses(first: 1000) { totalCount } }", MODERN)
    assert bad.status_code == 200
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
