"""Pathways and programmes: created, updated, trees validated with paths."""

from __future__ import annotations

import httpx
import pytest

from app.db.models.catalogue import Programme
from app.db.models.pathways import Pathway, PathwayCourse
from app.db.models.sync import CatalogueGeneration
from tests.factories import make_course
from tests.graphql.learners.conftest import World, codes, gql

CREATE_PATHWAY = """
mutation($input: CreatePathwayInput!) {
  createPathway(input: $input) {
    pathway { id slug title requirement { type } courses { ref course { title } } }
    userErrors { field code message }
  }
}"""

CREATE_PROGRAMME = """
mutation($input: CreateProgrammeInput!) {
  createProgramme(input: $input) {
    programme { id name policyName institution { slug } }
    userErrors { field code message }
  }
}"""

UPDATE_PROGRAMME = """
mutation($id: ID!, $input: UpdateProgrammeInput!) {
  updateProgramme(id: $id, input: $input) {
    programme { name } userErrors { field code message }
  }
}"""

TREE = {
    "type": "all_of",
    "children": [
        {"type": "course", "ref": "noc-ml"},
        {"type": "min_credits", "n": 6},
    ],
}


@pytest.mark.asyncio
async def test_create_pathway_links_its_courses(
    client: httpx.AsyncClient, world: World
) -> None:
    await make_course(world.provider, "noc-ml", "Machine Learning")
    body = await gql(
        client,
        CREATE_PATHWAY,
        {
            "input": {
                "slug": "ml-cert",
                "title": "ML",
                "requirement": TREE,
                "provider": "nptel",
            }
        },
        as_=("platform_admin", "ops"),
    )
    payload = body["data"]["createPathway"]
    assert payload["userErrors"] == [], body
    assert payload["pathway"]["slug"] == "ml-cert"
    assert payload["pathway"]["courses"][0]["course"]["title"] == "Machine Learning"
    assert await PathwayCourse.all().count() == 1


@pytest.mark.asyncio
async def test_catalogue_mutations_invalidate_every_workers_cache(
    client: httpx.AsyncClient, world: World
) -> None:
    async def generation() -> int:
        row = await CatalogueGeneration.get_or_none(id=1)
        return row.generation if row else 0

    before = await generation()
    body = await gql(
        client,
        CREATE_PATHWAY,
        {"input": {"slug": "gen", "title": "G", "requirement": TREE}},
        as_=("platform_admin", "ops"),
    )
    assert body["data"]["createPathway"]["userErrors"] == [], body
    # the shared counter other API workers check before serving a cached answer
    assert await generation() == before + 1


@pytest.mark.asyncio
async def test_bad_tree_names_the_path_of_the_bad_node(
    client: httpx.AsyncClient, world: World
) -> None:
    bad = {
        "type": "all_of",
        "children": [
            {"type": "min_credits", "n": 6},
            {"type": "n_of", "n": 3, "children": [{"type": "course", "ref": "a"}]},
        ],
    }
    body = await gql(
        client,
        CREATE_PATHWAY,
        {"input": {"slug": "bad", "title": "Bad", "requirement": bad}},
        as_=("platform_admin", "ops"),
    )
    payload = body["data"]["createPathway"]
    assert payload["pathway"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        ("requirement.children[1].n", "BAD_USER_INPUT")
    ]
    assert await Pathway.all().count() == 0


@pytest.mark.asyncio
async def test_only_platform_admins_create_pathways(
    client: httpx.AsyncClient, world: World
) -> None:
    variables = {"input": {"slug": "x", "title": "X", "requirement": TREE}}
    assert codes(await gql(client, CREATE_PATHWAY, variables)) == ["UNAUTHENTICATED"]
    for role in ("learner", "institution_admin", "connector"):
        body = await gql(client, CREATE_PATHWAY, variables, as_=(role, "home-u"))
        assert codes(body) == ["FORBIDDEN"], role


@pytest.mark.asyncio
async def test_institution_admin_manages_its_own_programmes(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await gql(
        client,
        CREATE_PROGRAMME,
        {
            "input": {
                "externalId": "bsc-ds",
                "name": "B.Sc. DS",
                "requirement": TREE,
                "policyOverrides": {"R-DEG3": {"credits": 132}},
            }
        },
        as_=("institution_admin", "home-u"),
    )
    payload = body["data"]["createProgramme"]
    assert payload["userErrors"] == [], body
    assert payload["programme"]["institution"]["slug"] == "home-u"
    pid = payload["programme"]["id"]
    renamed = await gql(
        client,
        UPDATE_PROGRAMME,
        {"id": pid, "input": {"name": "B.Sc. Data Science"}},
        as_=("institution_admin", "home-u"),
    )
    assert (
        renamed["data"]["updateProgramme"]["programme"]["name"] == "B.Sc. Data Science"
    )
    other = await gql(
        client,
        UPDATE_PROGRAMME,
        {"id": pid, "input": {"name": "Hijacked"}},
        as_=("institution_admin", "away-u"),
    )
    assert codes(other) == ["FORBIDDEN"]
    assert (await Programme.get()).name == "B.Sc. Data Science"


@pytest.mark.asyncio
async def test_programme_policy_and_tree_are_validated(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await gql(
        client,
        CREATE_PROGRAMME,
        {
            "input": {
                "externalId": "p",
                "name": "P",
                "institution": "home-u",
                "requirement": {"type": "min_credits"},
                "policyOverrides": {"R-NOPE": {"x": 1}},
            }
        },
        as_=("platform_admin", "ops"),
    )
    fields = sorted(e["field"] for e in body["data"]["createProgramme"]["userErrors"])
    assert fields == ["policyOverrides.R-NOPE", "requirement.n"]
