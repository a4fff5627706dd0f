"""A learner's rows as the credit engine's plain data.

The engine (app/credits) never sees ORM rows (DESIGN.md); this module is the
one place that maps credentials and ledger rows to its dataclasses, for the
API's balance, eligibility, plans and redemption alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.credits import Credit, Learner, Scores
from app.credits.ledger import LedgerEntry as EngineEntry
from app.db.models.catalogue import Course, Institution, Provider
from app.db.models.learners import Credential, LedgerEntry
from app.db.models.learners import Learner as LearnerModel

# Credential kinds (app/db/models/learners.py) → the engine's credit kinds.
_ENGINE_KIND = {
    "course_certificate": "course",
    "micro_credential": "micro_credential",
    "badge": "skill_course",
    "degree": "course",
}

CREDENTIAL_FIELDS = (
    "id",
    "learner_id",
    "course_id",
    "issuer_id",
    "issuer_name",
    "issuer_registered",
    "kind",
    "title",
    "earned_on",
    "score",
    "scores",
    "grade",
    "credits",
    "credits_source",
    "ncrf_level",
    "category",
    "also_counts_as",
    "semester",
    "certificate",
    "evidence_url",
    "format",
    "verification_status",
    "verified_at",
    "created_at",
)


@dataclass
class LearnerRecord:
    """What the engine needs about one learner, read in a few statements."""

    learner: Learner
    credentials: list[dict[str, Any]]
    credits: list[Credit]
    ledger: list[EngineEntry]
    online: set[str]  # credit ids earned in online courses

    def deposited(self) -> list[Credit]:
        """Credits in the bank: only these can be redeemed (ABC regs 8.7)."""
        banked = {e.credit_id for e in self.ledger if e.kind == "deposit"}
        return [c for c in self.credits if c.id in banked]


def _scores(raw: Any) -> Scores | None:
    if not isinstance(raw, dict):
        return None
    try:
        return Scores(
            assignment=float(raw["assignment"]),
            assignment_max=float(raw.get("assignment_max", 25)),
            exam=float(raw["exam"]),
            exam_max=float(raw.get("exam_max", 75)),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _semester(value: str | None) -> tuple[int | None, str | None]:
    if value and value.isdigit():
        return int(value), None
    return None, value


def to_credit(
    row: dict[str, Any],
    provider: str,
    subjects: tuple[str, ...] = (),
    redeemed_for: str | None = None,
    course_ref: str | None = None,
) -> Credit:
    semester, term = _semester(row["semester"])
    return Credit(
        id=str(row["id"]),
        credits=float(row["credits"] or 0),
        provider=provider,
        earned_on=row["earned_on"],
        category=row["category"] or "elective",
        level=row["ncrf_level"],
        title=row["title"],
        also_counts_as=tuple(row["also_counts_as"] or ()),
        issuer_registered=bool(row["issuer_registered"]),
        semester=semester,
        term=term,
        kind=_ENGINE_KIND.get(row["kind"], "course"),
        scores=_scores(row["scores"]),
        certificate=row["certificate"],
        redeemed_for=redeemed_for,
        subjects=subjects,
        # requirement trees name courses by the provider's id (`course{ref}`)
        course_ref=course_ref,
    )


async def home_slug(institution_id: int | None) -> str:
    if institution_id is None:
        return ""
    slug = await Institution.filter(id=institution_id).values_list("slug", flat=True)
    return slug[0] if slug else ""


async def load_record(learner: dict[str, Any]) -> LearnerRecord:
    """Credentials, ledger and learner facts of one learner row (a dict)."""
    rows = (
        await Credential.filter(learner_id=learner["id"])
        .order_by("earned_on", "id")
        .values(*CREDENTIAL_FIELDS)
    )
    ledger = (
        await LedgerEntry.filter(learner_id=learner["id"])
        .order_by("id")
        .values("kind", "credential_id", "credits", "created_at", "award_id")
    )
    issuers = {r["issuer_id"] for r in rows if r["issuer_id"]}
    courses = {r["course_id"] for r in rows if r["course_id"]}
    providers = {
        p["id"]: p
        for p in await Provider.filter(id__in=issuers).values("id", "slug", "swayam")
    }
    course_rows = {
        c["id"]: c
        for c in await Course.filter(id__in=courses).values(
            "id", "external_id", "subjects", "mode", "coordinator"
        )
    }
    home = await home_slug(learner["home_institution_id"])
    debits = {
        e["credential_id"]: str(e["award_id"]) for e in ledger if e["kind"] == "debit"
    }
    credits: list[Credit] = []
    online: set[str] = set()
    for row in rows:
        provider = providers.get(row["issuer_id"])
        course = course_rows.get(row["course_id"], {})
        # SWAYAM credits are told apart for R-SWAYAM-CAP and R-ABC-RES.
        if provider and provider["swayam"] or course.get("coordinator"):
            slug = "swayam"
        else:
            slug = provider["slug"] if provider else (row["issuer_name"] or "")
        credits.append(
            to_credit(
                row,
                slug,
                tuple(course.get("subjects") or ()),
                debits.get(row["id"]),
                course.get("external_id"),
            )
        )
        if course.get("mode") == "online":
            online.add(str(row["id"]))
    by_id = {r["id"]: r for r in rows}
    entries = [
        EngineEntry(
            kind=e["kind"],
            credit_id=str(e["credential_id"]),
            credits=float(e["credits"]),
            on=e["created_at"].date(),
            earned_on=by_id[e["credential_id"]]["earned_on"],
            award=str(e["award_id"]) if e["award_id"] else None,
        )
        for e in ledger
        if e["credential_id"] in by_id
    ]
    facts = Learner(
        home_institution=home,
        apaar_id=learner["apaar_id"],
        marks_percent_sem1_6=learner["marks_percent_sem1_6"],
        cgpa=learner["cgpa"],
    )
    return LearnerRecord(facts, rows, credits, entries, online)


LEARNER_FIELDS = (
    "id",
    "apaar_id",
    "abc_account_id",
    "name",
    "email",
    "home_institution_id",
    "marks_percent_sem1_6",
    "cgpa",
    "created_at",
    "erased_at",
)


async def learner_row(**where: Any) -> dict[str, Any] | None:
    rows = await LearnerModel.filter(**where).values(*LEARNER_FIELDS)
    return rows[0] if rows else None
