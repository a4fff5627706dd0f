"""Credentials in the database: import (verify, match, store), re-verify, export.

The functions the GraphQL layer and the CLI share. A credential is stored only if
it is not invalid; importing the same credential again (same fingerprint) updates
the one row instead of adding a second, so a credit can never be deposited twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app.credentials.clr import Award as ClrAward
from app.credentials.clr import build_clr, nestable
from app.credentials.errors import CredentialError, NotACredential
from app.credentials.eu import annex_one
from app.credentials.fetch import Fetcher
from app.credentials.formats import parse_jws
from app.credentials.mapping import CredentialFacts, fingerprint, ob2_facts, vc_facts
from app.credentials.report import Verdict, VerificationReport
from app.credentials.signing import Signer
from app.credentials.vcjwt import credential_of
from app.credentials.verify import verify_document
from app.db.models.catalogue import Course, Provider
from app.db.models.learners import Award, Credential, Learner, LedgerEntry
from app.learners.deposits import deposit

APAAR = re.compile(r"^\d{12}$")


class AlreadyClaimed(CredentialError):
    """The credential is already stored for another learner."""

    code = "FORBIDDEN"


@dataclass
class ImportResult:
    report: VerificationReport
    # the stored rows: one for a credential, one per valid nested credential of a CLR
    credentials: list[Credential] = field(default_factory=list)

    @property
    def stored(self) -> bool:
        return bool(self.credentials)


def masked(apaar_id: str) -> str:
    """RULES.md Identity: never print an APAAR ID in full."""
    return "********" + apaar_id[-4:]


def check_apaar(apaar_id: str) -> str:
    if not APAAR.match(apaar_id or ""):
        raise CredentialError("an APAAR ID is 12 digits")
    return apaar_id


def stored_credential(document: dict[str, Any] | None) -> dict[str, Any]:
    """The credential inside a stored document (a VC-JWT is kept as its token)."""
    document = document or {}
    if isinstance(document.get("compactJws"), str):
        return credential_of(parse_jws(document["compactJws"]).jws_payload or {})
    return document


def eu_view(credential: Credential) -> dict[str, Any]:
    """The Annex I completeness view of a stored credential."""
    return annex_one(stored_credential(credential.document))


def facts_of(report: VerificationReport) -> CredentialFacts:
    credential = report.credential or {}
    if report.format.startswith("ob2"):
        return ob2_facts(
            credential,
            report.related.get("badge") or {},
            report.related.get("issuer") or {},
            report.format,
        )
    return vc_facts(credential, report.format)


async def match_course(
    facts: CredentialFacts,
) -> tuple[Course | None, Provider | None, str]:
    """The catalogue course a credential is for, and why we think so."""
    provider = None
    if facts.issuer_name:
        provider = await Provider.filter(name__iexact=facts.issuer_name).first()
    if provider is None and (facts.issuer_url or facts.issuer_id):
        urls = [u for u in (facts.issuer_url, facts.issuer_id) if u]
        provider = await Provider.filter(url__in=urls).first()
    if facts.ctids or facts.urls:
        course = await Course.filter(
            Q(external_id__in=facts.ctids) | Q(url__in=facts.urls), withdrawn=False
        ).first()
        if course is not None:
            via = "CTDL CTID" if course.external_id in facts.ctids else "catalogue URL"
            return course, provider or await course.provider, f"alignment to {via}"
    if provider is None:
        return (
            None,
            None,
            f"issuer {facts.issuer_name or facts.issuer_id!r} is no known provider",
        )
    if facts.human_code:
        course = await Course.filter(
            provider=provider, external_id=facts.human_code
        ).first()
        if course is not None:
            return (
                course,
                provider,
                f"issuer is provider {provider.slug}; course code matches",
            )
    course = await Course.filter(
        provider=provider, title__iexact=facts.title, withdrawn=False
    ).first()
    if course is not None:
        return course, provider, f"issuer is provider {provider.slug}; title matches"
    return (
        None,
        provider,
        f"issuer is provider {provider.slug}; no course titled {facts.title!r}",
    )


def _raw(report: VerificationReport) -> dict[str, Any]:
    raw = report.related.get("raw")
    return raw if isinstance(raw, dict) else {"value": raw}


async def _store(
    learner: Learner, report: VerificationReport, now: datetime
) -> Credential:
    facts = facts_of(report)
    course, provider, reason = await match_course(facts)
    credits, credits_source = facts.credits, facts.credits_source
    if credits is None and course is not None and course.credits is not None:
        credits, credits_source = (
            course.credits,
            f"course:{course.credit_source or 'catalogue'}",
        )
    raw = _raw(report)
    values = {
        "course": course,
        "course_match_reason": reason[:255],
        "issuer": provider,
        "issuer_name": (facts.issuer_name or facts.issuer_id or "")[:255] or None,
        "issuer_registered": bool(provider and provider.abc_registered),
        "kind": facts.kind,
        "title": facts.title[:512],
        "earned_on": facts.earned_on,
        "score": facts.score,
        "grade": facts.grade,
        "credits": credits,
        "credits_source": (credits_source or "")[:32] or None,
        "ncrf_level": course.ncrf_level if course else None,
        "evidence_url": (facts.evidence_url or "")[:1024] or None,
        "format": report.format,
        "document": raw,
        "verification_status": report.verdict.value,
        "verification": report.to_dict(),
        "verified_at": now,
    }
    key = fingerprint(report.credential or raw)
    existing = await Credential.get_or_none(fingerprint=key)
    if existing is None:
        try:
            async with in_transaction():
                credential = await Credential.create(
                    learner=learner, fingerprint=key, **values
                )
                await _bank(credential, report)
                return credential
        except IntegrityError:
            # a concurrent import of the same credential won the race: update that row
            existing = await Credential.get(fingerprint=key)
    if existing.learner_id != learner.id:
        raise AlreadyClaimed("this credential is already held by another learner")
    async with in_transaction():
        await existing.update_from_dict(values).save()
        await _bank(existing, report)
    return existing


async def _bank(credential: Credential, report: VerificationReport) -> None:
    # Only a proven credential is banked: an indeterminate one (say, its status
    # list could not be fetched) is stored and deposited once it verifies.
    if report.verdict is Verdict.VALID:
        await deposit(credential, f"deposited on import ({report.format}, R-ABC-REG)")


async def import_credential(
    learner: Learner,
    data: bytes | str | dict[str, Any],
    *,
    fetcher: Fetcher,
    now: datetime | None = None,
) -> ImportResult:
    """Verify and store a credential for a learner. Invalid ones are not stored;
    a CLR stores each of its nested credentials that is not invalid. Raises
    NotACredential for input that is not a credential (nothing stored)."""
    now = now or datetime.now(UTC)
    report = await verify_document(data, fetcher=fetcher)
    result = ImportResult(report)
    if report.nested:
        for child in report.nested:
            if child.verdict != Verdict.INVALID and child.credential is not None:
                result.credentials.append(await _store(learner, child, now))
        return result
    if report.verdict != Verdict.INVALID:
        result.credentials.append(await _store(learner, report, now))
    return result


async def reverify_credential(
    credential: Credential, *, fetcher: Fetcher, now: datetime | None = None
) -> VerificationReport:
    """Verify a stored credential again and record the outcome (on demand, or when
    a status list may have changed). The row stays even if it is now invalid."""
    document = credential.document or {}
    data = document.get("compactJws") or document
    report = await verify_document(data, fetcher=fetcher)
    credential.verification_status = report.verdict.value
    credential.verification = report.to_dict()
    credential.verified_at = now or datetime.now(UTC)
    await credential.save(
        update_fields=["verification_status", "verification", "verified_at"]
    )
    return report


async def export_clr_for(learner: Learner, *, signer: Signer) -> dict[str, Any]:
    """The learner's signed CLR: valid credentials nested, awards with the
    credentials they used (from the ledger's debits) as associations."""
    credentials = await Credential.filter(learner=learner, verification_status="valid")
    nested: list[dict[str, Any]] = []
    extra: list[dict[str, Any]] = []
    ref_of: dict[int, str] = {}
    for row in credentials:
        document = row.document or {}
        ref = str(document.get("id") or f"urn:credgraph:credential:{row.id}")
        ref_of[row.id] = ref
        if nestable(document) and "proof" in document:
            nested.append(document)
        else:
            achievement: dict[str, Any] = {
                "id": ref,
                "type": ["Achievement"],
                "name": row.title,
                "description": f"{row.title} ({row.format})",
                "criteria": {
                    "narrative": f"Issued by {row.issuer_name or 'an issuer'}"
                },
            }
            if row.credits is not None:
                achievement["creditsAvailable"] = row.credits
            extra.append(achievement)
    awards = []
    for award in await Award.filter(learner=learner):
        debits = await LedgerEntry.filter(award=award, kind="debit")
        awards.append(
            ClrAward(
                id=f"urn:credgraph:award:{award.id}",
                name=award.title,
                description=f"{award.title} (policy {award.policy_name} "
                f"{award.policy_version})",
                credits=float(sum(d.credits for d in debits)) if debits else None,
                part_ids=[
                    ref_of[d.credential_id] for d in debits if d.credential_id in ref_of
                ],
            )
        )
    return build_clr(
        apaar_id=learner.apaar_id,
        learner_name=learner.name,
        credentials=nested,
        awards=awards,
        signer=signer,
        extra_achievements=extra,
    )


# --- the CLI side: its own database connection -----------------------------


async def import_many(apaar_id: str, sources: list[str]) -> int:
    """`credgraph import`: one JSON report per source. Exit 0 when all were stored,
    1 when any was invalid or could not be imported, 2 when any input was not a
    credential (the others are still stored)."""
    import json
    import sys

    from app.credentials.fetch import default_fetcher
    from app.credentials.sources import read_source
    from app.db.connection import open_database
    from app.settings import get_settings

    check_apaar(apaar_id)
    code = 0
    async with open_database(get_settings().database_url), default_fetcher() as fetcher:
        learner, _ = await Learner.get_or_create(apaar_id=apaar_id)
        for source in sources:
            try:
                data = await read_source(source, fetcher)
                result = await import_credential(learner, data, fetcher=fetcher)
            except CredentialError as exc:
                print(f"credgraph import: {source}: {exc}", file=sys.stderr)
                # malformed input is a usage error (2); an unreachable URL or a
                # credential held by someone else is a failed import (1)
                code = max(code, 2 if isinstance(exc, NotACredential) else 1)
                continue
            out = result.report.to_dict() | {
                "source": source,
                "stored": [c.id for c in result.credentials],
            }
            print(json.dumps(out, ensure_ascii=False))
            if result.report.verdict == Verdict.INVALID:
                code = max(code, 1)
    return code


async def export_learner_clr(apaar_id: str) -> dict[str, Any]:
    from app.credentials.signing import settings_signer
    from app.db.connection import open_database
    from app.settings import get_settings

    check_apaar(apaar_id)
    signer = settings_signer()
    async with open_database(get_settings().database_url):
        learner = await Learner.get_or_none(apaar_id=apaar_id)
        if learner is None:
            raise CredentialError(f"no learner with APAAR ID {masked(apaar_id)}")
        return await export_clr_for(learner, signer=signer)
