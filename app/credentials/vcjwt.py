"""VC-JWT (compact JWS) and OB 2.0 signed assertions.

Refused outright: `alg: none` (no signature at all) and HMAC algorithms, which with
an issuer's *public* key as the "secret" would let anyone forge a token (the classic
algorithm-confusion attack). The key comes from the header `kid` (a DID URL or key
URL), the header `jwk` (allowed by OB 3.0 §8.2.4, but only trusted as the issuer's
once the issuer publishes it), or else the issuer's published JWKs.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from app.credentials.errors import CredentialError, FetchFailed, FetchRefused
from app.credentials.fetch import Fetcher
from app.credentials.keys import (
    ResolvedKey,
    issuer_jwks,
    issuer_owns,
    key_from_jwk,
    resolve_method,
)
from app.credentials.report import Status, VerificationReport

ALLOWED_ALGS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")


def credential_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The credential inside a VC-JWT: the `vc` claim (VCDM 1.1) or the payload
    itself (VCDM 2.0 JOSE); registered claims fill the fields they stand for."""
    if not isinstance(payload.get("vc"), dict):
        return payload
    credential = dict(payload["vc"])
    if "jti" in payload and "id" not in credential:
        credential["id"] = payload["jti"]
    if "iss" in payload and "issuer" not in credential:
        credential["issuer"] = payload["iss"]
    return credential


def _signature_ok(token: str, key: PublicKeyTypes, alg: str) -> bool:
    try:
        # claims (nbf/exp) are judged by the validity_period check, not here
        jwt.api_jws.decode_complete(token, key, algorithms=[alg])
    except jwt.InvalidSignatureError:
        return False
    except (jwt.InvalidKeyError, jwt.InvalidAlgorithmError, jwt.DecodeError) as exc:
        raise CredentialError(f"key does not fit {alg}: {exc}") from None
    return True


# RFC 7638 §3.2: the members that define a public key, per key type
_THUMB_MEMBERS = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
}


def _thumb(jwk: dict[str, Any]) -> str:
    """The RFC 7638 thumbprint: equal for the same key however it is dressed."""
    members = _THUMB_MEMBERS.get(str(jwk.get("kty")), ())
    canonical = json.dumps(
        {m: jwk.get(m) for m in members}, separators=(",", ":"), sort_keys=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def verify_jwt(
    token: str,
    header: dict[str, Any],
    issuer_id: str | None,
    fetcher: Fetcher,
    report: VerificationReport,
) -> None:
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        report.set("proof", Status.FAILED, "alg 'none' refused: the token is unsigned")
        report.set("issuer_key", Status.FAILED, "unsigned token")
        return
    if alg.upper().startswith("HS"):
        report.set(
            "proof", Status.FAILED, f"{alg} refused: HMAC cannot prove an issuer"
        )
        report.set("issuer_key", Status.FAILED, f"{alg} uses no issuer key")
        return
    if alg not in ALLOWED_ALGS:
        report.set("proof", Status.FAILED, f"unsupported alg {alg}")
        report.set("issuer_key", Status.NOT_APPLICABLE, "")
        return
    try:
        if isinstance(header.get("kid"), str) and ":" in header["kid"]:
            await _with_kid(token, alg, header["kid"], issuer_id, fetcher, report)
        elif isinstance(header.get("jwk"), dict):
            await _with_header_jwk(
                token, alg, header["jwk"], issuer_id, fetcher, report
            )
        else:
            await _with_issuer_keys(token, alg, issuer_id, fetcher, report)
    except (FetchFailed, FetchRefused) as exc:
        report.set("proof", Status.INDETERMINATE, f"key not available: {exc}")
        report.set("issuer_key", Status.INDETERMINATE, f"key not available: {exc}")
    except CredentialError as exc:
        report.set("proof", Status.FAILED, str(exc))
        report.set("issuer_key", Status.FAILED, str(exc))


async def _with_kid(token, alg, kid, issuer_id, fetcher, report) -> None:
    resolved: ResolvedKey = await resolve_method(kid, fetcher)
    if _signature_ok(token, resolved.key, alg):
        report.set("proof", Status.PASSED, f"{alg} signature by {kid} verified")
    else:
        report.set(
            "proof", Status.FAILED, f"{alg} signature does not match (key {kid})"
        )
    report.set_ownership(*await issuer_owns(resolved, issuer_id, fetcher))


async def _with_header_jwk(token, alg, jwk, issuer_id, fetcher, report) -> None:
    key = key_from_jwk(jwk)
    if _signature_ok(token, key, alg):
        report.set(
            "proof", Status.PASSED, f"{alg} signature by the header jwk verified"
        )
    else:
        report.set(
            "proof", Status.FAILED, f"{alg} signature does not match the header jwk"
        )
    if not issuer_id:
        report.set("issuer_key", Status.FAILED, "no issuer to own the header jwk")
        return
    # anyone can put a key in a header: it is the issuer's only if the issuer says so
    try:
        published = await issuer_jwks(issuer_id, fetcher)
    except (FetchFailed, FetchRefused) as exc:
        report.set(
            "issuer_key", Status.INDETERMINATE, f"header jwk not confirmed: {exc}"
        )
        return
    if _thumb(jwk) in {_thumb(k) for k in published}:
        report.set(
            "issuer_key", Status.PASSED, f"header jwk is published by {issuer_id}"
        )
    else:
        report.set(
            "issuer_key", Status.FAILED, f"header jwk is not published by {issuer_id}"
        )


async def _with_issuer_keys(token, alg, issuer_id, fetcher, report) -> None:
    if not issuer_id:
        report.set("proof", Status.FAILED, "no kid, jwk or issuer to find a key")
        report.set("issuer_key", Status.FAILED, "no issuer")
        return
    published = await issuer_jwks(issuer_id, fetcher)
    for jwk in published:
        try:
            if _signature_ok(token, key_from_jwk(jwk), alg):
                report.set(
                    "proof", Status.PASSED, f"{alg} signature by a key of {issuer_id}"
                )
                report.set("issuer_key", Status.PASSED, f"key published by {issuer_id}")
                return
        except CredentialError:
            continue
    report.set(
        "proof",
        Status.FAILED,
        f"no key published by {issuer_id} verifies the {alg} signature",
    )
    report.set("issuer_key", Status.FAILED, f"no matching key published by {issuer_id}")
