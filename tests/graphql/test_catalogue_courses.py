"""courses(filter, orderBy, first, after) and its facets, on each backend."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import graphql
from tests.factories import make_course
from tests.graphql.catalogue_data import build_catalogue, gid

TITLES = """
query($filter: CourseFilter, $orderBy: CourseOrder, $first: Int, $after: String) {
  courses(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    edges { node { title } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}
"""


async def titles(client: httpx.AsyncClient, **variables) -> list[str]:
    body = await graphql(client, TITLES, variables)
    assert "errors" not in body, body
    return [e["node"]["title"] for e in body["data"]["courses"]["edges"]]


async def all_pages(client: httpx.AsyncClient, size: int, **variables) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        body = await graphql(
            client, TITLES, {**variables, "first": size, "after": after}
        )
        assert "errors" not in body, body
        page = body["data"]["courses"]
        seen += [e["node"]["title"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        (
            {"search": "machine"},
            {
                "Machine Learning",
                "Machine Learning (SWAYAM)",
                "Statistics for Machine Learners",
                "Deep Learning",
                "Cooking Science",
            },
        ),
        (
            {"search": "learn machine"},
            {
                "Machine Learning",
                "Machine Learning (SWAYAM)",
                "Statistics for Machine Learners",
                "Deep Learning",
                "Cooking Science",
            },
        ),
        ({"search": "prose"}, {"Hindi Sahitya"}),
        ({"search": "zzz"}, set()),
        (
            {"providers": ["edx"]},
            {"Statistics for Machine Learners", "Cooking Science"},
        ),
        ({"coordinators": ["CEC"]}, {"Hindi Sahitya"}),
        (
            {"credits": {"min": 3}},
            {"Machine Learning", "Deep Learning", "Machine Learning (SWAYAM)"},
        ),
        ({"credits": {"max": 2}}, {"Statistics for Machine Learners"}),
        (
            {"ncrfLevel": {"min": 4, "max": 5}},
            {"Hindi Sahitya", "Statistics for Machine Learners"},
        ),
        ({"languages": ["hi"]}, {"Hindi Sahitya"}),
        ({"modes": ["BLENDED", "IN_PERSON"]}, {"Hindi Sahitya", "Cooking Science"}),
        (
            {"maxFee": {"amountMinor": 60000, "currency": "inr"}},
            {"Deep Learning", "Cooking Science"},
        ),
        (
            {"maxFee": {"amountMinor": 10000, "currency": "USD"}},
            {"Deep Learning", "Statistics for Machine Learners"},
        ),
        ({"freeOnly": True}, {"Deep Learning"}),
        (
            {"notionalHours": {"min": 60, "max": 90}},
            {
                "Machine Learning",
                "Machine Learning (SWAYAM)",
                "Statistics for Machine Learners",
            },
        ),
        ({"hoursPerWeek": {"max": 3}}, {"Hindi Sahitya", "Cooking Science"}),
        (
            {"recognisedOnly": True, "providers": ["nptel", "cec", "edx"]},
            {
                "Machine Learning",
                "Deep Learning",
                "Hindi Sahitya",
                "Machine Learning (SWAYAM)",
            },
        ),
        ({"withCertificate": False}, {"Hindi Sahitya"}),
        (
            {"startsAfter": "2030-01-15", "startsBefore": "2030-12-31"},
            {"Machine Learning", "Deep Learning", "Machine Learning (SWAYAM)"},
        ),
        ({"hasExam": False}, {"Hindi Sahitya", "Statistics for Machine Learners"}),
        ({"includeWithdrawn": True, "search": "old"}, {"Old Machine Course"}),
        ({"search": "old"}, set()),
        (
            {"search": "machine", "providers": ["nptel"], "credits": {"min": 4}},
            {"Deep Learning"},
        ),
    ],
)
@pytest.mark.asyncio
async def test_filters(client: httpx.AsyncClient, filter: dict, expected: set) -> None:
    await build_catalogue()
    assert set(await titles(client, filter=filter, first=100)) == expected


@pytest.mark.asyncio
async def test_pathway_filter(client: httpx.AsyncClient) -> None:
    cat = await build_catalogue()
    found = await titles(client, filter={"pathway": gid("Pathway", cat.pathway.pk)})
    assert set(found) == {"Machine Learning", "Deep Learning"}


@pytest.mark.asyncio
async def test_relevance_ranks_title_matches_first(client: httpx.AsyncClient) -> None:
    await build_catalogue()
    found = await titles(client, filter={"search": "machine learning"})
    # both title matches (shorter first), then the subject match, then the
    # description match
    assert found[:2] == ["Machine Learning", "Machine Learning (SWAYAM)"]
    assert found[-1] == "Cooking Science"


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (
            {"field": "TITLE"},
            [
                "Cooking Science",
                "Deep Learning",
                "Hindi Sahitya",
                "Machine Learning",
                "Machine Learning (SWAYAM)",
                "Statistics for Machine Learners",
            ],
        ),
        (
            {"field": "CREDITS", "direction": "DESC"},
            [
                "Deep Learning",
                "Machine Learning",
                "Machine Learning (SWAYAM)",
                "Statistics for Machine Learners",
                "Hindi Sahitya",
                "Cooking Science",
            ],
        ),
        (
            {"field": "CREDITS"},
            [
                "Statistics for Machine Learners",
                "Machine Learning",
                "Machine Learning (SWAYAM)",
                "Deep Learning",
                "Hindi Sahitya",
                "Cooking Science",
            ],
        ),
        (
            {"field": "START_DATE"},
            [
                "Statistics for Machine Learners",
                "Machine Learning",
                "Machine Learning (SWAYAM)",
                "Deep Learning",
                "Cooking Science",
                "Hindi Sahitya",
            ],
        ),
        (
            {"field": "START_DATE", "direction": "DESC"},
            [
                "Cooking Science",
                "Deep Learning",
                "Machine Learning",
                "Machine Learning (SWAYAM)",
                "Statistics for Machine Learners",
                "Hindi Sahitya",
            ],
        ),
        (
            {"field": "HOURS"},
            [
                "Cooking Science",
                "Statistics for Machine Learners",
                "Machine Learning",
                "Machine Learning (SWAYAM)",
                "Deep Learning",
                "Hindi Sahitya",
            ],
        ),
        (
            {"field": "FEE"},
            [
                "Deep Learning",
                "Statistics for Machine Learners",
                "Cooking Science",
                "Machine Learning",
                "Machine Learning (SWAYAM)",
                "Hindi Sahitya",
            ],
        ),
    ],
)
@pytest.mark.parametrize("size", [1, 2, 4])
@pytest.mark.asyncio
async def test_orders_page_through_nulls(
    client: httpx.AsyncClient, order: dict, expected: list[str], size: int
) -> None:
    """Courses without a value come last in either direction, and paging
    across them (cursors carrying the sentinel) neither skips nor repeats."""
    await build_catalogue()
    assert await all_pages(client, size, orderBy=order) == expected


@pytest.mark.asyncio
async def test_relevance_cursor_stable_under_inserts(client: httpx.AsyncClient) -> None:
    cat = await build_catalogue()
    search = {"search": "machine"}
    body = await graphql(client, TITLES, {"filter": search, "first": 2})
    first = [e["node"]["title"] for e in body["data"]["courses"]["edges"]]
    after = body["data"]["courses"]["pageInfo"]["endCursor"]
    # rows before and after the cursor, matching and not
    edx = cat.providers["edx"]
    await make_course(edx, "n1", "Machine", subjects=[])
    await make_course(edx, "n2", "Unrelated", subjects=[])
    await make_course(edx, "n3", "Quantum Things", description="a machine")
    rest = await titles(client, filter=search, first=100, after=after)
    assert first == ["Machine Learning", "Machine Learning (SWAYAM)"]
    assert rest == [
        "Statistics for Machine Learners",
        "Deep Learning",
        "Quantum Things",
        "Cooking Science",
    ]


@pytest.mark.asyncio
async def test_cursor_of_another_order_is_refused(client: httpx.AsyncClient) -> None:
    await build_catalogue()
    body = await graphql(client, TITLES, {"first": 1})
    after = body["data"]["courses"]["pageInfo"]["endCursor"]
    body = await graphql(
        client, TITLES, {"first": 1, "after": after, "orderBy": {"field": "CREDITS"}}
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "variables",
    [
        {"orderBy": {"field": "RELEVANCE"}},
        {"filter": {"search": "!!!"}},
        {"filter": {"credits": {"min": 5, "max": 1}}},
        {"filter": {"pathway": gid("Course", 1)}},
    ],
)
@pytest.mark.asyncio
async def test_bad_filters_are_user_errors(
    client: httpx.AsyncClient, variables: dict
) -> None:
    await build_catalogue()
    body = await graphql(client, TITLES, variables)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


FACETS = """
query($filter: CourseFilter) {
  courses(filter: $filter, first: 1) {
    totalCount
    facets {
      providers { value label count }
      levels { value count }
      modes { value count }
      languages { value count }
      creditBands { value count }
    }
  }
}
"""


@pytest.mark.asyncio
async def test_facets_count_the_whole_filter(client: httpx.AsyncClient) -> None:
    await build_catalogue()
    body = await graphql(client, FACETS, {"filter": {"search": "machine"}})
    assert "errors" not in body, body
    courses = body["data"]["courses"]
    assert courses["totalCount"] == 5
    facets = courses["facets"]
    assert facets["providers"] == [
        {"value": "edx", "label": "edX", "count": 2},
        {"value": "nptel", "label": "NPTEL", "count": 2},
        {"value": "cec", "label": "CEC", "count": 1},
    ]
    assert {f["value"]: f["count"] for f in facets["levels"]} == {
        "5.5": 2,
        "6": 1,
        "5": 1,
        "unknown": 1,
    }
    assert {f["value"]: f["count"] for f in facets["modes"]} == {
        "online": 4,
        "in_person": 1,
    }
    assert facets["languages"] == [{"value": "en", "count": 5}]
    assert facets["creditBands"] == [
        {"value": "2-4", "count": 3},
        {"value": "4-6", "count": 1},
        {"value": "unknown", "count": 1},
    ]


@pytest.mark.parametrize("words", ["हिन्दी", "साहित्य इतिहा", "HINDI"])
@pytest.mark.asyncio
async def test_search_in_devanagari_and_any_case(
    client: httpx.AsyncClient, words: str
) -> None:
    cat = await build_catalogue()
    await make_course(
        cat.providers["cec"],
        "hi-2",
        "हिन्दी साहित्य का इतिहास",
        subjects=["Hindi"],
        language="hi",
    )
    found = await titles(client, filter={"search": words})
    assert "हिन्दी साहित्य का इतिहास" in found
    # a vowel sign is part of the word, not a break inside it
    assert "Machine Learning" not in found
