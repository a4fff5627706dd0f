"""VC-JWT: the three algorithms with keys from did:key, the issuer's JWKS and a
header jwk; `none` and HMAC-with-a-public-key are refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.signing import did_key_of
from app.credentials.verify import verify_document
from tests.credentials.conftest import LocalWeb, issuer_document

ISSUER = "https://issuer.example/profile"


def vc_claims(issuer: str) -> dict:
    return {
        "iss": issuer,
        "jti": "urn:uuid:5f0c2f1a-0000-4000-8000-000000000001",
        "sub": "did:example:learner",
        "nbf": 1704067200,
        "vc": {
            "@context": [
                "https://www.w3.org/2018/credentials/v1",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": issuer, "type": ["Profile"], "name": "Issuer"},
            "issuanceDate": "2024-01-01T00:00:00Z",
            "name": "Cloud Basics",
            "credentialSubject": {
                "id": "did:example:learner",
                "type": ["AchievementSubject"],
                "achievement": {
                    "id": "https://issuer.example/a/1",
                    "type": ["Achievement"],
                    "name": "Cloud Basics",
                    "criteria": {"narrative": "exam"},
                    "creditsAvailable": 2,
                },
            },
        },
    }


def public_jwk(private, alg: str) -> dict:
    algorithm = jwt.algorithms.get_default_algorithms()[alg]
    return json.loads(algorithm.to_jwk(private.public_key()))


@pytest.mark.asyncio
async def test_eddsa_with_did_key_kid(web_server: LocalWeb) -> None:
    key = Ed25519PrivateKey.generate()
    did = did_key_of(key)
    token = jwt.encode(
        vc_claims(did),
        key,
        algorithm="EdDSA",
        headers={"kid": f"{did}#{did.removeprefix('did:key:')}"},
    )
    report = await verify_document(token, fetcher=web_server)
    assert report.verdict.value == "valid", report.to_dict()
    assert report.format == "vc-jwt"
    assert report.achievement.credits == 2.0


@pytest.mark.asyncio
async def test_es256_with_issuer_jwks(web_server: LocalWeb) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    web_server.publish(ISSUER, issuer_document(ISSUER, jwks=[public_jwk(key, "ES256")]))
    token = jwt.encode(vc_claims(ISSUER), key, algorithm="ES256")
    report = await verify_document(token, fetcher=web_server)
    assert report.verdict.value == "valid", report.to_dict()


@pytest.mark.asyncio
async def test_rs256_header_jwk_must_be_published_by_the_issuer(
    web_server: LocalWeb,
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(
        vc_claims(ISSUER),
        key,
        algorithm="RS256",
        headers={"jwk": public_jwk(key, "RS256")},
    )
    web_server.publish(
        ISSUER, issuer_document(ISSUER, jwks=[public_jwk(stranger, "RS256")])
    )
    report = await verify_document(token, fetcher=web_server)
    assert report.check("proof").status.value == "passed"
    assert report.check("issuer_key").status.value == "failed"
    web_server.publish(ISSUER, issuer_document(ISSUER, jwks=[public_jwk(key, "RS256")]))
    report = await verify_document(token, fetcher=web_server)
    assert report.verdict.value == "valid"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _claims(issuer: str) -> str:
    return _b64(json.dumps(vc_claims(issuer)).encode())


@pytest.mark.asyncio
async def test_alg_none_is_refused(web_server: LocalWeb) -> None:
    token = _b64(b'{"alg":"none"}') + "." + _claims(ISSUER) + "."
    report = await verify_document(token, fetcher=web_server)
    assert report.check("proof").status.value == "failed"
    assert "none" in report.check("proof").detail


@pytest.mark.asyncio
async def test_hmac_keyed_with_the_issuers_public_key_is_refused(
    web_server: LocalWeb,
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    web_server.publish(ISSUER, issuer_document(ISSUER, jwks=[public_jwk(key, "RS256")]))
    signing_input = _b64(b'{"alg":"HS256"}') + "." + _claims(ISSUER)
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    report = await verify_document(f"{signing_input}.{_b64(mac)}", fetcher=web_server)
    assert report.verdict.value == "invalid"
    assert "HS256 refused" in report.check("proof").detail


@pytest.mark.asyncio
async def test_expired_jwt_fails_validity(web_server: LocalWeb) -> None:
    key = Ed25519PrivateKey.generate()
    did = did_key_of(key)
    claims = vc_claims(did) | {"exp": 1704153600}
    token = jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": did})
    report = await verify_document(token, fetcher=web_server)
    assert report.check("validity_period").status.value == "failed"
    assert "expired" in report.check("validity_period").detail
