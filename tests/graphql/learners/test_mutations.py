"""Registering learners, adding credentials and redeeming credits."""

from __future__ import annotations

import asyncio
import base64
from datetime import date, timedelta

import httpx
import pytest

from app.db.models.catalogue import Programme
from app.db.models.learners import Award, Credential, Learner, LedgerEntry
from tests.factories import make_course
from tests.graphql.learners.conftest import (
    APAAR,
    OTHER_APAAR,
    World,
    codes,
    gql,
    make_credential,
)

REGISTER = """
mutation R($input: RegisterLearnerInput!) {
  registerLearner(input: $input) {
    learner { apaarId name homeInstitution { slug } }
    userErrors { field code message }
  }
}"""

ADD = """
mutation A($apaar: String!, $input: AddCredentialInput!) {
  addCredential(apaarId: $apaar, input: $input) {
    credential { id title credits course { title } }
    userErrors { field code message }
  }
}"""

REDEEM = """
mutation D($apaar: String!, $award: AwardTarget!) {
  redeemCredits(apaarId: $apaar, award: $award) {
    award { awardCode title policyName policyVersion }
    eligibility { eligible missing { rule short } }
    userErrors { field code message }
  }
}"""


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


@pytest.mark.asyncio
async def test_register_learner(client: httpx.AsyncClient, world: World) -> None:
    body = await gql(
        client,
        REGISTER,
        {"input": {"apaarId": "555555555555", "name": "Mira"}},
        as_=("institution_admin", "home-u"),
    )
    payload = body["data"]["registerLearner"]
    assert payload["userErrors"] == []
    # an institution admin's learners belong to its institution
    assert payload["learner"]["homeInstitution"]["slug"] == "home-u"
    again = await gql(
        client,
        REGISTER,
        {"input": {"apaarId": "555555555555"}},
        as_=("platform_admin", "ops"),
    )
    assert again["data"]["registerLearner"]["userErrors"][0]["field"] == "apaarId"


@pytest.mark.asyncio
async def test_register_refuses_a_malformed_apaar_id(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await gql(
        client, REGISTER, {"input": {"apaarId": "12345"}}, as_=("platform_admin", "ops")
    )
    payload = body["data"]["registerLearner"]
    assert payload["learner"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        ("apaarId", "BAD_USER_INPUT")
    ]
    assert await Learner.filter(apaar_id="12345").count() == 0


@pytest.mark.asyncio
async def test_register_authz_failures_are_top_level(
    client: httpx.AsyncClient, world: World
) -> None:
    anon = await gql(client, REGISTER, {"input": {"apaarId": "555555555555"}})
    assert codes(anon) == ["UNAUTHENTICATED"]
    learner = await gql(
        client,
        REGISTER,
        {"input": {"apaarId": "555555555555"}},
        as_=("learner", APAAR),
    )
    assert codes(learner) == ["FORBIDDEN"]
    wrong_home = await gql(
        client,
        REGISTER,
        {"input": {"apaarId": "555555555555", "homeInstitution": "away-u"}},
        as_=("institution_admin", "home-u"),
    )
    assert codes(wrong_home) == ["FORBIDDEN"]


@pytest.mark.asyncio
async def test_add_credential_validates_input(
    client: httpx.AsyncClient, world: World
) -> None:
    future = (date.today() + timedelta(days=3)).isoformat()
    body = await gql(
        client,
        ADD,
        {
            "apaar": APAAR,
            "input": {
                "title": "X",
                "earnedOn": future,
                "credits": -1,
                "course": gid("Course", 99999),
            },
        },
        as_=("learner", APAAR),
    )
    payload = body["data"]["addCredential"]
    assert payload["credential"] is None
    assert sorted((e["field"], e["code"]) for e in payload["userErrors"]) == [
        ("course", "BAD_USER_INPUT"),
        ("credits", "BAD_USER_INPUT"),
        ("earnedOn", "BAD_USER_INPUT"),
    ]
    assert await Credential.all().count() == 0


@pytest.mark.asyncio
async def test_add_credential_for_a_course_deposits_its_credits(
    client: httpx.AsyncClient, world: World
) -> None:
    course = await make_course(world.provider, "noc24-cs01", "Algorithms", credits=3)
    body = await gql(
        client,
        ADD,
        {
            "apaar": APAAR,
            "input": {
                "title": "Algorithms",
                "earnedOn": "2024-04-30",
                "course": gid("Course", course.id),
            },
        },
        as_=("institution_admin", "home-u"),
    )
    payload = body["data"]["addCredential"]
    assert payload["userErrors"] == [], payload
    assert payload["credential"]["credits"] == 3
    assert payload["credential"]["course"]["title"] == "Algorithms"
    deposits = await LedgerEntry.filter(learner=world.learner, kind="deposit")
    assert [float(d.credits) for d in deposits] == [3.0]


@pytest.mark.asyncio
async def test_add_credential_to_someone_elses_record_is_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await gql(
        client,
        ADD,
        {"apaar": OTHER_APAAR, "input": {"title": "X", "earnedOn": "2024-01-01"}},
        as_=("learner", APAAR),
    )
    assert codes(body) == ["NOT_FOUND"]
    assert await Credential.all().count() == 0


async def _programme(world: World, credits: float) -> Programme:
    return await Programme.create(
        institution=world.home,
        external_id="cert-ds",
        name="Certificate in DS",
        requirement={"type": "min_credits", "n": credits, "rule": "PROG-MIN"},
    )


@pytest.mark.asyncio
async def test_redeem_then_a_second_redemption_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    for _ in range(2):
        await make_credential(world.learner, credits=4)
    await make_credential(world.learner, credits=3, deposit=False)  # never deposited
    programme = await _programme(world, 8)
    variables = {"apaar": APAAR, "award": {"programme": gid("Programme", programme.id)}}
    first = await gql(client, REDEEM, variables, as_=("learner", APAAR))
    payload = first["data"]["redeemCredits"]
    assert payload["userErrors"] == [], payload
    assert payload["award"]["policyName"] == "ugc-2023"
    assert payload["award"]["policyVersion"]
    assert await LedgerEntry.filter(kind="debit").count() == 2
    second = await gql(client, REDEEM, variables, as_=("learner", APAAR))
    refused = second["data"]["redeemCredits"]
    assert refused["award"] is None
    assert refused["eligibility"]["eligible"] is False
    assert (
        refused["userErrors"] and refused["userErrors"][0]["code"] == "BAD_USER_INPUT"
    )
    assert "PROG-MIN" in refused["userErrors"][0]["message"]
    assert await Award.all().count() == 1
    balance = await gql(
        client,
        "{ me { creditBalance { available redeemed } awards { title } } }",
        as_=("learner", APAAR),
    )
    me = balance["data"]["me"]
    assert me["creditBalance"] == {"available": 0, "redeemed": 8}
    assert [a["title"] for a in me["awards"]] == ["Certificate in DS"]


@pytest.mark.asyncio
async def test_two_concurrent_redemptions_debit_once(
    client: httpx.AsyncClient, world: World
) -> None:
    for _ in range(2):
        await make_credential(world.learner, credits=4)
    programme = await _programme(world, 8)
    variables = {"apaar": APAAR, "award": {"programme": gid("Programme", programme.id)}}
    results = await asyncio.gather(
        gql(client, REDEEM, variables, as_=("learner", APAAR)),
        gql(client, REDEEM, variables, as_=("platform_admin", "ops")),
    )
    awards = [r["data"]["redeemCredits"]["award"] for r in results]
    assert sum(a is not None for a in awards) == 1, results
    assert await Award.all().count() == 1
    assert await LedgerEntry.filter(kind="debit").count() == 2


@pytest.mark.asyncio
async def test_redeem_when_not_eligible_gives_the_reasons(
    client: httpx.AsyncClient, world: World
) -> None:
    await make_credential(world.learner, credits=4)
    variables = {"apaar": APAAR, "award": {"builtin": "ug_certificate"}}
    body = await gql(client, REDEEM, variables, as_=("learner", APAAR))
    payload = body["data"]["redeemCredits"]
    assert payload["award"] is None
    assert any("R-CERT" in e["message"] for e in payload["userErrors"]), payload
    assert await LedgerEntry.filter(kind="debit").count() == 0
