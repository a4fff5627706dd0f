"""Helpers of the learner-graph tests: tokens, an authenticated client call,
and builders of learners, credentials and ledger rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest_asyncio

from app.auth import Role, issue_token
from app.db.models.catalogue import Institution, Provider
from app.db.models.learners import Credential, Learner, LedgerEntry
from app.settings import Settings

APAAR = "123456789012"
OTHER_APAAR = "210987654321"


def token(role: Role | str, subject: str) -> str:
    return issue_token(Settings(), Role(role), subject)


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict | None = None,
    *,
    as_: tuple[Role | str, str] | None = None,
    bearer: str | None = None,
) -> dict:
    """POST a query, with a bearer token for (role, subject) when given."""
    headers = {}
    if as_ is not None:
        bearer = token(*as_)
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    return response.json()


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


_counter = iter(range(1, 10**9))


async def make_credential(learner: Learner, **values: Any) -> Credential:
    n = next(_counter)
    values.setdefault("title", f"Course {n}")
    values.setdefault("earned_on", date(2024, 1, n % 28 + 1))
    values.setdefault("credits", 4)
    values.setdefault("issuer_registered", True)
    values.setdefault("category", "major")
    values.setdefault("ncrf_level", 4.5)
    deposit = values.pop("deposit", True)
    credential = await Credential.create(
        learner=learner, fingerprint=f"fp-{n}-{learner.id}", **values
    )
    if deposit:
        await LedgerEntry.create(
            learner=learner,
            credential=credential,
            kind="deposit",
            credits=Decimal(str(values["credits"])),
        )
    return credential


class World:
    """Two institutions, a learner at each and one without."""

    home: Institution
    away: Institution
    provider: Provider
    learner: Learner
    other: Learner


@pytest_asyncio.fixture
async def world(db: str) -> World:
    w = World()
    w.home = await Institution.create(slug="home-u", name="Home University")
    w.away = await Institution.create(slug="away-u", name="Away University")
    w.provider = await Provider.create(
        slug="nptel", name="NPTEL", kind="national_coordinator", abc_registered=True
    )
    w.learner = await Learner.create(
        apaar_id=APAAR, name="Asha", email="asha@example.org", home_institution=w.home
    )
    w.other = await Learner.create(
        apaar_id=OTHER_APAAR,
        name="Ravi",
        email="ravi@example.org",
        home_institution=w.away,
    )
    return w
