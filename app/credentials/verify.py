"""The verifier: one entry point for every format.

`verify_document` never raises for a credential that is merely bad (that is a
report with verdict invalid); it raises NotACredential only for input that is not a
credential at all, which the CLI turns into exit 2 and the API into BAD_USER_INPUT.
"""

from __future__ import annotations

from typing import Any

from app.credentials import ob2
from app.credentials.checks import check_ob2_schema, check_validity, check_vc_schema
from app.credentials.dataintegrity import verify_embedded
from app.credentials.errors import NotACredential
from app.credentials.fetch import Fetcher, Response
from app.credentials.formats import (
    VC_V2,
    Parsed,
    contexts_of,
    detect,
    parse_input,
    types_of,
)
from app.credentials.report import (
    Achievement,
    Status,
    VerificationReport,
    verdict_status,
)
from app.credentials.status import check_status as check_status_of
from app.credentials.vcjwt import credential_of, verify_jwt


class _Memo:
    """One verification asks for the same issuer profile several times: fetch once."""

    def __init__(self, inner: Fetcher) -> None:
        self.inner = inner
        self._seen: dict[str, Response] = {}

    async def get(self, url: str) -> Response:
        if url not in self._seen:
            self._seen[url] = await self.inner.get(url)
        return self._seen[url]


async def verify_document(
    data: bytes | str | dict[str, Any] | Parsed,
    *,
    fetcher: Fetcher,
    check_status: bool = True,
) -> VerificationReport:
    """Verify a credential: bytes (JSON, JWS, PNG, SVG), text or a parsed dict."""
    parsed = data if isinstance(data, Parsed) else parse_input(data)
    fetcher = fetcher if isinstance(fetcher, _Memo) else _Memo(fetcher)
    if parsed.jws is not None:
        report = await _verify_jws(parsed, fetcher, check_status)
        report.related["raw"] = {"compactJws": parsed.jws}
        report.fill_missing()
        return report
    document = parsed.document or {}
    kind = detect(document)
    if kind == "ob2-signed":
        report = _unsigned_ob2(document)
    elif kind == "ob2-hosted":
        report = await _verify_ob2_hosted(document, fetcher)
    else:
        report = await _verify_vc(document, kind, fetcher, check_status)
    # what to store: the credential as verified (a hosted assertion as fetched)
    report.related["raw"] = report.credential or document
    report.fill_missing()
    return report


def issuer_of(document: dict[str, Any]) -> dict[str, Any]:
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        return {"id": issuer}
    if isinstance(issuer, dict):
        return {k: issuer[k] for k in ("id", "name", "url") if k in issuer}
    return {}


def subject_of(document: dict[str, Any]) -> dict[str, Any]:
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, dict):
        return {}
    out = {k: subject[k] for k in ("id", "type", "name") if k in subject}
    if "identifier" in subject:
        out["identifier"] = subject["identifier"]
    return out


def achievement_of(document: dict[str, Any]) -> Achievement:
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    # what the learner earned wins over what the achievement is worth
    for node, field, source in (
        (subject, "creditsEarned", "credentialSubject.creditsEarned"),
        (
            achievement,
            "creditsAvailable",
            "credentialSubject.achievement.creditsAvailable",
        ),
    ):
        value = node.get(field)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Achievement(
                achievement.get("name") or document.get("name"), float(value), source
            )
    return Achievement(achievement.get("name") or document.get("name"))


async def _verify_vc(
    document: dict[str, Any], kind: str, fetcher: Fetcher, check_status: bool
) -> VerificationReport:
    report = VerificationReport(
        format=kind,
        issuer=issuer_of(document),
        subject=subject_of(document),
        achievement=achievement_of(document),
        credential_id=document.get("id"),
        credential=document,
    )
    version = 2 if VC_V2 in contexts_of(document) else 1
    check_vc_schema(document, version, report)
    await verify_embedded(document, report.issuer.get("id"), fetcher, report)
    _vc_validity(document, version, report)
    if check_status:
        await check_status_of(document, report.issuer.get("id"), fetcher, report)
    else:
        report.set(
            "status", Status.NOT_APPLICABLE, "status of a status list is not checked"
        )
    if kind == "clr2":
        await _verify_nested(document, fetcher, report)
    return report


def _vc_validity(
    document: dict[str, Any], version: int, report: VerificationReport
) -> None:
    if version == 2:
        check_validity(
            report,
            ("validFrom", document.get("validFrom")),
            ("validUntil", document.get("validUntil")),
        )
    else:
        check_validity(
            report,
            ("issuanceDate", document.get("issuanceDate")),
            ("expirationDate", document.get("expirationDate")),
        )


async def _verify_nested(
    document: dict[str, Any], fetcher: Fetcher, report: VerificationReport
) -> None:
    """CLR 2.0: every nested credential is verified on its own; associations kept."""
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    nested = subject.get("verifiableCredential") or []
    nested = nested if isinstance(nested, list) else [nested]
    for item in nested:
        try:
            child = await verify_document(item, fetcher=fetcher)
        except NotACredential as exc:
            child = VerificationReport(format="unknown")
            child.set(
                "schema", Status.FAILED, f"nested item is not a credential: {exc}"
            )
        report.nested.append(child)
    associations = subject.get("association")
    associations = associations if isinstance(associations, list) else []
    report.associations = [a for a in associations if isinstance(a, dict)]
    bad = [
        c.credential_id or f"#{i}"
        for i, c in enumerate(report.nested)
        if verdict_status(c) != Status.PASSED
    ]
    worst = max(
        (verdict_status(c) for c in report.nested),
        default=Status.PASSED,
        key=[Status.PASSED, Status.INDETERMINATE, Status.FAILED].index,
    )
    if not report.nested:
        report.set("credentials", Status.FAILED, "the CLR holds no credentials")
    elif worst == Status.PASSED:
        report.set(
            "credentials",
            Status.PASSED,
            f"all {len(report.nested)} nested credentials verify",
        )
    else:
        report.set(
            "credentials",
            worst,
            f"{len(bad)} of {len(report.nested)} nested "
            f"credentials do not verify: {', '.join(bad)}",
        )


async def _verify_jws(
    parsed: Parsed, fetcher: Fetcher, check_status: bool
) -> VerificationReport:
    payload = parsed.jws_payload or {}
    header = parsed.jws_header or {}
    if "Assertion" in types_of(payload) or "recipient" in payload:
        return await _verify_ob2_signed(parsed.jws or "", header, payload, fetcher)
    credential = credential_of(payload)
    if "VerifiableCredential" not in types_of(credential):
        raise NotACredential(
            "JWS payload is neither a verifiable credential nor an OB 2.0 assertion"
        )
    report = VerificationReport(
        format="vc-jwt",
        issuer=issuer_of(credential),
        subject=subject_of(credential),
        achievement=achievement_of(credential),
        credential_id=credential.get("id"),
        credential=credential,
    )
    iss = payload.get("iss")
    if iss and report.issuer.get("id") and iss != report.issuer["id"]:
        report.set(
            "issuer_key", Status.FAILED, f"iss {iss} is not the credential issuer"
        )
    version = 2 if VC_V2 in contexts_of(credential) else 1
    check_vc_schema(credential, version, report)
    await verify_jwt(parsed.jws or "", header, report.issuer.get("id"), fetcher, report)
    if "vc" in payload:
        check_validity(
            report,
            ("nbf", payload.get("nbf")),
            ("exp", payload.get("exp")),
            numeric=True,
        )
    _vc_validity(credential, version, report)
    if check_status:
        await check_status_of(credential, report.issuer.get("id"), fetcher, report)
    if "ClrCredential" in types_of(credential):
        await _verify_nested(credential, fetcher, report)
    return report


def _ob2_report(
    kind: str, assertion: dict[str, Any], badge: dict, issuer: dict
) -> VerificationReport:
    recipient = (
        assertion.get("recipient")
        if isinstance(assertion.get("recipient"), dict)
        else {}
    )
    return VerificationReport(
        format=kind,
        issuer={k: issuer[k] for k in ("id", "name", "url") if k in issuer},
        subject={
            k: recipient[k] for k in ("type", "identity", "hashed") if k in recipient
        },
        achievement=Achievement(badge.get("name")),
        credential_id=assertion.get("id"),
        credential=assertion,
        related={"badge": badge, "issuer": issuer},
    )


async def _verify_ob2_hosted(
    document: dict[str, Any], fetcher: Fetcher
) -> VerificationReport:
    scratch = VerificationReport(format="ob2-hosted")
    assertion = await ob2.verify_hosted(document, fetcher, scratch)
    badge, issuer = await ob2.badge_and_issuer(assertion, fetcher)
    report = _ob2_report("ob2-hosted", assertion, badge, issuer)
    report.checks = scratch.checks
    _ob2_common(assertion, report)
    return report


async def _verify_ob2_signed(
    token: str, header: dict[str, Any], assertion: dict[str, Any], fetcher: Fetcher
) -> VerificationReport:
    badge, issuer = await ob2.badge_and_issuer(assertion, fetcher)
    report = _ob2_report("ob2-signed", assertion, badge, issuer)
    await ob2.verify_signed(token, header, assertion, fetcher, report)
    _ob2_common(assertion, report)
    return report


def _unsigned_ob2(assertion: dict[str, Any]) -> VerificationReport:
    """A signed-type assertion given as bare JSON: its signature was left behind."""
    report = _ob2_report("ob2-signed", assertion, {}, {})
    report.set("proof", Status.FAILED, "a signed badge must arrive as its JWS")
    report.set("issuer_key", Status.NOT_APPLICABLE, "no signature")
    report.set("status", Status.NOT_APPLICABLE, "no signature")
    _ob2_common(assertion, report)
    return report


def _ob2_common(assertion: dict[str, Any], report: VerificationReport) -> None:
    check_ob2_schema(assertion, report)
    check_validity(
        report,
        ("issuedOn", assertion.get("issuedOn")),
        ("expires", assertion.get("expires")),
    )
    for name in ("proof", "issuer_key", "status"):
        if report.check(name) is None:
            report.set(name, Status.INDETERMINATE, "could not be checked")
