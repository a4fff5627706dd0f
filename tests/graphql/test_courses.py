"""The first catalogue schema over HTTP: pages, relations, ids and errors."""

from __future__ import annotations

import base64
from datetime import date

import httpx
import pytest

from tests.conftest import SqlCounter, graphql
from tests.factories import make_course, make_offering, make_provider
from tests.graphql.catalogue_data import query_statements

PAGE = """
query Page($first: Int, $after: String) {
  courses(first: $first, after: $after) {
    edges { cursor node { id title credits provider { slug name }
                          offerings { externalId start } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def _catalogue(courses: int, providers: int = 3) -> None:
    provs = [
        await make_provider(f"p{i}", name=f"Provider {i}") for i in range(providers)
    ]
    for i in range(courses):
        course = await make_course(provs[i % providers], f"c{i}", f"Course {i:03d}")
        await make_offering(course, f"c{i}-a", date(2030, 1, 1))
        await make_offering(course, f"c{i}-b", date(2020, 1, 1))


@pytest.mark.asyncio
async def test_courses_page_with_provider_and_offerings(
    client: httpx.AsyncClient,
) -> None:
    await _catalogue(4)
    body = await graphql(client, PAGE, {"first": 3})
    assert "errors" not in body
    page = body["data"]["courses"]
    titles = [e["node"]["title"] for e in page["edges"]]
    assert titles == ["Course 000", "Course 001", "Course 002"]
    assert page["edges"][1]["node"]["provider"]["slug"] == "p1"
    # the next offering first, the past one after it
    assert [o["externalId"] for o in page["edges"][0]["node"]["offerings"]] == [
        "c0-a",
        "c0-b",
    ]
    assert page["pageInfo"]["hasNextPage"] is True


@pytest.mark.asyncio
async def test_cursor_stays_put_when_courses_are_added(
    client: httpx.AsyncClient,
) -> None:
    await _catalogue(4)
    first = (await graphql(client, PAGE, {"first": 2}))["data"]["courses"]
    provider = await make_provider("late")
    await make_course(provider, "new", "Course 000a")  # sorts before the cursor
    await make_course(provider, "new2", "Course 001a")  # sorts after it
    after = first["pageInfo"]["endCursor"]
    second = (await graphql(client, PAGE, {"first": 10, "after": after}))["data"]
    titles = [e["node"]["title"] for e in second["courses"]["edges"]]
    assert titles == ["Course 001a", "Course 002", "Course 003"]


@pytest.mark.asyncio
async def test_relations_cost_constant_statements(
    client: httpx.AsyncClient, sql_counter: SqlCounter
) -> None:
    await _catalogue(60)
    counts = []
    for first in (5, 50):
        sql_counter.reset()
        body = await graphql(client, PAGE, {"first": first})
        assert len(body["data"]["courses"]["edges"]) == first
        counts.append(len(query_statements(sql_counter.statements)))
    assert counts[0] == counts[1], sql_counter.statements
    assert counts[1] <= 3  # the page, its providers, their offerings


@pytest.mark.asyncio
async def test_node_and_course_by_global_id(client: httpx.AsyncClient) -> None:
    await _catalogue(1)
    page = (await graphql(client, PAGE, {"first": 1}))["data"]["courses"]
    course_id = page["edges"][0]["node"]["id"]
    assert base64.b64decode(course_id).decode().startswith("Course:")
    body = await graphql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Course { title } } "
        "course(id: $id) { provider { id } } }",
        {"id": course_id},
    )
    assert body["data"]["node"]["title"] == "Course 000"
    provider_id = body["data"]["course"]["provider"]["id"]
    body = await graphql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Provider { slug } } }",
        {"id": provider_id},
    )
    assert body["data"]["node"]["slug"] == "p0"


def _code(body: dict) -> str:
    assert body.get("errors"), body
    return body["errors"][0]["extensions"]["code"]


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ courses(first: 1000) { edges { cursor } } }", None, "BAD_USER_INPUT"),
        ("{ courses(first: -1) { edges { cursor } } }", None, "BAD_USER_INPUT"),
        (
            '{ courses(after: "nonsense!") { edges { cursor } } }',
            None,
            "BAD_USER_INPUT",
        ),
        ('{ node(id: "not-an-id") { id } }', None, "BAD_USER_INPUT"),
        # a well-formed id of a course that does not exist
        (
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": base64.b64encode(b"Course:999999").decode()},
            "NOT_FOUND",
        ),
        (
            "query($id: ID!) { course(id: $id) { title } }",
            {"id": base64.b64encode(b"Provider:1").decode()},
            "NOT_FOUND",
        ),
        ("{ courses(first: 1 ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ courses { nope } }", None, "GRAPHQL_VALIDATION_FAILED"),
        (
            "query($n: Int) { courses(first: $n) { edges { cursor } } }",
            {"n": "x"},
            "BAD_USER_INPUT",
        ),
    ],
)
@pytest.mark.asyncio
async def test_bad_requests_get_a_code_and_no_trace(
    client: httpx.AsyncClient, query: str, variables: dict | None, code: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}
    )
    body = response.json()
    assert _code(body) == code
    text = response.text
    assert "Traceback" not in text and 'File "' not in text


@pytest.mark.asyncio
async def test_unexpected_errors_are_masked_and_logged_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    from app.graphql.catalogue import loaders

    async def broken(self, keys):  # noqa: ANN001
        raise RuntimeError("secret database detail")

    await _catalogue(1)
    monkeypatch.setattr(loaders.ProviderById, "_load", broken)
    body = await graphql(client, PAGE, {"first": 1})
    assert _code(body) == "INTERNAL_SERVER_ERROR"
    assert "secret" not in str(body)
    logged = [r for r in caplog.records if r.name == "credgraph.graphql"]
    assert len(logged) == 1 and "secret database detail" in logged[0].exc_text


@pytest.mark.asyncio
async def test_graphiql_page_for_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


@pytest.mark.asyncio
async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"
