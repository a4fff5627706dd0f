"""Embedded proofs: two proofs on one credential, a key that is not the issuer's,
an unknown context."""

from __future__ import annotations

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials import dataintegrity
from app.credentials.multibase import encode_multibase
from app.credentials.signing import Signer, signer_for
from app.credentials.verify import verify_document
from tests.credentials.conftest import LocalWeb, make_ob3

VC1_DOC = {
    "@context": [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "https://w3id.org/security/data-integrity/v1",
    ],
    "id": "urn:uuid:00000000-0000-4000-8000-000000000401",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuanceDate": "2024-01-01T00:00:00Z",
    "name": "Both proofs",
    "credentialSubject": {
        "id": "did:example:learner",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://issuer.example/a/2",
            "type": ["Achievement"],
            "name": "Both proofs",
            "criteria": {"narrative": "exam"},
        },
    },
}


def both_proofs(signer: Signer) -> dict:
    """A VC 1.1 credential with an eddsa-rdfc-2022 and an Ed25519Signature2020."""
    document = copy.deepcopy(VC1_DOC) | {"issuer": signer.issuer_id}
    first = dataintegrity.sign(document, signer.private_key, signer.verification_method)
    legacy = {
        "type": "Ed25519Signature2020",
        "created": "2024-01-01T00:00:00Z",
        "verificationMethod": signer.verification_method,
        "proofPurpose": "assertionMethod",
    }
    legacy["proofValue"] = encode_multibase(
        signer.private_key.sign(dataintegrity.hash_data(document, legacy))
    )
    return document | {"proof": [first["proof"], legacy]}


@pytest.mark.asyncio
async def test_credential_with_both_proofs_verifies(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    report = await verify_document(both_proofs(issuer_key), fetcher=web_server)
    assert report.verdict.value == "valid", report.to_dict()


@pytest.mark.asyncio
async def test_one_bad_proof_of_two_fails(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    document = both_proofs(issuer_key)
    document["proof"][1]["created"] = "2025-01-01T00:00:00Z"
    report = await verify_document(document, fetcher=web_server)
    assert report.check("proof").status.value == "failed"
    assert "Ed25519Signature2020" in report.check("proof").detail


@pytest.mark.asyncio
async def test_signature_by_a_key_that_is_not_the_issuers(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    stranger = signer_for(Ed25519PrivateKey.generate())
    document = make_ob3(issuer_key)
    resigned = dataintegrity.sign(
        document, stranger.private_key, stranger.verification_method
    )
    report = await verify_document(resigned, fetcher=web_server)
    assert report.check("proof").status.value == "passed"
    assert report.check("issuer_key").status.value == "failed"
    assert report.verdict.value == "invalid"


@pytest.mark.asyncio
async def test_unknown_context_fails_proof_naming_it(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    document = make_ob3(issuer_key)
    document["@context"] = [*document["@context"], "https://evil.example/ctx.jsonld"]
    report = await verify_document(document, fetcher=web_server)
    assert report.check("proof").status.value == "failed"
    assert "https://evil.example/ctx.jsonld" in report.check("proof").detail
    # and it was never fetched
    assert web_server.hits == []


@pytest.mark.asyncio
async def test_not_yet_valid_and_expired(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    future = make_ob3(issuer_key, valid_from="2999-01-01T00:00:00Z")
    report = await verify_document(future, fetcher=web_server)
    assert "not yet valid" in report.check("validity_period").detail
    expired = make_ob3(issuer_key, valid_until="2024-06-01T00:00:00Z")
    report = await verify_document(expired, fetcher=web_server)
    assert report.check("validity_period").status.value == "failed"
    assert "expired: validUntil" in report.check("validity_period").detail


@pytest.mark.asyncio
async def test_concurrent_verifications_all_hold(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    """The API verifies many credentials at once; canonicalisation is shared."""
    import asyncio

    documents = [
        make_ob3(
            issuer_key,
            name=f"Course {i}",
            ident=f"urn:uuid:{i:08d}-0000-4000-8000-000000000000",
        )
        for i in range(20)
    ]
    reports = await asyncio.gather(
        *(verify_document(d, fetcher=web_server) for d in documents)
    )
    assert [r.verdict.value for r in reports] == ["valid"] * 20


@pytest.mark.asyncio
async def test_a_key_document_cannot_claim_the_issuer_by_itself(
    web_server: LocalWeb,
) -> None:
    """A key hosted elsewhere saying `controller: <issuer>` is not the issuer's
    key until the issuer's own profile lists it."""
    from tests.credentials.conftest import issuer_document

    issuer = "https://issuer.example/profile"
    private = Ed25519PrivateKey.generate()
    multikey = signer_for(private).multikey
    method = f"https://keys.elsewhere.example/k#{multikey}"
    web_server.publish(
        "https://keys.elsewhere.example/k",
        {
            "id": method,
            "type": "Multikey",
            "controller": issuer,
            "publicKeyMultibase": multikey,
        },
    )
    forged = Signer(private, issuer, method)
    web_server.publish(issuer, issuer_document(issuer))
    document = make_ob3(forged)
    report = await verify_document(document, fetcher=web_server)
    assert report.check("proof").status.value == "passed"
    assert report.check("issuer_key").status.value == "failed"
    assert "does not list" in report.check("issuer_key").detail

    web_server.publish(issuer, issuer_document(issuer) | {"assertionMethod": [method]})
    report = await verify_document(document, fetcher=web_server)
    assert report.verdict.value == "valid", report.to_dict()


@pytest.mark.asyncio
async def test_wrong_proof_purpose_fails_and_report_stays_complete(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    document = make_ob3(issuer_key)
    document["proof"]["proofPurpose"] = "authentication"
    report = await verify_document(document, fetcher=web_server)
    assert report.check("proof").status.value == "failed"
    names = [c["name"] for c in report.to_dict()["checks"]]
    assert names[:5] == ["proof", "issuer_key", "validity_period", "status", "schema"]
