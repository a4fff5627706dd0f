"""The direct path for pages of courses (fastpath.py) answers exactly what
the general path answers, byte for byte, and leaves everything else to it."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from app.graphql.catalogue import fastpath
from tests.factories import make_offering
from tests.graphql.catalogue_data import build_catalogue

COURSE_LEAVES = (
    "id externalId title description subjects ncrfLevel levelLabel notionalHours"
    " contactHours weeks hoursPerWeek workloadText credits creditSource creditUnit"
    " language languages mode url institute coordinator hasCertificate withdrawn"
    " nextStart"
)
PROVIDER = "provider { id slug name kind country url abcRegistered swayam }"
OFFERINGS = (
    "offerings { id externalId start end enrolmentEnd examDate feeMinor currency"
    " mode language status url hasExam withdrawn }"
)
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

FAST = [
    "{ courses { edges { node { title } } } }",
    f"{{ courses(first: 3) {{ edges {{ cursor node {{ {COURSE_LEAVES} {PROVIDER}"
    f" {OFFERINGS} }} }} {PAGE_INFO} }} }}",
    f"{{ courses(first: 2, orderBy: {{field: CREDITS, direction: DESC}}) {{"
    f" {PAGE_INFO} edges {{ node {{ title credits {PROVIDER} }} cursor }} }} }}",
    "{ page: courses(first: 4, orderBy: {field: START_DATE}) {"
    " edges { node { title nextStart offerings { start } } } } }",
    "query Page($first: Int, $after: String) {"
    " courses(first: $first, after: $after, orderBy: {field: FEE}) {"
    " edges { cursor node { title } } pageInfo { endCursor } } }",
]
GENERAL = [
    "{ courses(first: 2) { totalCount edges { node { title } } } }",
    '{ courses(filter: {search: "machine"}) { edges { node { title } } } }',
    "{ courses { edges { node { t: title } } } }",
    "{ courses { edges { node { title equivalents { title } } } } }",
    "{ courses { edges { node { ...F } } } } fragment F on Course { title }",
    "query($n: Int) { courses { edges { node { title } } } }",
    "{ courses { edges { node { provider { name } provider { slug } } } } }",
]


async def _both(
    client: httpx.AsyncClient,
    query: str,
    variables: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[httpx.Response, httpx.Response]:
    """The fast path's response (checked to come from it) and the general
    path's for the same request."""
    from app.graphql import view

    answered = []

    async def recording(*args, **kwargs):  # noqa: ANN002, ANN003
        data = await fastpath.answer(*args, **kwargs)
        answered.append(data is not None)
        return data

    async def general(*args, **kwargs):  # noqa: ANN002, ANN003
        return None

    body = {"query": query, "variables": variables}
    with monkeypatch.context() as m:
        m.setattr(view, "fast_page", recording)
        fast = await client.post("/graphql", json=body)
    assert answered == [True]
    with monkeypatch.context() as m:
        m.setattr(view, "fast_page", general)
        # another document text: the response cache must not answer it
        slow = await client.post("/graphql", json={**body, "query": query + " "})
    return fast, slow


@pytest.mark.parametrize("query", FAST)
@pytest.mark.asyncio
async def test_fast_shapes_answer_like_the_general_path(
    client: httpx.AsyncClient, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cat = await build_catalogue()
    await make_offering(
        cat.courses["dl"],
        "dl-1",
        date(2030, 3, 1),
        fee_minor=0,
        currency="INR",
        mode="online",
        has_exam=True,
    )
    variables: dict = {"first": 2} if "$first" in query else {}
    fast, slow = await _both(client, query, variables, monkeypatch)
    assert fast.status_code == slow.status_code == 200
    assert "errors" not in fast.json(), fast.json()
    assert fast.content == slow.content
    # and the next page, from the fast path's own cursor
    end = fast.json()["data"]
    if "endCursor" in query and "$after" in query:
        after = end["courses"]["pageInfo"]["endCursor"]
        fast, slow = await _both(
            client, query, {"first": 2, "after": after}, monkeypatch
        )
        assert fast.content == slow.content and fast.json()["data"]["courses"]["edges"]


@pytest.mark.parametrize("query", GENERAL)
def test_other_shapes_take_the_general_path(query: str) -> None:
    from app.graphql.schema import get_schema

    assert fastpath.plan_for(get_schema()._schema, query, None, 5000) is None


@pytest.mark.asyncio
async def test_bad_arguments_get_the_general_paths_errors(
    client: httpx.AsyncClient,
) -> None:
    await build_catalogue()
    for query, variables in (
        ("query($n: Int) { courses(first: $n) { edges { cursor } } }", {"n": 1000}),
        ('{ courses(after: "nonsense!") { edges { cursor } } }', {}),
        ("{ courses(orderBy: {field: RELEVANCE}) { edges { cursor } } }", {}),
    ):
        body = (
            await client.post("/graphql", json={"query": query, "variables": variables})
        ).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
