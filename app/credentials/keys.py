"""Public keys from verification methods: did:key offline, did:web and URLs fetched.

A resolved key carries its controller, so the caller can check that the key belongs
to the credential's issuer (a valid signature by someone else's key is worthless).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urldefrag

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from app.credentials.errors import CredentialError, KeyResolutionError
from app.credentials.fetch import Fetcher, fetch_json
from app.credentials.multibase import ed25519_from_multikey


@dataclass(frozen=True)
class ResolvedKey:
    id: str
    controller: str
    key: PublicKeyTypes


def did_key_public(did: str) -> Ed25519PublicKey:
    """The Ed25519 key a `did:key:z6Mk…` (with or without fragment) names."""
    ident = did.split("#", 1)[0].removeprefix("did:key:")
    try:
        return Ed25519PublicKey.from_public_bytes(ed25519_from_multikey(ident))
    except ValueError as exc:
        raise KeyResolutionError(f"{did}: {exc}") from None


def did_web_url(did: str) -> str:
    """did:web:host[:path…] → https://host/path/did.json (W3C did:web spec §3.2)."""
    parts = did.split("#", 1)[0].removeprefix("did:web:").split(":")
    host = unquote(parts[0])
    path = "/".join(quote(unquote(p)) for p in parts[1:])
    return (
        f"https://{host}/{path}/did.json"
        if path
        else f"https://{host}/.well-known/did.json"
    )


def key_from_jwk(jwk: dict[str, Any]) -> PublicKeyTypes:
    if not isinstance(jwk, dict) or "d" in jwk:
        # a private JWK in a public document is a leak, never a key to trust
        raise KeyResolutionError("not a public JWK")
    try:
        return jwt.PyJWK(jwk).key
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, KeyError) as exc:
        raise KeyResolutionError(f"unusable JWK: {exc}") from None


def key_from_method(method: dict[str, Any]) -> PublicKeyTypes:
    if "publicKeyMultibase" in method:
        try:
            raw = ed25519_from_multikey(method["publicKeyMultibase"])
        except ValueError as exc:
            raise KeyResolutionError(str(exc)) from None
        return Ed25519PublicKey.from_public_bytes(raw)
    if "publicKeyJwk" in method:
        return key_from_jwk(method["publicKeyJwk"])
    raise KeyResolutionError(
        f"{method.get('id')}: no publicKeyMultibase or publicKeyJwk"
    )


def _methods(document: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for field in ("verificationMethod", "assertionMethod", "publicKey"):
        values = document.get(field) or []
        values = values if isinstance(values, list) else [values]
        found += [v for v in values if isinstance(v, dict)]
    if "publicKeyMultibase" in document or "publicKeyJwk" in document:
        found.append(document)
    return found


def find_method(document: dict[str, Any], method_id: str) -> dict[str, Any] | None:
    base = document.get("id", "")
    for method in _methods(document):
        mid = method.get("id", "")
        if mid.startswith("#"):
            mid = base + mid
        if mid == method_id:
            return method
    return None


async def resolve_method(method_id: str, fetcher: Fetcher) -> ResolvedKey:
    """Resolve a verification method id to its key and controller."""
    if method_id.startswith("did:key:"):
        did = method_id.split("#", 1)[0]
        return ResolvedKey(method_id, did, did_key_public(method_id))
    if method_id.startswith("did:web:"):
        did = method_id.split("#", 1)[0]
        document = await fetch_json(fetcher, did_web_url(did))
        if not isinstance(document, dict) or document.get("id") != did:
            raise KeyResolutionError(f"{did}: DID document id does not match")
        method = find_method(document, method_id)
        if method is None:
            raise KeyResolutionError(f"{method_id}: not in the DID document")
        return ResolvedKey(
            method_id, method.get("controller", did), key_from_method(method)
        )
    if method_id.startswith(("https://", "http://")):
        url, _ = urldefrag(method_id)
        document = await fetch_json(fetcher, url)
        if not isinstance(document, dict):
            raise KeyResolutionError(f"{url}: not a JSON object")
        method = find_method(document, method_id)
        if method is None:
            raise KeyResolutionError(f"{method_id}: not found in {url}")
        controller = method.get("controller") or document.get("id") or url
        return ResolvedKey(method_id, controller, key_from_method(method))
    raise KeyResolutionError(f"unsupported verification method {method_id!r}")


def _base(method_id: str) -> str:
    return method_id.split("#", 1)[0]


async def issuer_owns(
    key: ResolvedKey, issuer_id: str | None, fetcher: Fetcher
) -> tuple[bool | None, str]:
    """Is the key the issuer's? (True/False, or None when it cannot be told now.)

    A key under the issuer's own identifier (`did:…#key-1`, `https://issuer/…#k`)
    is the issuer's. Otherwise the *issuer's* document must list the key: the
    `controller` a key document claims for itself proves nothing, since whoever
    hosts the key wrote it.
    """
    if not issuer_id:
        return False, "the credential names no issuer"
    if _base(key.id) == issuer_id:
        return True, f"{key.id} is under the issuer's identifier {issuer_id}"
    if issuer_id.startswith("did:key:") or not issuer_id.startswith(
        ("did:web:", "https://", "http://")
    ):
        return False, f"{key.id} is not a key of issuer {issuer_id}"
    url = did_web_url(issuer_id) if issuer_id.startswith("did:web:") else issuer_id
    try:
        document = await fetch_json(fetcher, url)
    except CredentialError as exc:
        return None, f"cannot ask issuer {issuer_id} about {key.id}: {exc}"
    listed = isinstance(document, dict) and (
        find_method(document, key.id) is not None or key.id in _references(document)
    )
    if listed:
        return True, f"issuer {issuer_id} lists {key.id}"
    return False, f"issuer {issuer_id} does not list {key.id}"


def _references(document: dict[str, Any]) -> set[str]:
    refs: set[str] = set()
    base = document.get("id", "")
    for field in ("verificationMethod", "assertionMethod", "publicKey"):
        values = document.get(field) or []
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str):
                refs.add(base + value if value.startswith("#") else value)
    return refs


async def issuer_jwks(issuer_id: str, fetcher: Fetcher) -> list[dict[str, Any]]:
    """Public JWKs an issuer publishes: in its DID document or its profile."""
    if issuer_id.startswith("did:key:"):
        return []
    url = did_web_url(issuer_id) if issuer_id.startswith("did:web:") else issuer_id
    document = await fetch_json(fetcher, url)
    if not isinstance(document, dict):
        return []
    keys: list[dict[str, Any]] = []
    if isinstance(document.get("keys"), list):
        keys += [k for k in document["keys"] if isinstance(k, dict)]
    if isinstance(document.get("jwks_uri"), str):
        jwks = await fetch_json(fetcher, document["jwks_uri"])
        if isinstance(jwks, dict) and isinstance(jwks.get("keys"), list):
            keys += [k for k in jwks["keys"] if isinstance(k, dict)]
    keys += [m["publicKeyJwk"] for m in _methods(document) if "publicKeyJwk" in m]
    return keys
