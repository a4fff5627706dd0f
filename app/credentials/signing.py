"""The platform's signing identity: an Ed25519 key, named by did:key or a did:web.

`credgraph keygen` writes the key (PKCS#8 PEM, mode 0600). The issuer is the key's
`did:key`, or CREDGRAPH_ISSUER_DID when a did:web is configured; the did:web's
did.json must then publish the key, which `did_web_document` produces.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.errors import CredentialError
from app.credentials.multibase import ed25519_to_multikey


@dataclass(frozen=True)
class Signer:
    private_key: Ed25519PrivateKey
    issuer_id: str
    verification_method: str

    @property
    def multikey(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return ed25519_to_multikey(raw)


def did_key_of(private_key: Ed25519PrivateKey) -> str:
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return "did:key:" + ed25519_to_multikey(raw)


def generate_key(path: Path) -> str:
    """Write a new Ed25519 key to `path` (0600) and return its did:key."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return did_key_of(key)


def signer_for(private_key: Ed25519PrivateKey, issuer_did: str | None = None) -> Signer:
    did_key = did_key_of(private_key)
    fragment = did_key.removeprefix("did:key:")
    if issuer_did:
        if not issuer_did.startswith("did:web:"):
            raise CredentialError("CREDGRAPH_ISSUER_DID must be a did:web")
        return Signer(private_key, issuer_did, f"{issuer_did}#{fragment}")
    return Signer(private_key, did_key, f"{did_key}#{fragment}")


def load_signer(path: Path, issuer_did: str | None = None) -> Signer:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise CredentialError(
            f"no signing key at {path}: run `credgraph keygen`"
        ) from None
    except ValueError as exc:
        raise CredentialError(f"{path} is not a PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CredentialError(f"{path} is not an Ed25519 key")
    return signer_for(key, issuer_did)


def settings_signer() -> Signer:
    from app.settings import get_settings

    settings = get_settings()
    return load_signer(settings.signing_key, settings.issuer_did)


def did_web_document(signer: Signer) -> dict[str, Any]:
    """The did.json to publish for a did:web issuer (W3C did:web §3.2)."""
    method = {
        "id": signer.verification_method,
        "type": "Multikey",
        "controller": signer.issuer_id,
        "publicKeyMultibase": signer.multikey,
    }
    return {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
        ],
        "id": signer.issuer_id,
        "verificationMethod": [method],
        "assertionMethod": [signer.verification_method],
    }
