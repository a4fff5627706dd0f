"""Revocation and suspension: W3C status lists, 1EdTech and OB 2.0 revocation lists.

A list that cannot be fetched, or whose own signature does not hold, leaves the
`status` check indeterminate: silence from the issuer is not proof of good standing.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
from typing import Any

from app.credentials.errors import FetchFailed, FetchRefused
from app.credentials.fetch import Fetcher, fetch_json
from app.credentials.report import Status, VerificationReport

BITSTRING_TYPES = ("BitstringStatusListEntry", "StatusList2021Entry")
# BitstringStatusList §2.1: an uncompressed list is at least 16 KiB (131,072 entries)
# so a single index does not identify the holder; we only cap the other way.
MAX_LIST_BYTES = 16 * 1024 * 1024


def decode_bitstring(encoded: str) -> bytes:
    """gzip + base64url; the Bitstring spec adds a multibase `u` prefix."""
    text = encoded[1:] if encoded.startswith("u") else encoded
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
            data = stream.read(MAX_LIST_BYTES + 1)
    except (binascii.Error, OSError, EOFError) as exc:
        raise ValueError(f"encodedList is not gzip+base64url: {exc}") from None
    if len(data) > MAX_LIST_BYTES:
        raise ValueError("status list too large")
    return data


def bit_at(bits: bytes, index: int) -> bool:
    """Index 0 is the most significant bit of the first byte (spec §3.2)."""
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"statusListIndex {index} outside the list")
    return bool(bits[index // 8] >> (7 - index % 8) & 1)


def encode_bitstring(bits: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(bits)).decode().rstrip("=")


def _entries(document: dict[str, Any]) -> list[dict[str, Any]]:
    status = document.get("credentialStatus")
    values = status if isinstance(status, list) else [status] if status else []
    return [v for v in values if isinstance(v, dict)]


async def check_status(
    document: dict[str, Any],
    issuer_id: str | None,
    fetcher: Fetcher,
    report: VerificationReport,
) -> None:
    entries = _entries(document)
    if not entries:
        report.set("status", Status.NOT_APPLICABLE, "no credentialStatus")
        return
    for entry in entries:
        kind = entry.get("type")
        try:
            if kind in BITSTRING_TYPES:
                await _bitstring(entry, issuer_id, fetcher, report)
            elif kind == "1EdTechRevocationList":
                await _edtech_list(entry, document.get("id"), fetcher, report)
            else:
                report.set(
                    "status", Status.INDETERMINATE, f"unsupported status type {kind!r}"
                )
        except (FetchFailed, FetchRefused) as exc:
            report.set(
                "status", Status.INDETERMINATE, f"status list unavailable: {exc}"
            )
        except ValueError as exc:
            report.set("status", Status.INDETERMINATE, f"status list unusable: {exc}")


async def _bitstring(
    entry: dict[str, Any],
    issuer_id: str | None,
    fetcher: Fetcher,
    report: VerificationReport,
) -> None:
    # imported here: verifying the list credential reuses the whole verifier
    from app.credentials.verify import verify_document

    url = entry.get("statusListCredential")
    purpose = entry.get("statusPurpose", "revocation")
    try:
        index = int(entry.get("statusListIndex"))
    except (TypeError, ValueError):
        raise ValueError("statusListIndex is not an integer") from None
    if not isinstance(url, str):
        raise ValueError("no statusListCredential URL")
    list_doc = await fetch_json(fetcher, url)
    list_report = await verify_document(list_doc, fetcher=fetcher, check_status=False)
    if list_report.verdict.value != "valid":
        report.set("status", Status.INDETERMINATE, f"status list {url} does not verify")
        return
    if list_report.issuer.get("id") != issuer_id:
        report.set(
            "status", Status.FAILED, f"status list {url} is not issued by {issuer_id}"
        )
        return
    subject = list_doc.get("credentialSubject") or {}
    list_purpose = subject.get("statusPurpose", purpose)
    if list_purpose != purpose:
        raise ValueError(
            f"list purpose {list_purpose!r} is not the entry's {purpose!r}"
        )
    if bit_at(decode_bitstring(str(subject.get("encodedList", ""))), index):
        word = "revoked" if purpose == "revocation" else "suspended"
        report.set("status", Status.FAILED, f"{word}: bit {index} is set in {url}")
    else:
        report.set(
            "status", Status.PASSED, f"not {purpose}: bit {index} is clear in {url}"
        )


async def _edtech_list(
    entry: dict[str, Any],
    credential_id: Any,
    fetcher: Fetcher,
    report: VerificationReport,
) -> None:
    url = entry.get("id")
    if not isinstance(url, str):
        raise ValueError("1EdTechRevocationList without id")
    listing = await fetch_json(fetcher, url)
    revoked = listing.get("revokedCredentials") if isinstance(listing, dict) else None
    for item in revoked if isinstance(revoked, list) else []:
        if (
            isinstance(item, dict)
            and item.get("id") == credential_id
            and item.get("revoked", True) is not False
        ):
            reason = item.get("revocationReason") or ""
            report.set(
                "status",
                Status.FAILED,
                f"revoked by the issuer's list {url} {reason}".strip(),
            )
            return
    report.set("status", Status.PASSED, f"not in the revocation list {url}")


def ob2_revoked(listing: Any, assertion: dict[str, Any]) -> tuple[bool, str]:
    """Is an OB 2.0 assertion in its issuer's RevocationList? (id or uid match)"""
    keys = {assertion.get("id"), assertion.get("uid")} - {None}
    for item in (listing or {}).get("revokedAssertions") or []:
        ident = (
            item
            if isinstance(item, str)
            else (item or {}).get("id") or (item or {}).get("uid")
        )
        if ident in keys:
            reason = item.get("revocationReason", "") if isinstance(item, dict) else ""
            return True, reason
    return False, ""
