"""A verified credential as plain data for the graph (no ORM here).

Course matching needs hints, not answers: alignments (a CTDL CTID or a catalogue
URL), the issuer's name and URL, the achievement's name and code. Credits are taken
from the credential when it states them, each number with the field it came from.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from app.credentials.checks import parse_time

CTID = re.compile(
    r"ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I
)

# OB 3.0 achievementType → Credential.kind
KINDS = {
    "Degree": "degree",
    "Diploma": "degree",
    "MicroCredential": "micro_credential",
    "Badge": "badge",
    "Certificate": "course_certificate",
    "Certification": "course_certificate",
    "Course": "course_certificate",
    "CourseOfStudy": "course_certificate",
}


@dataclass
class CredentialFacts:
    title: str
    format: str
    kind: str
    issuer_id: str | None
    issuer_name: str | None
    issuer_url: str | None
    earned_on: date
    credits: float | None = None
    credits_source: str | None = None  # short: "credential.creditsAvailable"
    score: float | None = None
    grade: str | None = None
    evidence_url: str | None = None
    achievement_id: str | None = None
    human_code: str | None = None
    ctids: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


def _subject(document: dict[str, Any]) -> dict[str, Any]:
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    return subject if isinstance(subject, dict) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def fingerprint(credential: dict[str, Any]) -> str:
    """SHA-256 of the credential's content without its proof(s): the same
    credential re-signed, or sent as VC-JWT instead of JSON-LD, is still the same
    credential. Content, not issuer + id, so that a forged copy that merely
    claims someone's credential id cannot take its place."""
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    return hashlib.sha256(
        json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def _earned(*values: Any) -> date:
    for value in values:
        parsed = parse_time(value)
        if parsed:
            return parsed.date()
    return datetime.now(UTC).date()


def vc_facts(document: dict[str, Any], fmt: str) -> CredentialFacts:
    subject = _subject(document)
    achievement = (
        subject.get("achievement")
        if isinstance(subject.get("achievement"), dict)
        else {}
    )
    issuer = document.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {"id": issuer}
    facts = CredentialFacts(
        title=str(
            achievement.get("name") or document.get("name") or "Untitled credential"
        ),
        format=fmt,
        kind=KINDS.get(str(achievement.get("achievementType")), "badge"),
        issuer_id=issuer.get("id"),
        issuer_name=issuer.get("name"),
        issuer_url=issuer.get("url"),
        earned_on=_earned(
            document.get("awardedDate"),
            document.get("validFrom"),
            document.get("issuanceDate"),
        ),
        achievement_id=achievement.get("id"),
        human_code=achievement.get("humanCode"),
    )
    for node, name in ((subject, "creditsEarned"), (achievement, "creditsAvailable")):
        value = node.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            facts.credits, facts.credits_source = float(value), f"credential.{name}"
            break
    for result in _as_list(subject.get("result")):
        if not isinstance(result, dict):
            continue
        value = result.get("value")
        try:
            facts.score = float(value)
        except (TypeError, ValueError):
            facts.grade = str(value)[:32] if value is not None else facts.grade
        break
    for evidence in _as_list(document.get("evidence")):
        if isinstance(evidence, dict) and str(evidence.get("id", "")).startswith(
            "http"
        ):
            facts.evidence_url = evidence["id"]
            break
    for alignment in _as_list(achievement.get("alignment")):
        if not isinstance(alignment, dict):
            continue
        for value in (alignment.get("targetCode"), alignment.get("targetUrl")):
            if isinstance(value, str):
                facts.ctids += CTID.findall(value)
        if isinstance(alignment.get("targetUrl"), str):
            facts.urls.append(alignment["targetUrl"])
    if isinstance(achievement.get("id"), str) and achievement["id"].startswith("http"):
        facts.urls.append(achievement["id"])
    facts.ctids = list(dict.fromkeys(c.lower() for c in facts.ctids))
    return facts


def ob2_facts(
    assertion: dict[str, Any], badge: dict[str, Any], issuer: dict[str, Any], fmt: str
) -> CredentialFacts:
    facts = CredentialFacts(
        title=str(badge.get("name") or "Untitled badge"),
        format=fmt,
        kind="badge",
        issuer_id=issuer.get("id"),
        issuer_name=issuer.get("name"),
        issuer_url=issuer.get("url"),
        earned_on=_earned(assertion.get("issuedOn")),
        achievement_id=badge.get("id"),
    )
    for alignment in _as_list(badge.get("alignment")):
        if isinstance(alignment, dict):
            for value in (alignment.get("targetCode"), alignment.get("targetUrl")):
                if isinstance(value, str):
                    facts.ctids += CTID.findall(value)
            if isinstance(alignment.get("targetUrl"), str):
                facts.urls.append(alignment["targetUrl"])
    evidence = assertion.get("evidence")
    if isinstance(evidence, str) and evidence.startswith("http"):
        facts.evidence_url = evidence
    return facts
