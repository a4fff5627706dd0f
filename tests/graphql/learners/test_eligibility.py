"""Eligibility, pathway progress and gap plans through the credit engine."""

from __future__ import annotations

import base64
from datetime import date

import httpx
import pytest

from app.db.models.catalogue import Programme
from app.db.models.pathways import Pathway
from tests.factories import make_course, make_offering
from tests.graphql.learners.conftest import APAAR, World, codes, gql, make_credential


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


ELIGIBILITY = """
query($award: AwardTarget!) {
  me { eligibility(award: $award, asOf: "2025-01-01") {
    award eligible policy { name version } totalCredits used
    missing { rule what short }
    checks { rule type required actual met children {
      rule type required actual met used excluded { credential reason rule } } }
  } }
}"""


@pytest.mark.asyncio
async def test_eligibility_is_a_typed_tree(
    client: httpx.AsyncClient, world: World
) -> None:
    counted = await make_credential(
        world.learner, credits=4, earned_on=date(2024, 1, 2)
    )
    await make_credential(world.learner, credits=4, earned_on=date(2024, 1, 3))
    programme = await Programme.create(
        institution=world.home,
        external_id="p",
        name="P",
        requirement={
            "type": "all_of",
            "rule": "PROG",
            "children": [
                {"type": "min_credits", "n": 6, "rule": "PROG-MIN"},
                {
                    "type": "min_credits",
                    "n": 4,
                    "rule": "PROG-MINOR",
                    "where": {"category": "minor"},
                },
            ],
        },
    )
    body = await gql(
        client,
        ELIGIBILITY,
        {"award": {"programme": gid("Programme", programme.id)}},
        as_=("learner", APAAR),
    )
    assert "errors" not in body, body
    result = body["data"]["me"]["eligibility"]
    assert result["eligible"] is False
    assert result["policy"]["name"] == "ugc-2023"
    rules = {c["rule"]: c for c in result["checks"]["children"]}
    assert rules["PROG-MIN"]["met"] is True
    assert rules["PROG-MINOR"] == {**rules["PROG-MINOR"], "met": False, "actual": 0}
    assert gid("Credential", counted.id) in result["used"]
    assert [m["rule"] for m in result["missing"]] == ["PROG-MINOR"]


@pytest.mark.asyncio
async def test_builtin_award_explains_the_certificate_rule(
    client: httpx.AsyncClient, world: World
) -> None:
    await make_credential(world.learner, credits=40, earned_on=date(2024, 1, 2))
    body = await gql(
        client,
        ELIGIBILITY,
        {"award": {"builtin": "ug_certificate"}},
        as_=("learner", APAAR),
    )
    result = body["data"]["me"]["eligibility"]
    assert result["award"] == "ug_certificate"
    assert result["eligible"] is False  # the 4 vocational credits are missing
    assert any(m["rule"] == "R-CERT" for m in result["missing"]), result["missing"]


@pytest.mark.asyncio
async def test_unknown_award_and_policy_are_bad_input(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await gql(
        client, ELIGIBILITY, {"award": {"builtin": "phd"}}, as_=("learner", APAAR)
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    missing = await gql(
        client,
        ELIGIBILITY,
        {"award": {"programme": gid("Programme", 999)}},
        as_=("learner", APAAR),
    )
    assert codes(missing) == ["NOT_FOUND"]


@pytest.mark.asyncio
async def test_pathway_progress_counts_courses_done(
    client: httpx.AsyncClient, world: World
) -> None:
    done = await make_course(world.provider, "noc-a", "A")
    await make_course(world.provider, "noc-b", "B")
    await make_credential(world.learner, course=done, credits=3)
    pathway = await Pathway.create(
        slug="ab",
        external_id="ab",
        title="A and B",
        requirement={
            "type": "all_of",
            "children": [
                {"type": "course", "ref": "noc-a"},
                {"type": "course", "ref": "noc-b"},
            ],
        },
    )
    body = await gql(
        client,
        """query($p: ID!) { me { pathwayProgress(pathway: $p) {
             pathway { slug } complete coursesRequired coursesDone
             result { eligible } } } }""",
        {"p": gid("Pathway", pathway.id)},
        as_=("learner", APAAR),
    )
    assert "errors" not in body, body
    progress = body["data"]["me"]["pathwayProgress"]
    assert progress == {
        "pathway": {"slug": "ab"},
        "complete": False,
        "coursesRequired": 2,
        "coursesDone": 1,
        "result": {"eligible": False},
    }


@pytest.mark.asyncio
async def test_plan_picks_catalogue_courses_that_close_the_gap(
    client: httpx.AsyncClient, world: World
) -> None:
    await make_credential(world.learner, credits=4)
    cheap = await make_course(
        world.provider, "noc-cheap", "Cheap", credits=4, notional_hours=60, weeks=8
    )
    dear = await make_course(
        world.provider, "noc-dear", "Dear", credits=4, notional_hours=200, weeks=12
    )
    await make_offering(
        cheap, "cheap-1", date(2030, 1, 10), fee_minor=100000, currency="INR"
    )
    await make_offering(dear, "dear-1", date(2030, 1, 10), fee_minor=0)
    programme = await Programme.create(
        institution=world.home,
        external_id="p",
        name="P",
        requirement={"type": "min_credits", "n": 8, "rule": "PROG-MIN"},
    )
    query = """query($a: AwardTarget!, $m: PlanObjective!) { me {
        plan(award: $a, asOf: "2030-01-01", minimise: $m) {
          feasible courses { ref fee } totalHours totalFee weeks missing { rule short }
        } } }"""
    award = {"programme": gid("Programme", programme.id)}
    by_hours = await gql(
        client, query, {"a": award, "m": "HOURS"}, as_=("learner", APAAR)
    )
    assert "errors" not in by_hours, by_hours
    result = by_hours["data"]["me"]["plan"]
    assert result["feasible"] is True
    assert [c["ref"] for c in result["courses"]] == ["noc-cheap"]
    assert result["totalHours"] == 60 and result["totalFee"] == 1000
    assert result["missing"] == [{"rule": "PROG-MIN", "short": 4}]
    by_fee = await gql(client, query, {"a": award, "m": "FEE"}, as_=("learner", APAAR))
    assert [c["ref"] for c in by_fee["data"]["me"]["plan"]["courses"]] == ["noc-dear"]
