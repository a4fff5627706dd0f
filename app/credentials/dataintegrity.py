"""Embedded proofs: DataIntegrityProof/eddsa-rdfc-2022 and Ed25519Signature2020.

Both sign SHA-256(canon(proof options)) ‖ SHA-256(canon(document without proof)),
canonicalised with RDFC-1.0 over the pinned contexts (VC-DI-EdDSA §3.3.1; the
2020 suite does the same with its own context). `eddsa-2022` is the draft name of
the same cryptosuite, still found on early OB 3.0 credentials.
"""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.credentials.errors import CredentialError, FetchFailed, FetchRefused
from app.credentials.fetch import Fetcher
from app.credentials.jsonld import UnknownContext, canonize
from app.credentials.keys import issuer_owns, resolve_method
from app.credentials.multibase import decode_multibase, encode_multibase
from app.credentials.report import Status, VerificationReport

EDDSA_SUITES = ("eddsa-rdfc-2022", "eddsa-2022")
# One thread: pyld's context cache is a plain LRU dict, not safe to share between
# threads, and the work holds the GIL anyway, so more threads would buy nothing.
_CANON = ThreadPoolExecutor(max_workers=1, thread_name_prefix="canonicalise")


def proofs_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    proof = document.get("proof")
    if proof is None:
        return []
    return [
        p
        for p in (proof if isinstance(proof, list) else [proof])
        if isinstance(p, dict)
    ]


def is_supported(proof: dict[str, Any]) -> bool:
    return proof.get("type") == "Ed25519Signature2020" or (
        proof.get("type") == "DataIntegrityProof"
        and proof.get("cryptosuite") in EDDSA_SUITES
    )


def hash_data(document: dict[str, Any], proof: dict[str, Any]) -> bytes:
    """The bytes an Ed25519 proof signs (raises UnknownContext)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options["@context"] = document.get("@context")
    return (
        hashlib.sha256(canonize(options).encode()).digest()
        + hashlib.sha256(canonize(unsecured).encode()).digest()
    )


def sign(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    *,
    created: datetime | None = None,
) -> dict[str, Any]:
    """A copy of `document` with an eddsa-rdfc-2022 DataIntegrityProof added."""
    when = (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": when,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(hash_data(document, proof))
    proof["proofValue"] = encode_multibase(signature)
    return {**{k: v for k, v in document.items() if k != "proof"}, "proof": proof}


def _check_signature(
    document: dict[str, Any], proof: dict[str, Any], key: Ed25519PublicKey
) -> None:
    signature = decode_multibase(proof.get("proofValue", ""))
    key.verify(signature, hash_data(document, proof))


async def verify_embedded(
    document: dict[str, Any],
    issuer_id: str | None,
    fetcher: Fetcher,
    report: VerificationReport,
) -> None:
    """Fill the `proof` and `issuer_key` checks from the document's embedded proofs.

    Every supported proof must verify; proof types we do not know are named in the
    detail but do not fail the credential when a supported one is present.
    """
    proofs = proofs_of(document)
    supported = [p for p in proofs if is_supported(p)]
    others = sorted({str(p.get("type")) for p in proofs if not is_supported(p)})
    if not supported:
        detail = (
            f"no supported proof (found: {', '.join(others)})" if others else "no proof"
        )
        report.set("proof", Status.FAILED, detail)
        report.set("issuer_key", Status.NOT_APPLICABLE, "no proof to check")
        return
    for proof in supported:
        label = proof.get("cryptosuite") or proof.get("type")
        method_id = str(proof.get("verificationMethod", ""))
        if proof.get("proofPurpose") != "assertionMethod":
            report.set(
                "proof", Status.FAILED, f"{label}: proofPurpose is not assertionMethod"
            )
            continue
        try:
            resolved = await resolve_method(method_id, fetcher)
        except (FetchFailed, FetchRefused) as exc:
            report.set(
                "proof", Status.INDETERMINATE, f"{label}: key not available: {exc}"
            )
            report.set("issuer_key", Status.INDETERMINATE, f"key not available: {exc}")
            continue
        except CredentialError as exc:
            report.set("proof", Status.FAILED, f"{label}: {exc}")
            report.set("issuer_key", Status.FAILED, str(exc))
            continue
        if not isinstance(resolved.key, Ed25519PublicKey):
            report.set(
                "proof", Status.FAILED, f"{label}: {method_id} is not an Ed25519 key"
            )
            continue
        try:
            # canonicalisation is CPU work: keep it off the event loop
            await asyncio.get_running_loop().run_in_executor(
                _CANON, _check_signature, document, proof, resolved.key
            )
        except UnknownContext as exc:
            report.set("proof", Status.FAILED, f"{label}: {exc}")
        except (InvalidSignature, ValueError) as exc:
            reason = (
                "signature does not match the document"
                if isinstance(exc, InvalidSignature)
                else str(exc)
            )
            report.set("proof", Status.FAILED, f"{label}: {reason}")
        except Exception as exc:  # pyld raises its own error types for bad JSON-LD
            report.set(
                "proof", Status.FAILED, f"{label}: cannot canonicalise: {_root(exc)}"
            )
        else:
            report.set(
                "proof", Status.PASSED, f"{label} signature by {method_id} verified"
            )
        report.set_ownership(*await issuer_owns(resolved, issuer_id, fetcher))
    proof_check = report.check("proof")
    if others and proof_check and proof_check.status == Status.PASSED:
        proof_check.detail += f"; ignored unsupported proof types: {', '.join(others)}"


def _root(exc: BaseException) -> str:
    """pyld wraps the real reason (often an UnknownContext) in JsonLdError causes."""
    seen = exc
    while True:
        cause = getattr(seen, "cause", None) or seen.__cause__
        if cause is None or cause is seen:
            break
        seen = cause
    if isinstance(seen, UnknownContext):
        return str(seen)
    return str(seen).splitlines()[0][:200]
