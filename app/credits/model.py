"""The plain data the engine reads: a learner and the credits they hold.

The engine never sees ORM rows: the GraphQL layer and the CLI both build these
dataclasses, so the rules can be tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

HOME = "home"
SWAYAM = "swayam"
EXTERNAL = "external"

CATEGORIES = (
    "major",
    "minor",
    "multidisciplinary",
    "aec",
    "sec",
    "vac",
    "internship",
    "research_project",
    "vocational",
    "elective",
)
KINDS = (
    "course",
    "vocational",
    "internship",
    "research_project",
    "advanced_course",
    "micro_credential",
    "skill_course",
)


@dataclass(frozen=True)
class Scores:
    """NPTEL-style marks (R-NPTEL-PASS): assignments and proctored exam, each with its
    maximum.
    """

    assignment: float
    assignment_max: float
    exam: float
    exam_max: float

    @property
    def percent(self) -> float:
        total_max = self.assignment_max + self.exam_max
        return 100.0 * (self.assignment + self.exam) / total_max if total_max else 0.0


@dataclass(frozen=True)
class Credit:
    """One earned credit (a course result, internship, project…) as the learner holds
    it.
    """

    id: str
    credits: float
    provider: str
    earned_on: date
    category: str = "elective"
    level: float | None = None
    title: str = ""
    also_counts_as: tuple[str, ...] = ()
    issuer_registered: bool = True
    semester: int | None = None
    term: str | None = None
    kind: str = "course"
    scores: Scores | None = None
    certificate: bool | None = None
    redeemed_for: str | None = None
    subjects: tuple[str, ...] = ()
    # a catalogue course id this credit is a result of (`course` nodes match it or `id`)
    course_ref: str | None = None
    # when the credit was deposited into ABC (R-ABC-SHELF clock switch); else earned_on
    deposited_on: date | None = None

    @cached_property
    def categories(self) -> tuple[str, ...]:
        """The categories this credit may fill, its own first (the allocator picks
        one).
        """
        extra = tuple(c for c in self.also_counts_as if c != self.category)
        return (self.category, *dict.fromkeys(extra))

    @property
    def semester_key(self) -> str:
        if self.semester is not None:
            return f"semester {self.semester}"
        return self.term or "no semester"


@dataclass(frozen=True)
class Learner:
    home_institution: str
    apaar_id: str | None = None
    marks_percent_sem1_6: float | None = None
    cgpa: float | None = None


def provider_kind(credit: Credit, home_institution: str) -> str:
    """`home`, `swayam` or `external` (R-ABC-RES decides if SWAYAM is home)."""
    if credit.provider == home_institution:
        return HOME
    if credit.provider == SWAYAM:
        return SWAYAM
    return EXTERNAL


@dataclass(frozen=True)
class Exclusion:
    """Why a credit does not count: a reason code of AUDIT.md and the rule that decided
    it.
    """

    id: str
    reason: str
    rule: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "reason": self.reason,
            "rule": self.rule,
            "detail": self.detail,
        }


@dataclass
class CreditSet:
    """Credits after admissibility: those that may count and those excluded, with
    reasons.
    """

    admitted: list[Credit] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)
