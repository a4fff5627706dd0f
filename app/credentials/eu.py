"""The EU micro-credential view: Annex I of Council Recommendation 2022/C 243/02.

For each mandatory element, the value found and the field it came from, or
`missing` — so an institution sees at a glance which imported micro-credentials
are complete. Reads OB 3.0 / VC fields and the ELM/EDC fields they map to.
"""

from __future__ import annotations

import re
from typing import Any

# (element, candidate field paths in order of preference); `[]` walks a list
ANNEX_I: list[tuple[str, list[str]]] = [
    (
        "learner identification",
        [
            "credentialSubject.id",
            "credentialSubject.identifier[].identityHash",
            "credentialSubject.fullName",
            "credentialSubject.name",
            "recipient.identity",
        ],
    ),
    (
        "title",
        [
            "credentialSubject.achievement.name",
            "credentialSubject.hasClaim.title",
            "name",
            "badge.name",
        ],
    ),
    (
        "country or region of the issuer",
        [
            "issuer.address.addressCountry",
            "issuer.address.addressRegion",
            "issuer.location.address.countryCode",
            "issuer.location",
        ],
    ),
    (
        "awarding body",
        ["issuer.name", "issuer.legalName", "credentialSubject.source.name"],
    ),
    ("date of issue", ["awardedDate", "validFrom", "issuanceDate", "issuedOn"]),
    (
        "learning outcomes",
        [
            "credentialSubject.achievement.alignment[].targetName",
            "credentialSubject.hasClaim.specifiedBy.learningOutcome[].title",
            "credentialSubject.achievement.tag",
        ],
    ),
    (
        "notional workload (ECTS where possible)",
        [
            "credentialSubject.achievement.creditsAvailable",
            "credentialSubject.creditsEarned",
            "credentialSubject.hasClaim.specifiedBy.creditPoint[].point",
            "credentialSubject.hasClaim.specifiedBy.volumeOfLearning",
        ],
    ),
    (
        "level (EQF / QF-EHEA) if applicable",
        [
            "credentialSubject.hasClaim.specifiedBy.eqfLevel",
            "credentialSubject.achievement.alignment[?EQF].targetName",
            "credentialSubject.achievement.educationLevel",
        ],
    ),
    (
        "type of assessment",
        [
            "credentialSubject.achievement.resultDescription[].resultType",
            "credentialSubject.hasClaim.provenBy.title",
            "credentialSubject.achievement.criteria.narrative",
        ],
    ),
    (
        "form of participation",
        [
            "credentialSubject.hasClaim.specifiedBy.mode",
            "credentialSubject.achievement.mode",
            "credentialSubject.hasClaim.specifiedBy.learningSetting",
        ],
    ),
    (
        "type of quality assurance",
        [
            "issuer.accreditation",
            "credentialSubject.achievement.otherIdentifier[].identifier",
            "endorsement[].issuer.name",
            "credentialSubject.hasClaim.specifiedBy.qualityAssurance",
        ],
    ),
]
# Annex I: "level … if applicable"; every other element is mandatory
OPTIONAL = {"level (EQF / QF-EHEA) if applicable"}


def _walk(node: Any, parts: list[str]) -> list[Any]:
    if not parts:
        return [] if node in (None, "", [], {}) else [node]
    part, rest = parts[0], parts[1:]
    if isinstance(node, list):
        return [v for item in node for v in _walk(item, parts)]
    if not isinstance(node, dict):
        return []
    match = re.fullmatch(r"(\w+)(\[(\?(\w[\w-]*))?\])?", part)
    if not match:
        return []
    key, listed, wanted = match.group(1), match.group(2), match.group(4)
    value = node.get(key)
    if listed:
        items = value if isinstance(value, list) else [value] if value else []
        if wanted:
            items = [i for i in items if wanted.lower() in str(i).lower()]
        return [v for item in items for v in _walk(item, rest)]
    return _walk(value, rest)


def _text(values: list[Any]) -> str:
    flat = []
    for value in values:
        if isinstance(value, dict):
            # ELM language maps {"en": ["…"]} and Concepts {prefLabel: …}
            value = value.get("prefLabel", value)
            value = (
                next(iter(value.values()), value) if isinstance(value, dict) else value
            )
        flat += value if isinstance(value, list) else [value]
    return "; ".join(str(v) for v in flat)[:500]


def annex_one(document: dict[str, Any]) -> dict[str, Any]:
    """`{complete, missing: [...], elements: [{element, value, source, missing}]}`."""
    elements = []
    for element, paths in ANNEX_I:
        found = next(
            (
                (path, values)
                for path in paths
                if (values := _walk(document, path.split(".")))
            ),
            None,
        )
        if found:
            elements.append(
                {
                    "element": element,
                    "value": _text(found[1]),
                    "source": found[0],
                    "missing": False,
                }
            )
        else:
            elements.append(
                {"element": element, "value": None, "source": None, "missing": True}
            )
    missing = [
        e["element"] for e in elements if e["missing"] and e["element"] not in OPTIONAL
    ]
    return {"complete": not missing, "missing": missing, "elements": elements}
