"""Reading a learner: who may, what they see, and what is logged."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from app.db.models.learners import AccessLog
from tests.graphql.learners.conftest import (
    APAAR,
    OTHER_APAAR,
    World,
    codes,
    gql,
    make_credential,
)

LEARNER = """
query L($apaar: String!) {
  learner(apaarId: $apaar) {
    apaarId name homeInstitution { slug }
    credentials(first: 10) { edges { node { title credits } } }
  }
}
"""


@pytest.mark.asyncio
async def test_me_is_the_callers_own_record(
    client: httpx.AsyncClient, world: World
) -> None:
    await make_credential(
        world.learner, title="Data Science", earned_on=date(2024, 5, 1)
    )
    body = await gql(
        client,
        "{ me { apaarId name credentials { edges { node { title } } } } }",
        as_=("learner", APAAR),
    )
    assert "errors" not in body, body
    assert body["data"]["me"]["name"] == "Asha"
    titles = [e["node"]["title"] for e in body["data"]["me"]["credentials"]["edges"]]
    assert titles == ["Data Science"]
    assert await AccessLog.all().count() == 0  # one's own reads are not logged


@pytest.mark.asyncio
async def test_without_a_token_is_unauthenticated(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await gql(client, LEARNER, {"apaar": APAAR})
    assert codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] is None
    bad = await gql(client, LEARNER, {"apaar": APAAR}, bearer="not.a.jwt")
    assert codes(bad) == ["UNAUTHENTICATED"]


@pytest.mark.asyncio
async def test_public_catalogue_answers_with_a_bad_token(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await gql(client, "{ providers { edges { node { slug } } } }", bearer="x")
    assert "errors" not in body


@pytest.mark.asyncio
async def test_another_learner_is_not_found_exactly_like_a_missing_one(
    client: httpx.AsyncClient, world: World
) -> None:
    other = await gql(client, LEARNER, {"apaar": OTHER_APAAR}, as_=("learner", APAAR))
    missing = await gql(
        client, LEARNER, {"apaar": "999999999999"}, as_=("learner", APAAR)
    )
    assert codes(other) == codes(missing) == ["NOT_FOUND"]
    assert other["errors"][0]["message"] == missing["errors"][0]["message"]
    assert other["data"] == missing["data"] is None


@pytest.mark.asyncio
async def test_institution_admin_reads_its_own_learners_and_is_logged(
    client: httpx.AsyncClient, world: World
) -> None:
    await make_credential(world.learner)
    body = await gql(
        client, LEARNER, {"apaar": APAAR}, as_=("institution_admin", "home-u")
    )
    assert "errors" not in body, body
    assert body["data"]["learner"]["homeInstitution"]["slug"] == "home-u"
    # by id as well as by slug
    by_id = await gql(
        client,
        LEARNER,
        {"apaar": APAAR},
        as_=("institution_admin", str(world.home.id)),
    )
    assert "errors" not in by_id
    away = await gql(
        client, LEARNER, {"apaar": APAAR}, as_=("institution_admin", "away-u")
    )
    assert codes(away) == ["NOT_FOUND"]
    log = await AccessLog.filter(learner=world.learner).order_by("id")
    assert [(e.actor_role, e.actor_subject) for e in log] == [
        ("institution_admin", "home-u"),
        ("institution_admin", str(world.home.id)),
    ]
    assert "credentials" in log[0].what


@pytest.mark.asyncio
async def test_learner_reads_their_access_log(
    client: httpx.AsyncClient, world: World
) -> None:
    await gql(client, LEARNER, {"apaar": APAAR}, as_=("platform_admin", "ops"))
    body = await gql(
        client,
        "{ me { accessLog { actorRole actorSubject what at } } }",
        as_=("learner", APAAR),
    )
    entries = body["data"]["me"]["accessLog"]
    assert [(e["actorRole"], e["actorSubject"]) for e in entries] == [
        ("platform_admin", "ops")
    ]
    assert entries[0]["what"].startswith("learner:")
    admin = await gql(
        client,
        "query($a: String!) { learner(apaarId: $a) { accessLog { what } } }",
        {"a": APAAR},
        as_=("institution_admin", "home-u"),
    )
    assert codes(admin) == ["FORBIDDEN"]


@pytest.mark.asyncio
async def test_connector_role_may_not_read_learners(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await gql(client, LEARNER, {"apaar": APAAR}, as_=("connector", "bot"))
    assert codes(body) == ["FORBIDDEN"]


@pytest.mark.asyncio
async def test_node_route_does_not_reach_another_learners_credential(
    client: httpx.AsyncClient, world: World
) -> None:
    theirs = await make_credential(world.other, title="Secret")
    mine = await make_credential(world.learner, title="Mine")
    import base64

    def gid(n: int) -> str:
        return base64.b64encode(f"Credential:{n}".encode()).decode()

    query = "query($id: ID!) { node(id: $id) { ... on Credential { title } } }"
    own = await gql(client, query, {"id": gid(mine.id)}, as_=("learner", APAAR))
    assert own["data"]["node"]["title"] == "Mine"
    other = await gql(client, query, {"id": gid(theirs.id)}, as_=("learner", APAAR))
    missing = await gql(client, query, {"id": gid(99999)}, as_=("learner", APAAR))
    assert codes(other) == codes(missing) == ["NOT_FOUND"]
    assert other["errors"][0]["message"] == missing["errors"][0]["message"]
    assert "Secret" not in str(other)


@pytest.mark.asyncio
async def test_credentials_filter_and_pages(
    client: httpx.AsyncClient, world: World
) -> None:
    for day in range(1, 6):
        await make_credential(
            world.learner,
            title=f"C{day}",
            earned_on=date(2024, 3, day),
            kind="micro_credential" if day % 2 else "course_certificate",
            issuer=world.provider if day < 3 else None,
        )
    query = """
    query($f: CredentialFilter, $after: String) {
      me { credentials(first: 2, after: $after, filter: $f) {
        edges { node { title } } pageInfo { hasNextPage endCursor } } }
    }"""
    seen, after = [], None
    while True:
        body = await gql(client, query, {"after": after}, as_=("learner", APAAR))
        page = body["data"]["me"]["credentials"]
        seen += [e["node"]["title"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["C5", "C4", "C3", "C2", "C1"]  # newest first

    async def titles(f: dict) -> list[str]:
        body = await gql(client, query, {"f": f}, as_=("learner", APAAR))
        assert "errors" not in body, body
        return [e["node"]["title"] for e in body["data"]["me"]["credentials"]["edges"]]

    assert await titles({"kind": "COURSE_CERTIFICATE"}) == ["C4", "C2"]
    assert await titles({"provider": "nptel"}) == ["C2", "C1"]
    assert await titles({"earnedFrom": "2024-03-03", "earnedTo": "2024-03-03"}) == [
        "C3"
    ]
    assert await titles({"verificationStatus": "valid"}) == []


@pytest.mark.asyncio
async def test_credit_balance_by_state_level_and_category(
    client: httpx.AsyncClient, world: World
) -> None:
    await make_credential(world.learner, credits=4, earned_on=date(2024, 1, 1))
    await make_credential(
        world.learner,
        credits=2,
        category="minor",
        ncrf_level=5,
        earned_on=date(2024, 2, 1),
    )
    # earned in 2010: past the 7-year shelf life by 2024 (R-ABC-SHELF)
    await make_credential(world.learner, credits=3, earned_on=date(2010, 1, 1))
    body = await gql(
        client,
        """{ me { creditBalance(asOf: "2030-01-01") { available redeemed expired
              policy { name version } onlineShare
              byCategory { key available expired } byLevel { key available } } } }""",
        as_=("learner", APAAR),
    )
    assert "errors" not in body, body
    balance = body["data"]["me"]["creditBalance"]
    assert balance["available"] == 6 and balance["expired"] == 3
    assert balance["redeemed"] == 0
    assert balance["policy"]["name"] == "ugc-2023"
    assert {g["key"]: g["available"] for g in balance["byCategory"]} == {
        "major": 4,
        "minor": 2,
    }
    assert {g["key"]: g["available"] for g in balance["byLevel"]} == {"4.5": 4, "5": 2}
