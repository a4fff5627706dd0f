"""Export: a learner's record as a CLR 2.0 ClrCredential signed by the platform.

Nested: the learner's verified W3C credentials, verbatim (their own proofs stay
checkable). OB 2.0 badges and platform awards (redeemed pathways and programmes)
are not VCs, so they travel as `achievement` entries; `association`s say which
credential is part of which award (isPartOf), the CLR way to carry stacking.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.credentials import dataintegrity
from app.credentials.jsonld import unknown_contexts
from app.credentials.signing import Signer

CLR_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


@dataclass
class Award:
    """A platform award (pathway or programme) and the credential ids it used."""

    id: str
    name: str
    description: str = ""
    credits: float | None = None
    part_ids: list[str] = field(default_factory=list)


def _identifier(apaar_id: str) -> dict[str, Any]:
    # hashed, salted: the record proves who it is for without printing the APAAR ID
    salt = secrets.token_hex(8)
    digest = hashlib.sha256((apaar_id + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "studentId",
        "hashed": True,
        "salt": salt,
    }


def _achievement(award: Award) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": award.id,
        "type": ["Achievement"],
        "name": award.name,
        "description": award.description or award.name,
        "criteria": {"narrative": award.description or f"Awarded: {award.name}"},
    }
    if award.credits is not None:
        node["creditsAvailable"] = award.credits
    return node


def nestable(document: Any) -> bool:
    """A credential can sit inside the signed CLR only if we can canonicalise it."""
    return isinstance(document, dict) and not unknown_contexts(document)


def build_clr(
    *,
    apaar_id: str,
    learner_name: str | None,
    credentials: list[dict[str, Any]],
    awards: list[Award],
    signer: Signer,
    extra_achievements: list[dict[str, Any]] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Build and sign a ClrCredential (eddsa-rdfc-2022)."""
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    nested = [c for c in credentials if nestable(c)]
    achievements = [_achievement(a) for a in awards] + list(extra_achievements or [])
    associations = [
        {
            "type": "Association",
            "associationType": "isPartOf",
            "sourceId": part,
            "targetId": a.id,
        }
        for a in awards
        for part in a.part_ids
    ]
    subject: dict[str, Any] = {
        "type": ["ClrSubject"],
        "identifier": [_identifier(apaar_id)],
        "verifiableCredential": nested,
    }
    if achievements:
        subject["achievement"] = achievements
    if associations:
        subject["association"] = associations
    document: dict[str, Any] = {
        "@context": CLR_CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": signer.issuer_id, "type": ["Profile"], "name": "credgraph"},
        "name": f"Learner record{f' of {learner_name}' if learner_name else ''}",
        "validFrom": stamp,
        "credentialSubject": subject,
    }
    return dataintegrity.sign(
        document, signer.private_key, signer.verification_method, created=now
    )
