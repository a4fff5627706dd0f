"""importCredential, reverifyCredential, Credential.verification and
euMicroCredential, the verdict filter and Learner.clr, over HTTP on both
backends (issue 13).

The OB 3.0 sample names its key by an https URL of its issuer; the tests serve
that issuer profile from a dict through a stand-in fetcher, so nothing leaves
the process.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from app.credentials.fetch import Fetcher, Response
from app.credentials.signing import generate_key
from app.credentials.verify import verify_document
from app.db.models.learners import Credential
from app.graphql.learners.mutations import imports
from app.settings import Settings
from tests.credentials.conftest import SPEC_KEY, issuer_document
from tests.graphql.learners.conftest import (
    APAAR,
    OTHER_APAAR,
    World,
    codes,
    gql,
    make_credential,
)

SAMPLE = "openbadges_v3_clr_v2/linked-data-proof-ob__Signed_credential.json"
ISSUER = "https://example.edu/issuers/565049"
SELF = ("learner", APAAR)

IMPORT = """
mutation ($apaar: String!, $input: ImportCredentialInput!) {
  importCredential(apaarId: $apaar, input: $input) {
    stored
    credentials { id title format verificationStatus
      verification { verdict format checkedAt checks { name status detail }
        issuer { id name } achievement { name credits } } }
    verification { verdict format checkedAt checks { name status detail }
      credentials { verdict format } }
    userErrors { field code message }
  }
}
"""
CREDENTIALS = """
query ($apaar: String!, $filter: CredentialFilter) {
  learner(apaarId: $apaar) {
    credentials(filter: $filter) { edges { node { id title
      verification { verdict }
      euMicroCredential { complete missing elements { element value source missing } }
    } } }
  }
}
"""
REVERIFY = """
mutation ($id: ID!) {
  reverifyCredential(id: $id) {
    credential { id verificationStatus verification { verdict checkedAt } }
    verification { verdict checks { name status } }
    userErrors { field code message }
  }
}
"""


class StubFetcher:
    """Answers from a dict of URL -> JSON; 404 for anything else."""

    def __init__(self) -> None:
        self.pages: dict[str, Any] = {}

    async def get(self, url: str) -> Response:
        if url not in self.pages:
            return Response(url, 404, b"not found", "text/plain")
        body = json.dumps(self.pages[url]).encode()
        return Response(url, 200, body, "application/json")


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> StubFetcher:
    stub = StubFetcher()
    stub.pages[ISSUER] = issuer_document(ISSUER, SPEC_KEY)

    @asynccontextmanager
    async def fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
        yield stub

    monkeypatch.setattr(imports, "request_fetcher", fetcher)
    return stub


@pytest.fixture
def signed(shared_samples: Path) -> str:
    return (shared_samples / SAMPLE).read_text()


def _client(settings: Settings) -> httpx.AsyncClient:
    from app.main import create_app

    app = create_app(settings, register_db=False)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    )


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    path = tmp_path / "signing-key.pem"
    generate_key(path)
    return path


@pytest_asyncio.fixture
async def keyed_client(db: str, key_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a platform signing key in a tmp path (its own Settings)."""
    settings = Settings(database_url="sqlite://:memory:", signing_key=key_path)
    async with _client(settings) as c:
        yield c


async def _import(
    client: httpx.AsyncClient,
    input: dict[str, Any],
    *,
    apaar: str = APAAR,
    as_: tuple[str, str] = SELF,
) -> dict[str, Any]:
    body = await gql(client, IMPORT, {"apaar": apaar, "input": input}, as_=as_)
    assert "errors" not in body, body
    return body["data"]["importCredential"]


def _checks(verification: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in verification["checks"]}


def _tampered(document: str) -> str:
    data = json.loads(document)
    data["credentialSubject"]["achievement"]["name"] = "Leadership"
    return json.dumps(data)


@pytest.mark.asyncio
async def test_learner_imports_a_signed_ob3_badge_once(
    client: httpx.AsyncClient, world: World, web: StubFetcher, signed: str
) -> None:
    first = await _import(client, {"document": signed})
    assert first["userErrors"] == [] and first["stored"] is True
    (credential,) = first["credentials"]
    assert credential["format"] == "ob3-vc2"
    assert credential["verificationStatus"] == "valid"
    verification = credential["verification"]
    assert verification["verdict"] == "VALID" and verification["checkedAt"]
    assert _checks(verification)["proof"] == "PASSED"
    assert verification["issuer"] == {"id": ISSUER, "name": "Example Corp"}
    assert verification["achievement"]["name"] == "Teamwork"
    assert first["verification"]["verdict"] == "VALID"

    again = await _import(client, {"document": signed})
    assert [c["id"] for c in again["credentials"]] == [credential["id"]]
    assert await Credential.filter(learner=world.learner).count() == 1

    # the stored report reads back the same through the learner
    body = await gql(client, CREDENTIALS, {"apaar": APAAR}, as_=SELF)
    (edge,) = body["data"]["learner"]["credentials"]["edges"]
    assert edge["node"]["verification"] == {"verdict": "VALID"}
    eu = edge["node"]["euMicroCredential"]
    title = next(e for e in eu["elements"] if e["element"] == "title")
    assert title == {
        "element": "title",
        "value": "Teamwork",
        "source": "credentialSubject.achievement.name",
        "missing": False,
    }
    assert eu["complete"] is (not eu["missing"])


@pytest.mark.asyncio
async def test_a_tampered_copy_is_invalid_and_not_stored(
    client: httpx.AsyncClient, world: World, web: StubFetcher, signed: str
) -> None:
    result = await _import(client, {"document": _tampered(signed)})
    # not an input error: verified, found invalid, so not stored (store semantics)
    assert result["userErrors"] == []
    assert result["stored"] is False and result["credentials"] == []
    assert result["verification"]["verdict"] == "INVALID"
    assert result["verification"]["checkedAt"]
    assert _checks(result["verification"])["proof"] == "FAILED"
    assert await Credential.filter(learner=world.learner).count() == 0


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"document": "this is not a credential"}, "document"),
        ({"document": '{"name": "no type, no proof"}'}, "document"),
        ({}, None),
        ({"document": "{}", "url": "https://example.org/b"}, None),
        ({"url": "file:///etc/passwd"}, "url"),
        # the real fetcher (no stand-in here): loopback is refused by default
        ({"url": "http://127.0.0.1:9/badge.json"}, "url"),
    ],
)
async def test_malformed_input_is_a_user_error_and_stores_nothing(
    client: httpx.AsyncClient, world: World, input: dict, field: str | None
) -> None:
    result = await _import(client, input)
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        (field, "BAD_USER_INPUT")
    ], result
    assert result["stored"] is False and result["credentials"] == []
    assert await Credential.all().count() == 0


@pytest.mark.asyncio
async def test_who_may_import_for_whom(
    client: httpx.AsyncClient, world: World, web: StubFetcher, signed: str
) -> None:
    body = await gql(
        client,
        IMPORT,
        {"apaar": APAAR, "input": {"document": signed}},
        as_=("learner", OTHER_APAAR),
    )
    assert codes(body) == ["NOT_FOUND"]
    body = await gql(
        client,
        IMPORT,
        {"apaar": APAAR, "input": {"document": signed}},
        as_=("institution_admin", "away-u"),
    )
    assert codes(body) == ["NOT_FOUND"]
    assert await Credential.all().count() == 0

    by_admin = await _import(
        client, {"document": signed}, as_=("institution_admin", "home-u")
    )
    assert by_admin["stored"] is True

    # the same credential for someone else: refused, the first holder keeps it
    claimed = await _import(
        client,
        {"document": signed},
        apaar=OTHER_APAAR,
        as_=("platform_admin", "ops"),
    )
    assert [e["code"] for e in claimed["userErrors"]] == ["FORBIDDEN"]
    assert claimed["stored"] is False
    assert await Credential.filter(learner=world.other).count() == 0


@pytest.mark.asyncio
async def test_credentials_filtered_by_verdict(
    client: httpx.AsyncClient, world: World, web: StubFetcher, signed: str
) -> None:
    await _import(client, {"document": signed})
    await make_credential(world.learner, title="By hand", deposit=False)
    await make_credential(
        world.learner,
        title="Revoked",
        deposit=False,
        verification_status="invalid",
        verification={"verdict": "invalid", "format": "vc1", "checks": []},
    )

    async def titles(verdict: str | None) -> list[str]:
        where = {"verdict": verdict} if verdict else None
        body = await gql(
            client, CREDENTIALS, {"apaar": APAAR, "filter": where}, as_=SELF
        )
        edges = body["data"]["learner"]["credentials"]["edges"]
        return sorted(e["node"]["title"] for e in edges)

    assert await titles("VALID") == ["Teamwork"]
    assert await titles("INVALID") == ["Revoked"]
    assert await titles("INDETERMINATE") == []
    assert await titles(None) == ["By hand", "Revoked", "Teamwork"]


@pytest.mark.asyncio
async def test_reverify_records_the_new_outcome(
    client: httpx.AsyncClient, world: World, web: StubFetcher, signed: str
) -> None:
    (stored,) = (await _import(client, {"document": signed}))["credentials"]
    body = await gql(client, REVERIFY, {"id": stored["id"]}, as_=SELF)
    result = body["data"]["reverifyCredential"]
    assert result["userErrors"] == [] and result["verification"]["verdict"] == "VALID"
    assert (
        result["credential"]["verification"]["checkedAt"]
        >= (stored["verification"]["checkedAt"])
    )

    # the issuer stops publishing its key: no longer valid, and the row says so
    del web.pages[ISSUER]
    body = await gql(client, REVERIFY, {"id": stored["id"]}, as_=SELF)
    result = body["data"]["reverifyCredential"]
    verdict = result["verification"]["verdict"]
    assert verdict != "VALID"
    assert result["credential"]["verification"]["verdict"] == verdict
    assert result["credential"]["verificationStatus"] == verdict.lower()

    # others cannot reverify it; a hand-entered credential has nothing to verify
    body = await gql(
        client, REVERIFY, {"id": stored["id"]}, as_=("learner", OTHER_APAAR)
    )
    assert codes(body) == ["NOT_FOUND"]
    by_hand = await make_credential(world.learner, deposit=False)
    gid = base64.b64encode(f"Credential:{by_hand.id}".encode()).decode()
    body = await gql(client, REVERIFY, {"id": gid}, as_=SELF)
    assert [e["code"] for e in body["data"]["reverifyCredential"]["userErrors"]] == [
        "BAD_USER_INPUT"
    ]


CLR = f'{{ learner(apaarId: "{APAAR}") {{ clr }} }}'


@pytest.mark.asyncio
async def test_clr_is_signed_and_verifies(
    keyed_client: httpx.AsyncClient, world: World, web: StubFetcher, signed: str
) -> None:
    await _import(keyed_client, {"document": signed})
    body = await gql(keyed_client, CLR, as_=SELF)
    assert "errors" not in body, body
    clr = body["data"]["learner"]["clr"]
    assert "ClrCredential" in clr["type"]
    assert APAAR not in json.dumps(clr)  # the learner only as a salted hash
    report = await verify_document(clr, fetcher=web)
    assert report.verdict.value == "valid", report.to_dict()
    assert report.format == "clr2"
    assert [n.achievement.name for n in report.nested] == ["Teamwork"]


@pytest.fixture
def no_key(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "absent.pem"


@pytest.mark.asyncio
async def test_clr_without_a_signing_key_names_keygen(
    db: str, world: World, no_key: Path
) -> None:
    settings = Settings(database_url="sqlite://:memory:", signing_key=no_key)
    async with _client(settings) as client:
        body = await gql(client, CLR, as_=SELF)
    assert codes(body) == ["INTERNAL_SERVER_ERROR"]
    message = body["errors"][0]["message"]
    assert "credgraph keygen" in message and str(no_key) not in message


@pytest.mark.asyncio
async def test_aliases_cannot_multiply_verifications(
    client: httpx.AsyncClient, world: World
) -> None:
    """Each import may fetch for seconds: at most 10 a request (limits.py)."""

    def aliased(n: int) -> str:
        fields = " ".join(
            f'i{i}: importCredential(apaarId: "{APAAR}", input: {{}}) '
            "{ userErrors { code } }"
            for i in range(n)
        )
        return f"mutation {{ {fields} }}"

    assert codes(await gql(client, aliased(11), as_=SELF)) == ["QUERY_TOO_COMPLEX"]
    body = await gql(client, aliased(9), as_=SELF)
    assert "errors" not in body, body


@pytest.mark.asyncio
async def test_import_by_url_through_the_request_fetcher(
    client: httpx.AsyncClient, world: World, web: StubFetcher, signed: str
) -> None:
    web.pages["https://issuer.example/badges/42"] = json.loads(signed)
    result = await _import(client, {"url": "https://issuer.example/badges/42"})
    assert result["userErrors"] == [] and result["stored"] is True
    assert result["verification"]["verdict"] == "VALID"
    missing = await _import(client, {"url": "https://issuer.example/badges/43"})
    assert [(e["field"], e["code"]) for e in missing["userErrors"]] == [
        ("url", "BAD_USER_INPUT")
    ]


@pytest.mark.asyncio
async def test_a_clr_stores_each_nested_credential(
    client: httpx.AsyncClient, world: World, web: StubFetcher, shared_samples: Path
) -> None:
    clr = (
        shared_samples
        / "openbadges_v3_clr_v2/linked-data-proof-clr__Signed_credential.json"
    )
    result = await _import(client, {"document": clr.read_text()})
    report = result["verification"]
    assert report["verdict"] == "VALID" and report["format"] == "clr2"
    assert _checks(report)["proof"] == "PASSED"
    nested = json.loads(clr.read_text())["credentialSubject"]["verifiableCredential"]
    assert len(result["credentials"]) == len(nested) >= 1
    assert report["credentials"] == [{"verdict": "VALID", "format": "ob3-vc2"}] * len(
        nested
    )
    assert all(c["verification"]["verdict"] == "VALID" for c in result["credentials"])
    assert await Credential.filter(learner=world.learner).count() == len(nested)
