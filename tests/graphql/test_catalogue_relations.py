"""A course's relations, pathways, programmes and institutions, node(id) for
every type, and the statement count of a page."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from app.db.models.catalogue import EquivalenceGroup
from app.db.models.pathways import Pathway, PathwayCourse
from tests.conftest import SqlCounter, graphql
from tests.factories import make_course, make_offering, make_provider
from tests.graphql.catalogue_data import build_catalogue, gid, query_statements

COURSE = """
query($id: ID!) {
  course(id: $id) {
    title credits creditSource creditUnit
    equivalents { title provider { slug } }
    pathways { slug title }
  }
}
"""


@pytest.mark.asyncio
async def test_course_equivalents_pathways_and_credit_source(
    client: httpx.AsyncClient,
) -> None:
    cat = await build_catalogue()
    ml = cat.courses["ml"]
    ml.credit_source, ml.credit_unit = "derived", "ncrf"
    await ml.save()
    body = await graphql(client, COURSE, {"id": gid("Course", ml.pk)})
    assert "errors" not in body, body
    course = body["data"]["course"]
    assert course["creditSource"] == "DERIVED" and course["creditUnit"] == "ncrf"
    assert course["equivalents"] == [
        {"title": "Machine Learning (SWAYAM)", "provider": {"slug": "cec"}}
    ]
    assert course["pathways"] == [
        {"slug": "nptel-ai", "title": "AI Domain Certificate"}
    ]
    lone = await graphql(client, COURSE, {"id": gid("Course", cat.courses["cook"].pk)})
    assert lone["data"]["course"]["equivalents"] == []
    assert lone["data"]["course"]["pathways"] == []


TREE = """
fragment Node on RequirementNode { type n ref where { levelMin } course { title } }
query {
  pathways(first: 5) {
    edges { node {
      id title totalCredits totalHours provider { slug }
      courses { ref required course { title } }
      requirement { ...Node children { ...Node children { ...Node } } }
    } }
  }
}
"""


@pytest.mark.asyncio
async def test_pathway_courses_tree_and_totals(client: httpx.AsyncClient) -> None:
    await build_catalogue()
    body = await graphql(client, TREE)
    assert "errors" not in body, body
    pathway = body["data"]["pathways"]["edges"][0]["node"]
    assert pathway["provider"] == {"slug": "nptel"}
    assert pathway["totalCredits"] == 7.0  # ml 3 + dl 4; "missing" is optional
    assert pathway["totalHours"] == 210.0
    assert pathway["courses"] == [
        {"ref": "ml", "required": True, "course": {"title": "Machine Learning"}},
        {"ref": "dl", "required": True, "course": {"title": "Deep Learning"}},
        {"ref": "missing", "required": False, "course": None},
    ]
    tree = pathway["requirement"]
    assert tree["type"] == "ALL_OF"
    course, n_of, min_credits = tree["children"]
    assert course["course"] == {"title": "Machine Learning"}
    assert n_of["type"] == "N_OF" and n_of["n"] == 1
    assert [c["ref"] for c in n_of["children"]] == ["dl", "missing"]
    assert n_of["children"][1]["course"] is None
    assert min_credits == {
        "type": "MIN_CREDITS",
        "n": 6.0,
        "ref": None,
        "where": {"levelMin": 5.0},
        "course": None,
        "children": [],
    }


@pytest.mark.asyncio
async def test_programmes_institutions_and_provider_kinds(
    client: httpx.AsyncClient,
) -> None:
    cat = await build_catalogue()
    body = await graphql(
        client,
        "query($inst: ID) { programmes(institution: $inst) { edges { node {"
        " name awardKind institution { name aisheCode programmes { name } }"
        " requirement { type n rule } } } }"
        " institutions { edges { node { slug } } }"
        " providers(kinds: [PLATFORM]) { edges { node { slug kind } } } }",
        {"inst": gid("Institution", cat.institution.pk)},
    )
    assert "errors" not in body, body
    programme = body["data"]["programmes"]["edges"][0]["node"]
    assert programme["institution"] == {
        "name": "University of Delhi",
        "aisheCode": "U-0001",
        "programmes": [{"name": "UG Certificate"}],
    }
    assert programme["requirement"] == {
        "type": "MIN_CREDITS",
        "n": 40.0,
        "rule": "R-UGC-CERT",
    }
    assert body["data"]["institutions"]["edges"] == [{"node": {"slug": "du"}}]
    assert body["data"]["providers"]["edges"] == [
        {"node": {"slug": "edx", "kind": "PLATFORM"}}
    ]


@pytest.mark.asyncio
async def test_node_resolves_every_type(client: httpx.AsyncClient) -> None:
    cat = await build_catalogue()
    offering = await make_offering(cat.courses["dl"], "dl-1", date(2030, 3, 1))
    ids = {
        "Course": (gid("Course", cat.courses["ml"].pk), "title", "Machine Learning"),
        "Provider": (gid("Provider", cat.providers["edx"].pk), "slug", "edx"),
        "Offering": (gid("Offering", offering.pk), "externalId", "dl-1"),
        "Pathway": (gid("Pathway", cat.pathway.pk), "slug", "nptel-ai"),
        "Institution": (gid("Institution", cat.institution.pk), "slug", "du"),
        "Programme": (gid("Programme", cat.programme.pk), "name", "UG Certificate"),
    }
    for type_name, (node_id, field, value) in ids.items():
        fragment = f"... on {type_name} {{ {field} }}"
        query = f"query($id: ID!) {{ node(id: $id) {{ {fragment} }} }}"
        body = await graphql(client, query, {"id": node_id})
        assert body.get("data", {}).get("node") == {field: value}, (type_name, body)
    missing = await graphql(
        client, "query($id: ID!) { node(id: $id) { id } }", {"id": gid("Pathway", 999)}
    )
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


PAGE = """
query($first: Int) {
  courses(first: $first) {
    edges { node {
      title provider { name }
      offerings { externalId start }
      equivalents { title }
      pathways { title }
    } }
  }
}
"""


@pytest.mark.asyncio
async def test_statement_count_is_constant_in_first(
    client: httpx.AsyncClient, sql_counter: SqlCounter
) -> None:
    providers = [await make_provider(f"p{i}") for i in range(4)]
    pathway = await Pathway.create(external_id="pw", slug="pw", title="PW")
    for i in range(60):
        group = await EquivalenceGroup.create(key=f"g{i % 30}") if i < 30 else None
        course = await make_course(
            providers[i % 4], f"c{i}", f"Course {i:03d}", equivalence_group=group
        )
        await make_offering(course, f"c{i}-a", date(2030, 1, 1))
        await PathwayCourse.create(pathway=pathway, course=course, course_ref=f"c{i}")
    counts = []
    for first in (5, 50):
        sql_counter.reset()
        body = await graphql(client, PAGE, {"first": first})
        assert len(body["data"]["courses"]["edges"]) == first
        counts.append(len(query_statements(sql_counter.statements)))
    assert counts[0] == counts[1], sql_counter.statements
    # the page, providers, offerings, equivalence groups, pathways
    assert counts[1] <= 5, sql_counter.statements


@pytest.mark.asyncio
async def test_prefetched_page_equals_the_lazy_one(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relations loaded ahead for the page (prefetch.py) answer exactly what
    loading them field by field answers, fragments included."""
    from app.graphql.catalogue import queries

    await build_catalogue()
    query = (
        "fragment P on Course { provider { slug name } }"
        " { courses(first: 50) { edges { node { title ...P"
        " ... on Course { offerings { externalId start } }"
        " equivalents { title } } } } }"
    )
    prefetched = await graphql(client, query)
    assert "errors" not in prefetched
    assert any(e["node"]["offerings"] for e in prefetched["data"]["courses"]["edges"])

    async def no_prefetch(info, rows) -> None:  # noqa: ANN001
        return None

    monkeypatch.setattr(queries, "_prefetch_course_relations", no_prefetch)
    lazy = await graphql(client, query + " ")  # another document: not cached
    assert lazy == prefetched
