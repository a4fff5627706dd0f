"""Registering learners and adding credentials: validation, then one write.

Validation problems come back as a list of `Problem`s (field, code, message)
rather than an exception, so the API can report every bad field at once in
its payload's userErrors.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.db.models.catalogue import Course, Institution
from app.db.models.learners import CREDENTIAL_KINDS, Credential, Learner
from app.learners.deposits import deposit

APAAR_ID = re.compile(r"^\d{12}$")
BAD_USER_INPUT = "BAD_USER_INPUT"


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    code: str = BAD_USER_INPUT


async def register_learner(
    apaar_id: str,
    *,
    name: str | None,
    email: str | None,
    abc_account_id: str | None,
    home_institution_id: int | None,
) -> tuple[Learner | None, list[Problem]]:
    problems = []
    if not APAAR_ID.match(apaar_id):
        problems.append(Problem("apaarId", "an APAAR ID is exactly 12 digits"))
    if email is not None and "@" not in email:
        problems.append(Problem("email", "not an e-mail address"))
    if home_institution_id is not None and not await Institution.exists(
        id=home_institution_id
    ):
        problems.append(Problem("homeInstitution", "no such institution"))
    if problems:
        return None, problems
    try:
        learner = await Learner.create(
            apaar_id=apaar_id,
            name=name,
            email=email,
            abc_account_id=abc_account_id,
            home_institution_id=home_institution_id,
        )
    except IntegrityError:
        return None, [Problem("apaarId", "a learner with this APAAR ID exists")]
    return learner, []


@dataclass(frozen=True)
class NewCredential:
    title: str
    earned_on: date
    kind: str = "course_certificate"
    course_id: int | None = None
    credits: float | None = None
    category: str | None = None
    ncrf_level: float | None = None
    score: float | None = None
    grade: str | None = None
    issuer_name: str | None = None
    semester: str | None = None
    evidence_url: str | None = None


def _fingerprint(learner: dict[str, Any], new: NewCredential, issuer: str) -> str:
    """The identity of a result: the same one added twice shares it."""
    text = "\x1f".join(
        [
            issuer,
            learner["apaar_id"],
            str(new.course_id or new.title),
            new.earned_on.isoformat(),
            f"{new.credits or 0:g}",
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


async def add_credential(
    learner: dict[str, Any], new: NewCredential, today: date
) -> tuple[Credential | None, list[Problem]]:
    """A manually added credential, deposited into the ledger when it carries
    credits from an ABC-registered issuer (R-ABC-REG)."""
    problems = []
    course = None
    if new.course_id is not None:
        course = await Course.get_or_none(id=new.course_id).prefetch_related("provider")
        if course is None:
            problems.append(Problem("course", "no such course in the catalogue"))
    if new.earned_on > today:
        problems.append(
            Problem("earnedOn", "a credential cannot be earned in the future")
        )
    if new.credits is not None and new.credits < 0:
        problems.append(Problem("credits", "credits cannot be negative"))
    if new.kind not in CREDENTIAL_KINDS:
        problems.append(Problem("kind", f"one of {', '.join(CREDENTIAL_KINDS)}"))
    if not new.title.strip():
        problems.append(Problem("title", "must not be empty"))
    if problems:
        return None, problems
    provider = course.provider if course else None
    credits = (
        new.credits if new.credits is not None else (course.credits if course else None)
    )
    registered = bool(provider and provider.abc_registered)
    issuer = provider.slug if provider else (new.issuer_name or "")
    level = new.ncrf_level
    if level is None and course is not None:
        level = course.ncrf_level
    try:
        async with in_transaction():
            credential = await Credential.create(
                learner_id=learner["id"],
                course_id=course.id if course else None,
                issuer_id=provider.id if provider else None,
                issuer_name=new.issuer_name or (provider.name if provider else None),
                issuer_registered=registered,
                kind=new.kind,
                title=new.title,
                earned_on=new.earned_on,
                score=new.score,
                grade=new.grade,
                credits=credits,
                credits_source="stated" if new.credits is not None else "course",
                ncrf_level=level,
                category=new.category,
                semester=new.semester,
                evidence_url=new.evidence_url,
                format="manual",
                fingerprint=_fingerprint(learner, new, issuer),
            )
            await deposit(credential, "deposited on entry (R-ABC-REG)")
    except IntegrityError:
        return None, [Problem("title", "this credential was already added")]
    return credential, []
