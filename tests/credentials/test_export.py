"""The platform's signed CLR: what `export-clr` prints verifies as valid."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.clr import Award, build_clr
from app.credentials.keys import did_web_url
from app.credentials.signing import (
    Signer,
    did_web_document,
    generate_key,
    load_signer,
    signer_for,
)
from app.credentials.verify import verify_document
from tests.credentials.conftest import LocalWeb, make_ob3


def record(platform: Signer, issuer: Signer) -> dict:
    credentials = [
        make_ob3(
            issuer,
            name=f"Course {i}",
            ident=f"urn:uuid:00000000-0000-4000-8000-00000000000{i}",
        )
        for i in range(3)
    ]
    award = Award(
        "urn:credgraph:award:1",
        "UG certificate",
        credits=12,
        part_ids=[c["id"] for c in credentials],
    )
    return build_clr(
        apaar_id="123456789012",
        learner_name="Asha",
        credentials=credentials,
        awards=[award],
        signer=platform,
    )


@pytest.mark.asyncio
async def test_exported_clr_with_did_key_verifies(
    tmp_path, issuer_key: Signer, web_server: LocalWeb
) -> None:
    generate_key(tmp_path / "k.pem")
    platform = load_signer(tmp_path / "k.pem")
    clr = record(platform, issuer_key)
    report = await verify_document(clr, fetcher=web_server)
    assert report.verdict.value == "valid", report.to_dict()
    assert report.format == "clr2"
    assert report.issuer["id"] == platform.issuer_id
    assert len(report.nested) == 3
    assert {a["associationType"] for a in report.associations} == {"isPartOf"}
    # the APAAR ID travels only salted and hashed
    assert "123456789012" not in str(clr)


@pytest.mark.asyncio
async def test_exported_clr_with_did_web_verifies(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    platform = signer_for(Ed25519PrivateKey.generate(), "did:web:records.example.edu")
    web_server.publish(did_web_url(platform.issuer_id), did_web_document(platform))
    report = await verify_document(record(platform, issuer_key), fetcher=web_server)
    assert report.verdict.value == "valid", report.to_dict()


@pytest.mark.asyncio
async def test_export_edited_after_signing_fails(
    issuer_key: Signer, web_server: LocalWeb
) -> None:
    clr = record(signer_for(Ed25519PrivateKey.generate()), issuer_key)
    clr["credentialSubject"]["achievement"][0]["creditsAvailable"] = 160
    report = await verify_document(clr, fetcher=web_server)
    assert report.check("proof").status.value == "failed"


def test_did_web_paths() -> None:
    assert (
        did_web_url("did:web:example.com") == "https://example.com/.well-known/did.json"
    )
    assert (
        did_web_url("did:web:example.com:user:alice")
        == "https://example.com/user/alice/did.json"
    )
    assert (
        did_web_url("did:web:localhost%3A8443")
        == "https://localhost:8443/.well-known/did.json"
    )
