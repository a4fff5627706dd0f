"""Bearer tokens: what is accepted and every way a forged one is refused."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.auth import Caller, Role, TokenError, issue_token, verify_token
from app.auth.bearer import authenticate
from app.settings import DEV_JWT_SECRET, Settings

DEV = Settings()


def _rsa_pair() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, public.decode()


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_issued_token_names_the_caller() -> None:
    token = issue_token(DEV, Role.LEARNER, "123456789012")
    assert verify_token(token, DEV) == Caller(Role.LEARNER, "123456789012")


def test_dev_secret_is_refused_in_production_without_a_secret() -> None:
    token = jwt.encode(
        {"sub": "x", "role": "platform_admin", "exp": time.time() + 60},
        DEV_JWT_SECRET,
        algorithm="HS256",
    )
    with pytest.raises(TokenError):
        verify_token(token, Settings(env="production"))
    with pytest.raises(TokenError, match="CREDGRAPH_JWT_SECRET"):
        issue_token(Settings(env="production"), Role.PLATFORM_ADMIN, "x")


def test_expired_token_is_refused() -> None:
    token = issue_token(DEV, Role.LEARNER, "1", ttl_seconds=10, now=time.time() - 60)
    with pytest.raises(TokenError, match="expired"):
        verify_token(token, DEV)


def test_token_without_exp_is_refused() -> None:
    token = jwt.encode({"sub": "1", "role": "learner"}, DEV_JWT_SECRET, "HS256")
    with pytest.raises(TokenError):
        verify_token(token, DEV)


def test_wrong_secret_and_tampered_payload_are_refused() -> None:
    claims = {"sub": "1", "role": "learner", "exp": time.time() + 60}
    with pytest.raises(TokenError):
        verify_token(
            jwt.encode(claims, "another-secret-of-thirty-two-bytes!!", "HS256"), DEV
        )
    good = issue_token(DEV, Role.LEARNER, "1")
    head, _, sig = good.split(".")
    forged = f"{head}.{_b64({**claims, 'role': 'platform_admin'})}.{sig}"
    with pytest.raises(TokenError):
        verify_token(forged, DEV)


def test_alg_none_is_refused() -> None:
    claims = {"sub": "1", "role": "platform_admin", "exp": int(time.time()) + 60}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    with pytest.raises(TokenError, match="none"):
        verify_token(unsigned, DEV)


def test_audience_is_checked_when_configured() -> None:
    settings = Settings(jwt_audience="credgraph-api")
    token = issue_token(settings, Role.LEARNER, "1")
    assert verify_token(token, settings).subject == "1"
    with pytest.raises(TokenError, match="aud"):
        verify_token(issue_token(DEV, Role.LEARNER, "1"), settings)
    other = jwt.encode(
        {"sub": "1", "role": "learner", "exp": time.time() + 60, "aud": "other"},
        DEV_JWT_SECRET,
        "HS256",
    )
    with pytest.raises(TokenError, match="audience"):
        verify_token(other, settings)


def test_rs256_with_the_public_key() -> None:
    private, public = _rsa_pair()
    settings = Settings(env="production", jwt_public_key=public)
    claims = {"sub": "inst-1", "role": "institution_admin", "exp": time.time() + 60}
    token = jwt.encode(claims, private, algorithm="RS256")
    assert verify_token(token, settings) == Caller(Role.INSTITUTION_ADMIN, "inst-1")
    # the development secret does not open a second door beside the key
    with pytest.raises(TokenError):
        verify_token(issue_token(DEV, Role.PLATFORM_ADMIN, "x"), settings)


def test_algorithm_confusion_is_refused() -> None:
    """HS256 signed with the RSA public key as the HMAC secret."""
    _, public = _rsa_pair()
    settings = Settings(env="production", jwt_public_key=public)
    claims = {"sub": "x", "role": "platform_admin", "exp": int(time.time()) + 60}
    header = _b64({"alg": "HS256", "typ": "JWT"})
    body = _b64(claims)
    import hashlib
    import hmac

    sig = hmac.new(public.encode(), f"{header}.{body}".encode(), hashlib.sha256)
    forged = f"{header}.{body}." + base64.urlsafe_b64encode(
        sig.digest()
    ).decode().rstrip("=")
    with pytest.raises(TokenError):
        verify_token(forged, settings)


def test_unknown_role_is_refused() -> None:
    token = jwt.encode(
        {"sub": "1", "role": "superuser", "exp": time.time() + 60},
        DEV_JWT_SECRET,
        "HS256",
    )
    with pytest.raises(TokenError, match="role"):
        verify_token(token, DEV)


def test_header_parsing() -> None:
    assert authenticate(None, DEV).caller is None
    assert authenticate(None, DEV).error is None
    assert authenticate("Basic abc", DEV).error
    token = issue_token(DEV, Role.CONNECTOR, "swayam-bot")
    assert authenticate(f"Bearer {token}", DEV).caller == Caller(
        Role.CONNECTOR, "swayam-bot"
    )
