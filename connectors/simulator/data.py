"""A deterministic, provider-neutral catalogue: course i of seed s never varies.

Each course is derived from its own seeded RNG, so a format module can render
any slice without generating the ones before it, and two processes with the
same seed serve identical feeds. `fate()` decides, per generation, which
courses change or disappear, so tests can move the catalogue between runs.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

# (code, weight): roughly the sample's mix of national coordinators.
COORDINATORS = (
    ("NPTEL", 55),
    ("CEC", 16),
    ("AICTE", 10),
    ("IGNOU", 9),
    ("NCERT", 4),
    ("NITTTR", 3),
    ("IIMB", 3),
)
INSTITUTES = {
    "NPTEL": ("IIT Bombay", "IIT Madras", "IIT Kharagpur", "IIT Kanpur", "IISc"),
    "CEC": ("University of Calcutta", "Netaji Subhas Open University", "EMMRC Pune"),
    "AICTE": ("AICTE", "IIT Delhi"),
    "IGNOU": ("Indira Gandhi National Open University",),
    "NCERT": ("NCERT",),
    "NITTTR": ("NITTTR Chennai", "NITTTR Kolkata"),
    "IIMB": ("IIM Bangalore",),
}
# (subject, discipline code used in slugs)
SUBJECTS = (
    ("Mathematics", "ma"),
    ("Computer Science and Engineering", "cs"),
    ("Mechanical Engineering", "me"),
    ("Humanities and Social Sciences", "hs"),
    ("Management", "mg"),
    ("Physics", "ph"),
    ("Education", "ed"),
    ("Commerce", "cm"),
)
ADJECTIVES = ("Introduction to", "Advanced", "Applied", "Foundations of", "Topics in")
TOPICS = (
    "Number Theory",
    "Thermodynamics",
    "Data Structures",
    "Corporate Finance",
    "Indian Philosophy",
    "Quantum Mechanics",
    "Pedagogy",
    "Accounting",
)
NAMES = ("A. Rao", "S. Iyer", "P. Sharma", "M. Das", "K. Nair", "R. Gupta")
# UTC times of day seen on real SWAYAM timestamps (FORMATS.md §1): IST midnight
# is 18:30Z, but half the instants are elsewhere.
TIMES_OF_DAY = (
    ((18, 30), 48),
    ((0, 0), 16),
    ((23, 30), 9),
    ((19, 0), 8),
    ((18, 0), 6),
    ((17, 30), 5),
    ((12, 0), 8),
)
# NPTEL: credits follow weeks exactly (4 -> 1, 8 -> 2, 12 -> 3).
NPTEL_WEEKS = (4, 8, 12)


@dataclass(frozen=True, slots=True)
class GenCourse:
    index: int
    coordinator: str
    title: str
    institute: str
    instructors: tuple[str, ...]
    subject: str
    discipline: str
    weeks: int | None
    credits: int | None
    hours_per_week: int
    start: datetime | None
    end: datetime | None
    enrolment_end: datetime | None
    exam: datetime | None
    year: int
    summary: str


def _weighted(rng: random.Random, pairs: tuple[tuple[object, int], ...]) -> object:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def unit(seed: int, *parts: object) -> float:
    """A uniform number in [0, 1) fixed by the seed and the parts."""
    digest = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def course(index: int, seed: int) -> GenCourse:
    rng = random.Random(f"{seed}:{index}")
    code = str(_weighted(rng, COORDINATORS))
    subject, discipline = rng.choice(SUBJECTS)
    if code == "NPTEL":
        weeks: int | None = rng.choice(NPTEL_WEEKS)
        credits: int | None = weeks // 4 if weeks else None
    else:
        weeks = rng.choice((4, 6, 8, 12, 15, 16))
        credits = max(1, weeks // 4)
        if rng.random() < 0.03:
            weeks = None
        if rng.random() < 0.02:
            credits = None
    hour, minute = _weighted(rng, TIMES_OF_DAY)  # type: ignore[misc]
    year = 2020 + rng.randrange(6)
    base = datetime(year, rng.choice((1, 7)), 1, hour, minute, tzinfo=UTC)
    start = base + timedelta(days=rng.randrange(60))
    end = start + timedelta(weeks=weeks or 8)
    return GenCourse(
        index=index,
        coordinator=code,
        title=f"{rng.choice(ADJECTIVES)} {rng.choice(TOPICS)} {index + 1}",
        institute=rng.choice(INSTITUTES[code]),
        instructors=tuple(rng.sample(NAMES, rng.choice((1, 1, 2)))),
        subject=subject,
        discipline=discipline,
        weeks=weeks,
        credits=credits,
        hours_per_week=rng.choice((2, 3, 4, 6)),
        start=None if rng.random() < 0.01 else start,
        end=None if rng.random() < 0.15 else end,
        enrolment_end=None if rng.random() < 0.15 else start + timedelta(days=14),
        exam=None if rng.random() < 0.2 else end + timedelta(days=rng.randrange(30)),
        year=year,
        summary=f"A {weeks or 'self-paced'}-week course in {subject.lower()}.",
    )


Fate = Literal["keep", "change", "drop"]


def fate(seed: int, index: int, generation: int, change: float, drop: float) -> Fate:
    """What generation `generation` does to record `index` (generation 0 is pristine).

    Not cumulative: each generation is a fresh draw from generation 0, so going
    back to a generation gives back exactly its data.
    """
    if generation <= 0:
        return "keep"
    if unit(seed, "drop", index, generation) < drop:
        return "drop"
    if unit(seed, "change", index, generation) < change:
        return "change"
    return "keep"
