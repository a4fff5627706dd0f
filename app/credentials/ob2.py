"""Open Badges 2.0: hosted and signed assertions (OB 2.0 §Verification).

Hosted: the issuer's server is the authority. We fetch the assertion at its id; a
410 or `revoked: true` means revoked, and a supplied copy that differs from the
hosted one fails `proof`. The assertion's URL must be allowed by the issuer's
`verification` rules (by default: same origin as the issuer id).
Signed: a compact JWS (RS256) checked with the issuer's CryptographicKey, whose
`owner` must be the issuer; revocation comes from the issuer's RevocationList.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from app.credentials.errors import FetchFailed, FetchRefused
from app.credentials.fetch import Fetcher, fetch_json
from app.credentials.report import Status, VerificationReport
from app.credentials.status import ob2_revoked

OB2_ALGS = ("RS256", "RS384", "RS512", "ES256", "EdDSA")


async def _node(value: Any, fetcher: Fetcher) -> dict[str, Any]:
    """An OB 2.0 reference is either the embedded object or its URL."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        node = await fetch_json(fetcher, value)
        if isinstance(node, dict):
            return node
    raise FetchFailed(f"cannot resolve {value!r}")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _host_allowed(assertion_id: str, issuer: dict[str, Any]) -> tuple[bool, str]:
    rules = issuer.get("verification") or {}
    starts = rules.get("startsWith")
    origins = rules.get("allowedOrigins")
    if starts:
        starts = [starts] if isinstance(starts, str) else starts
        ok = any(assertion_id.startswith(s) for s in starts)
        return (
            ok,
            f"assertion URL {'matches' if ok else 'misses'} startsWith {starts}",
        )
    if origins:
        origins = [origins] if isinstance(origins, str) else origins
        host = urlsplit(assertion_id).netloc
        ok = host in origins
        return ok, f"host {host} {'is' if ok else 'is not'} in allowedOrigins {origins}"
    ok = _origin(assertion_id) == _origin(str(issuer.get("id", "")))
    return (
        ok,
        f"assertion host {'matches' if ok else 'differs from'} "
        f"the issuer's ({issuer.get('id')})",
    )


async def verify_hosted(
    supplied: dict[str, Any], fetcher: Fetcher, report: VerificationReport
) -> dict[str, Any]:
    """Returns the assertion as hosted (or as supplied when the host is unreachable)."""
    url = supplied.get("id")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        report.set(
            "proof", Status.FAILED, "a hosted assertion's id must be its https URL"
        )
        report.set("issuer_key", Status.NOT_APPLICABLE, "")
        report.set("status", Status.INDETERMINATE, "no URL to ask")
        return supplied
    try:
        response = await fetcher.get(url)
    except (FetchFailed, FetchRefused) as exc:
        report.set(
            "proof", Status.INDETERMINATE, f"hosted assertion unavailable: {exc}"
        )
        report.set(
            "status", Status.INDETERMINATE, f"hosted assertion unavailable: {exc}"
        )
        return supplied
    if response.status == 410:
        report.set("proof", Status.NOT_APPLICABLE, "the issuer no longer hosts it")
        report.set("status", Status.FAILED, f"revoked: {url} answers 410 Gone")
        return supplied
    if not 200 <= response.status < 300:
        report.set("proof", Status.INDETERMINATE, f"{url}: HTTP {response.status}")
        report.set("status", Status.INDETERMINATE, f"{url}: HTTP {response.status}")
        return supplied
    try:
        hosted = response.json()
    except FetchFailed as exc:
        report.set("proof", Status.FAILED, str(exc))
        return supplied
    is_reference = set(supplied) <= {"id", "verification"}
    if not isinstance(hosted, dict) or hosted.get("id") != url:
        report.set("proof", Status.FAILED, f"{url} does not host this assertion")
        return supplied
    if not is_reference and hosted != supplied:
        report.set(
            "proof",
            Status.FAILED,
            f"the supplied assertion differs from the copy hosted at {url}",
        )
    else:
        report.set("proof", Status.PASSED, f"hosted copy fetched from {url}")
    if hosted.get("revoked") is True:
        reason = hosted.get("revocationReason", "")
        report.set("status", Status.FAILED, f"revoked by the issuer {reason}".strip())
    else:
        report.set("status", Status.PASSED, "not revoked (hosted copy)")
    try:
        badge = await _node(hosted.get("badge"), fetcher)
        issuer = await _node(badge.get("issuer"), fetcher)
    except (FetchFailed, FetchRefused) as exc:
        report.set(
            "issuer_key", Status.INDETERMINATE, f"issuer profile unavailable: {exc}"
        )
        return hosted
    ok, detail = _host_allowed(url, issuer)
    report.set("issuer_key", Status.PASSED if ok else Status.FAILED, detail)
    return hosted


async def verify_signed(
    token: str,
    header: dict[str, Any],
    assertion: dict[str, Any],
    fetcher: Fetcher,
    report: VerificationReport,
) -> None:
    alg = str(header.get("alg", ""))
    if alg not in OB2_ALGS:
        report.set(
            "proof", Status.FAILED, f"alg {alg or 'none'!r} refused for a signed badge"
        )
        report.set("issuer_key", Status.FAILED, "no usable signature")
        return
    verification = assertion.get("verification")
    creator = verification.get("creator") if isinstance(verification, dict) else None
    try:
        key_doc = await _node(creator, fetcher)
        key = load_pem_public_key(str(key_doc.get("publicKeyPem", "")).encode())
    except (FetchFailed, FetchRefused) as exc:
        report.set("proof", Status.INDETERMINATE, f"key not available: {exc}")
        report.set("issuer_key", Status.INDETERMINATE, f"key not available: {exc}")
        return
    except ValueError as exc:
        report.set("proof", Status.FAILED, f"unusable publicKeyPem at {creator}: {exc}")
        return
    try:
        jwt.api_jws.decode_complete(token, key, algorithms=[alg])
        report.set("proof", Status.PASSED, f"{alg} signature by {creator} verified")
    except jwt.InvalidSignatureError:
        report.set(
            "proof", Status.FAILED, f"{alg} signature does not match (key {creator})"
        )
    except (jwt.InvalidKeyError, jwt.InvalidAlgorithmError, jwt.DecodeError) as exc:
        report.set(
            "proof", Status.FAILED, f"key at {creator} does not fit {alg}: {exc}"
        )
    try:
        badge = await _node(assertion.get("badge"), fetcher)
        issuer = await _node(badge.get("issuer"), fetcher)
    except (FetchFailed, FetchRefused) as exc:
        report.set(
            "issuer_key", Status.INDETERMINATE, f"issuer profile unavailable: {exc}"
        )
        report.set("status", Status.INDETERMINATE, f"issuer profile unavailable: {exc}")
        return
    owner, issuer_id = key_doc.get("owner"), issuer.get("id")
    published = issuer.get("publicKey")
    published = published if isinstance(published, list) else [published]
    listed = {p.get("id") if isinstance(p, dict) else p for p in published}
    if owner != issuer_id:
        detail = f"{creator} is owned by {owner}, not issuer {issuer_id}"
        report.set("issuer_key", Status.FAILED, detail)
    elif creator not in listed:
        # OB 2.0: the key names its owner, and the owner must list the key back
        detail = f"issuer {issuer_id} does not list {creator} in publicKey"
        report.set("issuer_key", Status.FAILED, detail)
    else:
        detail = f"{creator} is owned by issuer {issuer_id}, which lists it"
        report.set("issuer_key", Status.PASSED, detail)
    revocation_list = issuer.get("revocationList")
    if not revocation_list:
        report.set(
            "status", Status.NOT_APPLICABLE, "the issuer publishes no revocation list"
        )
        return
    try:
        listing = await _node(revocation_list, fetcher)
    except (FetchFailed, FetchRefused) as exc:
        report.set(
            "status", Status.INDETERMINATE, f"revocation list unavailable: {exc}"
        )
        return
    revoked, reason = ob2_revoked(listing, assertion)
    if revoked:
        report.set(
            "status", Status.FAILED, f"revoked in {revocation_list} {reason}".strip()
        )
    else:
        report.set(
            "status", Status.PASSED, f"not in the revocation list {revocation_list}"
        )


async def badge_and_issuer(
    assertion: dict[str, Any], fetcher: Fetcher
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The BadgeClass and issuer Profile, as far as they can be fetched."""
    try:
        badge = await _node(assertion.get("badge"), fetcher)
    except (FetchFailed, FetchRefused):
        return {"id": assertion.get("badge")}, {}
    try:
        issuer = await _node(badge.get("issuer"), fetcher)
    except (FetchFailed, FetchRefused):
        issuer = {"id": badge.get("issuer")}
    return badge, issuer
