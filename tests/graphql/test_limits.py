"""Every limit refuses with a code: cost, depth, aliases, tokens, `first`,
body size; production turns introspection and GraphiQL off."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from app.settings import Limits
from tests.conftest import ROOT, graphql

LIMITS = Limits()


def _code(body: dict) -> str:
    assert body.get("errors"), body
    return body["errors"][0]["extensions"]["code"]


def _nested(depth: int) -> str:
    inner = "title"
    for _ in range(depth):
        inner = f"equivalents {{ {inner} }}"
    return f"{{ courses(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


COURSE_FIELDS = (
    "id title description subjects ncrfLevel levelLabel notionalHours contactHours"
    " weeks hoursPerWeek credits creditSource creditUnit language languages mode"
    " url institute coordinator hasCertificate"
)


def _pages(first: str, aliases: int = LIMITS.max_aliases - 1) -> str:
    """`aliases` course pages of 20 fields each: 20 x first x aliases."""
    page = (
        f"courses(first: {first}) {{ edges {{ cursor node {{ {COURSE_FIELDS} }} }} }}"
    )
    pages = " ".join(f"a{i}: {page}" for i in range(aliases))
    variables = "($n: Int)" if first.startswith("$") else ""
    return f"query{variables} {{ {pages} }}"


@pytest.mark.asyncio
async def test_cost_multiplies_by_first(client: httpx.AsyncClient) -> None:
    # the same shape passes with small pages and is refused with large ones
    assert "errors" not in await graphql(client, _pages("5"))
    body = await graphql(client, _pages("100"))
    assert _code(body) == "QUERY_TOO_COMPLEX"
    assert "maximum cost" in body["errors"][0]["message"]


@pytest.mark.asyncio
async def test_variable_first_counts_as_the_cap(client: httpx.AsyncClient) -> None:
    assert _code(await graphql(client, _pages("$n"), {"n": 1})) == "QUERY_TOO_COMPLEX"


@pytest.mark.parametrize(
    ("query", "why"),
    [
        (_nested(LIMITS.max_depth), "depth"),
        (
            "{ "
            + " ".join(f"a{i}: __typename" for i in range(LIMITS.max_aliases + 1))
            + " }",
            "aliases",
        ),
        ("{ " + "__typename " * LIMITS.max_tokens + "}", "tokens"),
    ],
)
@pytest.mark.asyncio
async def test_limits_refuse_with_a_code(
    client: httpx.AsyncClient, query: str, why: str
) -> None:
    assert _code(await graphql(client, query)) == "QUERY_TOO_COMPLEX", why


@pytest.mark.asyncio
async def test_body_size_limit(client: httpx.AsyncClient) -> None:
    padding = " " * (LIMITS.max_body_bytes + 1)
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": "{ __typename }" + padding}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    ok = await client.post("/graphql", json={"query": "{ __typename }"})
    assert ok.json() == {"data": {"__typename": "Query"}}


PRODUCTION_PROBE = """
import asyncio, json, httpx
from app.main import create_app
from app.settings import get_settings

async def main():
    app = create_app(get_settings(), register_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        ide = await c.get("/graphql", headers={"Accept": "text/html"})
        schema = {"query": "{ __schema { types { name } } }"}
        intro = await c.post("/graphql", json=schema)
        typename = await c.post("/graphql", json={"query": "{ __typename }"})
        print(json.dumps({"ide": ide.status_code, "intro": intro.json(),
                          "typename": typename.json()}))

asyncio.run(main())
"""


@pytest.mark.parametrize(("env", "production"), [("production", True), ("", False)])
def test_production_turns_off_introspection_and_graphiql(
    env: str, production: bool
) -> None:
    # The one schema of a process is built from its settings (strawberry
    # #3823), so each environment is probed in its own process.
    run = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        env={**os.environ, "CREDGRAPH_ENV": env or "development"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    probe = json.loads(run.stdout.strip().splitlines()[-1])
    assert probe["typename"] == {"data": {"__typename": "Query"}}
    if production:
        assert probe["ide"] == 404
        assert _code(probe["intro"]) == "GRAPHQL_VALIDATION_FAILED"
        assert "introspection" in probe["intro"]["errors"][0]["message"]
    else:
        assert probe["ide"] == 200
        assert probe["intro"]["data"]["__schema"]["types"]


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("query($n: Int) { __typename }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("{ courses(first: $n) { totalCount } }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Int!) { courses(first: $n) { totalCount } }", {}, "BAD_USER_INPUT"),
    ],
)
@pytest.mark.asyncio
async def test_variable_errors_are_told_apart(
    client: httpx.AsyncClient, query: str, variables: dict, code: str
) -> None:
    # an unused or undefined variable is the document's fault; a missing
    # value is the input's
    assert _code(await graphql(client, query, variables)) == code


def _plans(count: int) -> str:
    plans = " ".join(
        f'p{i}: plan(award: {{builtin: "ug_certificate"}}) {{ feasible }}'
        for i in range(count)
    )
    return f"{{ me {{ {plans} }} }}"


@pytest.mark.asyncio
async def test_solver_fields_are_priced_so_aliases_cannot_multiply_them(
    client: httpx.AsyncClient,
) -> None:
    # one plan gets as far as authentication; eleven are refused before any
    # resolver (or solver) runs
    assert _code(await graphql(client, _plans(1))) == "UNAUTHENTICATED"
    body = await graphql(client, _plans(11))
    assert _code(body) == "QUERY_TOO_COMPLEX"
