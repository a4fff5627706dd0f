"""Export and erasure: what a learner gets, what is removed and what is kept."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from app.db.models.learners import AccessLog, Award, Credential, Learner, LedgerEntry
from tests.graphql.learners.conftest import (
    APAAR,
    OTHER_APAAR,
    World,
    codes,
    gql,
    make_credential,
)

EXPORT = "mutation($a: String!) { exportLearnerData(apaarId: $a) }"
ERASE = """mutation($a: String!) { eraseLearner(apaarId: $a) {
  erased credentialsRemoved credentialsKept ledgerEntriesKept awardsKept } }"""


@pytest.mark.asyncio
async def test_export_holds_everything(client: httpx.AsyncClient, world: World) -> None:
    await make_credential(
        world.learner, title="Algorithms", document={"name": "Asha", "badge": "x"}
    )
    await gql(
        client,
        "query($a: String!) { learner(apaarId: $a) { name } }",
        {"a": APAAR},
        as_=("platform_admin", "ops"),
    )
    body = await gql(client, EXPORT, {"a": APAAR}, as_=("learner", APAAR))
    assert "errors" not in body, body
    doc = body["data"]["exportLearnerData"]
    assert doc["format"] == "credgraph-learner-export/1"
    assert doc["learner"]["apaar_id"] == APAAR
    assert doc["learner"]["email"] == "asha@example.org"
    assert doc["learner"]["home_institution"]["slug"] == "home-u"
    assert doc["credentials"][0]["document"] == {"name": "Asha", "badge": "x"}
    assert doc["ledger"][0]["kind"] == "deposit"
    assert doc["access_log"][0]["actor_subject"] == "ops"


@pytest.mark.asyncio
async def test_export_and_erasure_of_someone_else(
    client: httpx.AsyncClient, world: World
) -> None:
    for query in (EXPORT, ERASE):
        other = await gql(client, query, {"a": OTHER_APAAR}, as_=("learner", APAAR))
        assert codes(other) == ["NOT_FOUND"]
        admin = await gql(
            client, query, {"a": APAAR}, as_=("institution_admin", "home-u")
        )
        assert codes(admin) == ["FORBIDDEN"]
    assert (await Learner.get(id=world.other.id)).erased_at is None


@pytest.mark.asyncio
async def test_erasure_removes_personal_data_and_keeps_the_ledger(
    client: httpx.AsyncClient, world: World
) -> None:
    banked = await make_credential(
        world.learner,
        document={"name": "Asha"},
        grade="A",
        evidence_url="https://x/asha",
    )
    await make_credential(world.learner, deposit=False, title="Never banked")
    await Award.create(
        learner=world.learner,
        award_code="c",
        title="C",
        policy_name="ugc-2023",
        policy_version="2023.1",
        as_of=date(2024, 1, 1),
    )
    await AccessLog.create(
        learner=world.learner,
        actor_role="platform_admin",
        actor_subject="ops",
        what="learner",
    )
    body = await gql(client, ERASE, {"a": APAAR}, as_=("learner", APAAR))
    assert body["data"]["eraseLearner"] == {
        "erased": True,
        "credentialsRemoved": 1,
        "credentialsKept": 1,
        "ledgerEntriesKept": 1,
        "awardsKept": 1,
    }
    learner = await Learner.get(id=world.learner.id)
    assert (learner.name, learner.email, learner.abc_account_id) == (None, None, None)
    assert learner.apaar_id != APAAR and not learner.apaar_id.isdigit()
    assert learner.erased_at is not None
    kept = await Credential.get(id=banked.id)
    assert (kept.document, kept.grade, kept.evidence_url) == (None, None, None)
    assert kept.credits == 4 and kept.fingerprint == banked.fingerprint
    assert await LedgerEntry.filter(learner=world.learner).count() == 1
    # the old token reaches nothing any more
    gone = await gql(client, "{ me { name } }", as_=("learner", APAAR))
    assert codes(gone) == ["NOT_FOUND"]
