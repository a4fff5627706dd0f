"""Benchmark of the credit engine (prints figures; not a test).

1. A learner with 300 credit records against honours (target <= 5 ms each): the
   usual case (every credit in its own category) and a hard case (competing
   categories, SWAYAM caps that bite, external credits that strain residency), which
   goes through the integer program.
2. A gap plan over a generated 50,000-course catalogue (target <= 300 ms).

Run: .venv/bin/python bench/eligibility.py [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from app.credits.awards import builtin_award
from app.credits.evaluation import evaluate
from app.credits.model import Credit, Learner
from app.credits.planner import CatalogueCourse, plan
from app.credits.policy import get_policy

AS_OF = date(2026, 6, 1)
CATEGORIES = ("major", "minor", "multidisciplinary", "aec", "sec", "vac", "internship")
SHARES = (0.45, 0.2, 0.07, 0.06, 0.08, 0.05, 0.02)


def learner_records(n: int, rng: random.Random, hard: bool) -> list[Credit]:
    out = []
    for i in range(n):
        category = rng.choices(CATEGORIES + ("elective",), SHARES + (0.07,))[0]
        provider = "home"
        if hard and i % 2 == 0:
            provider = "swayam"  # half of each semester: over the 40% cap
        elif hard and i % 7 == 0:
            provider = "coursera"
        also: tuple[str, ...] = ()
        if hard and i % 3 == 0:
            also = (rng.choice(CATEGORIES),)
        out.append(
            Credit(
                id=f"c{i}",
                credits=rng.choice((0.5, 1) if hard else (1, 2, 2, 3, 4)),
                provider=provider,
                earned_on=AS_OF - timedelta(days=rng.randint(30, 1500)),
                category=category,
                also_counts_as=also,
                level=rng.choice((4.5, 5, 5.5, 6)),
                semester=1 + i % 8,
                certificate=True,
            )
        )
    out.append(Credit("rp", 12, "home", AS_OF, "research_project", 6, semester=8))
    return out


def catalogue(n: int, rng: random.Random) -> list[CatalogueCourse]:
    out = []
    for i in range(n):
        credits = rng.choice((1, 2, 3, 4))
        weeks = {1: 4, 2: 8, 3: 12, 4: 12}[credits]
        out.append(
            CatalogueCourse(
                id=f"k{i}",
                title=f"Course {i}",
                provider=rng.choice(("home", "swayam", "swayam", "edx", "coursera")),
                credits=credits,
                hours=credits * 30 * rng.uniform(0.8, 1.3),
                fee=rng.choice((0, 0, 1000, 2500, 5000)) * credits,
                weeks=weeks,
                start=AS_OF + timedelta(days=rng.randint(-60, 240)),
                level=rng.choice((4, 4.5, 5, 5.5, 6)),
                category=rng.choice(CATEGORIES + ("elective", "research_project")),
                also_counts_as=(rng.choice(CATEGORIES),) if rng.random() < 0.2 else (),
                issuer_registered=rng.random() < 0.9,
            )
        )
    return out


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median wall ms, median CPU ms (the machine may be shared), the result."""
    walls, cpus = [], []
    result = None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(10)
    policy = get_policy("ugc-2023")
    tree = builtin_award("bachelor_honours", policy)
    who = Learner(home_institution="home")

    for label, hard in (("usual", False), ("hard (competing, caps)", True)):
        records = learner_records(300, rng, hard)
        med, worst, result = timed(
            lambda r=records: evaluate(r, who, tree, "bachelor_honours", policy, AS_OF),
            args.repeat,
        )
        print(
            f"honours, 300 credit records, {label}: median {med:.2f} ms wall, "
            f"{worst:.2f} ms CPU (target <= 5 ms); eligible={result.eligible} "
            f"solver={result.solver} counted={result.totals.credits:g}"
        )

    courses = catalogue(50_000, rng)
    short_learner = [
        c for c in learner_records(300, random.Random(11), False) if c.category != "sec"
    ][:140]
    for minimise in ("hours", "fee", "weeks"):
        med, worst, result = timed(
            lambda m=minimise: plan(
                short_learner, who, tree, "bachelor_honours", policy, AS_OF, courses, m
            ),
            max(3, args.repeat // 4),
        )
        print(
            f"gap plan over {len(courses)} courses, minimise {minimise}: median "
            f"{med:.1f} ms wall, {worst:.1f} ms CPU (target <= 300 ms); feasible="
            f"{result.feasible} courses={len(result.courses)} "
            f"hours={result.total_hours:.1f} fee={result.total_fee:g} "
            f"weeks={result.weeks:.2f} "
            f"candidates after pruning={result.candidates} gaps="
            f"{[(g.what, g.short) for g in result.gaps]}"
        )


if __name__ == "__main__":
    main()
