"""Issuing and verifying bearer JWTs.

Verification pins the algorithm to the key that is configured for it: HS256
only with the shared secret, RS256 only with the public key. A token whose
header says HS256 is therefore never checked against the RSA public key (the
"algorithm confusion" attack, where the public key is used as an HMAC
secret), and `alg: none` is never in the accepted list.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt

from app.auth.caller import Caller, Role
from app.settings import DEV_JWT_SECRET, Settings

REQUIRED_CLAIMS = ["exp", "sub", "role"]


class TokenError(Exception):
    """A token that does not authenticate anyone; the message is client-safe."""


def hs256_secret(settings: Settings) -> str | None:
    """The HMAC secret: configured, or the fixed dev secret outside production."""
    if settings.jwt_secret:
        return settings.jwt_secret
    return None if settings.production else DEV_JWT_SECRET


def _public_key(value: str) -> str:
    """The PEM itself, or the path of a file holding it."""
    if value.lstrip().startswith("-----BEGIN"):
        return value
    return Path(value).read_text()


def _keys(settings: Settings) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    secret = hs256_secret(settings)
    if secret:
        keys["HS256"] = secret
    if settings.jwt_public_key:
        keys["RS256"] = _public_key(settings.jwt_public_key)
        if not settings.jwt_secret:
            # With a public key configured, the dev secret must not open a
            # second way in.
            keys.pop("HS256", None)
    return keys


def verify_token(token: str, settings: Settings) -> Caller:
    keys = _keys(settings)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenError("the bearer token is not a JWT") from exc
    alg = header.get("alg")
    if alg not in keys:
        raise TokenError(f"tokens signed with {alg!r} are not accepted")
    try:
        claims = jwt.decode(
            token,
            keys[alg],
            algorithms=[alg],
            audience=settings.jwt_audience,
            options={
                "require": REQUIRED_CLAIMS + (["aud"] if settings.jwt_audience else []),
                "verify_aud": settings.jwt_audience is not None,
            },
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("the bearer token has expired") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise TokenError(f"the bearer token lacks the {exc.claim!r} claim") from exc
    except jwt.InvalidAudienceError as exc:
        raise TokenError("the bearer token is for another audience") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("the bearer token is not valid") from exc
    try:
        role = Role(claims["role"])
    except ValueError as exc:
        raise TokenError("the bearer token names an unknown role") from exc
    subject = str(claims["sub"])
    if not subject:
        raise TokenError("the bearer token has an empty subject")
    return Caller(role=role, subject=subject)


def issue_token(
    settings: Settings,
    role: Role,
    subject: str,
    *,
    ttl_seconds: int = 3600,
    now: float | None = None,
) -> str:
    """An HS256 token signed with the configured (or development) secret."""
    secret = hs256_secret(settings)
    if secret is None:
        raise TokenError("CREDGRAPH_JWT_SECRET is not set (required in production)")
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "role": role.value,
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, secret, algorithm="HS256")
