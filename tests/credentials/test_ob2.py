"""Open Badges 2.0 signed assertions made here: revocation list and key ownership."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.credentials.verify import verify_document
from tests.credentials.conftest import LocalWeb

ORG = "https://badges.example/org.json"
KEY = "https://badges.example/key.json"
BADGE = "https://badges.example/badge.json"
REVOCATIONS = "https://badges.example/revocations.json"
UID = "urn:uuid:1c3ad3d4-55a1-4e61-a1c5-7a5c0f7d1f0e"


def signed_assertion(web: LocalWeb, *, revoked: list, lists_key: bool = True) -> str:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    web.publish(
        KEY,
        {
            "id": KEY,
            "type": "CryptographicKey",
            "owner": ORG,
            "publicKeyPem": pem.decode(),
        },
    )
    web.publish(
        ORG,
        {
            "id": ORG,
            "type": "Issuer",
            "name": "Badge Org",
            "publicKey": KEY if lists_key else [],
            "revocationList": REVOCATIONS,
        },
    )
    web.publish(
        BADGE,
        {
            "id": BADGE,
            "type": "BadgeClass",
            "name": "Robotics",
            "issuer": ORG,
            "criteria": {"narrative": "Build"},
        },
    )
    web.publish(
        REVOCATIONS,
        {"id": REVOCATIONS, "type": "RevocationList", "revokedAssertions": revoked},
    )
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": UID,
        "recipient": {"type": "email", "hashed": False, "identity": "a@example.org"},
        "badge": BADGE,
        "issuedOn": "2024-01-01T00:00:00Z",
        "verification": {"type": "signed", "creator": KEY},
    }
    return jwt.encode(assertion, private, algorithm="RS256")


@pytest.mark.asyncio
async def test_signed_badge_verifies(web_server: LocalWeb) -> None:
    report = await verify_document(
        signed_assertion(web_server, revoked=[]), fetcher=web_server
    )
    assert (report.format, report.verdict.value) == ("ob2-signed", "valid")
    assert report.achievement.name == "Robotics"
    assert report.issuer["name"] == "Badge Org"


@pytest.mark.asyncio
@pytest.mark.parametrize("entry", [UID, {"id": UID, "revocationReason": "cheating"}])
async def test_revocation_list_revokes(web_server: LocalWeb, entry) -> None:
    report = await verify_document(
        signed_assertion(web_server, revoked=[entry]), fetcher=web_server
    )
    assert report.verdict.value == "invalid"
    assert "revoked" in report.check("status").detail


@pytest.mark.asyncio
async def test_key_the_issuer_does_not_list_is_refused(web_server: LocalWeb) -> None:
    token = signed_assertion(web_server, revoked=[], lists_key=False)
    report = await verify_document(token, fetcher=web_server)
    assert report.check("issuer_key").status.value == "failed"
