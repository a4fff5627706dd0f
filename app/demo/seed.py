"""Writes the demo data set. Every row is keyed on its natural key, so
running it again changes nothing and duplicates nothing.

The synced catalogues come first, through the real connectors and sync engine
(app/demo/catalogue.py); the hand-written rows below come after them, so the
coordinators' names they set are the ones a second run leaves too. The
equivalence matcher runs last, over everything (app/demo/equivalence.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from app.db.models.catalogue import Course, Institution, Offering, Programme, Provider
from app.db.models.learners import Credential, Learner, LedgerEntry
from app.db.models.pathways import Pathway, PathwayCourse

PROVIDERS = [
    dict(
        slug="nptel",
        name="NPTEL",
        kind="national_coordinator",
        country="IN",
        url="https://nptel.ac.in",
        abc_registered=True,
        swayam=True,
    ),
    dict(
        slug="cec",
        name="Consortium for Educational Communication",
        kind="national_coordinator",
        country="IN",
        url="https://cec.nic.in",
        abc_registered=True,
        swayam=True,
    ),
    dict(
        slug="demo-university",
        name="Demo State University",
        kind="university",
        country="IN",
        url="https://university.example.in",
        abc_registered=True,
    ),
    dict(
        slug="openskills",
        name="OpenSkills Academy",
        kind="platform",
        country="US",
        url="https://openskills.example.com",
        abc_registered=False,
    ),
]

# (provider, external id, title, credits, weeks, level, subjects, hours,
#  fee in minor units, currency)
COURSES = [
    (
        "nptel",
        "demo-ds",
        "Data Structures and Algorithms",
        3,
        12,
        5.0,
        ["Computer Science"],
        90,
        0,
        "INR",
    ),
    (
        "nptel",
        "demo-pp",
        "Programming in Python",
        2,
        8,
        4.5,
        ["Computer Science"],
        60,
        0,
        "INR",
    ),
    (
        "nptel",
        "demo-ml",
        "Introduction to Machine Learning",
        3,
        12,
        5.5,
        ["Computer Science", "Mathematics"],
        90,
        0,
        "INR",
    ),
    (
        "cec",
        "demo-env",
        "Environmental Studies",
        2,
        8,
        4.5,
        ["Environmental Science"],
        60,
        0,
        "INR",
    ),
    (
        "demo-university",
        "DSU-MA101",
        "Calculus I",
        4,
        15,
        4.5,
        ["Mathematics"],
        120,
        450000,
        "INR",
    ),
    (
        "openskills",
        "os-sql",
        "SQL for Data Analysis",
        1,
        4,
        4.5,
        ["Data"],
        30,
        4900,
        "USD",
    ),
]

LEARNERS = [
    dict(
        apaar_id="123456789012",
        name="Asha Rao",
        abc_account_id="ABC-DEMO-0001",
        marks_percent_sem1_6=78.0,
    ),
    dict(apaar_id="987654321098", name="Vikram Singh", abc_account_id="ABC-DEMO-0002"),
]

# (learner, course external id, earned on, score, category, fingerprint)
CREDENTIALS = [
    ("123456789012", "demo-pp", date(2025, 4, 30), 82.0, "major", "demo-cred-1"),
    ("123456789012", "demo-env", date(2025, 4, 30), 74.0, "vac", "demo-cred-2"),
    ("123456789012", "DSU-MA101", date(2025, 5, 30), 88.0, "major", "demo-cred-3"),
    ("987654321098", "demo-ds", date(2025, 11, 15), 67.0, "major", "demo-cred-4"),
]


async def _upsert(
    model: type[Model], keys: dict[str, Any], values: dict[str, Any]
) -> Any:
    obj, _ = await model.update_or_create(defaults=values, **keys)
    return obj


async def seed_demo(echo: Callable[[str], None] = print) -> dict[str, int]:
    """Load the demo catalogues, write the demo graph and match it; returns counts.

    `echo` gets one line per synced source and per kind of equivalence group
    (the CLI prints them; serve.py calls this with no arguments).
    """
    from app.demo.catalogue import load_demo_catalogue
    from app.demo.equivalence import match_demo

    loads = await load_demo_catalogue()
    await _write_graph()
    groups, group_lines = await match_demo()
    echo("demo catalogues, synced by the real connectors from the simulator:")
    for load in loads:
        echo(load.summary())
    for line in group_lines:
        echo(line)
    return {
        "providers": await Provider.all().count(),
        "courses": await Course.all().count(),
        "connectors": sum(1 for load in loads if load.courses),
        "equivalence_groups": len(groups),
        "learners": await Learner.all().count(),
    }


async def _write_graph() -> None:
    """The hand-written providers, courses, pathway, programme and learners."""
    async with in_transaction():
        providers = {}
        for p in PROVIDERS:
            values = {k: v for k, v in p.items() if k != "slug"}
            providers[p["slug"]] = await _upsert(Provider, {"slug": p["slug"]}, values)
        courses = {}
        for (
            prov,
            ext,
            title,
            credits,
            weeks,
            level,
            subjects,
            hours,
            fee,
            cur,
        ) in COURSES:
            course = await _upsert(
                Course,
                {"provider": providers[prov], "external_id": ext},
                dict(
                    title=title,
                    credits=credits,
                    credit_source="stated",
                    weeks=weeks,
                    ncrf_level=level,
                    subjects=subjects,
                    notional_hours=hours,
                    language="en",
                    languages=["en"],
                    mode="online" if prov != "demo-university" else "in_person",
                    source="demo",
                    next_start=date(2026, 1, 19),
                    min_fee_minor=fee,
                    fee_currency=cur,
                    has_certificate=True,
                ),
            )
            courses[ext] = course
            for run, start in (
                ("2025-07", date(2025, 7, 21)),
                ("2026-01", date(2026, 1, 19)),
            ):
                await _upsert(
                    Offering,
                    {"provider": providers[prov], "external_id": f"{ext}-{run}"},
                    dict(
                        course=course,
                        start=start,
                        fee_minor=fee,
                        currency=cur,
                        end=date.fromordinal(start.toordinal() + 7 * weeks),
                        mode=course.mode,
                        language="en",
                        status="scheduled",
                        has_exam=prov in ("nptel", "cec"),
                        source="demo",
                    ),
                )
        pathway = await _upsert(
            Pathway,
            {"slug": "nptel-cs-foundations"},
            dict(
                provider=providers["nptel"],
                external_id="cs-foundations",
                title="NPTEL Domain Certificate: Computer Science Foundations",
                kind="domain_certificate",
                credits=8,
                ncrf_level=5.0,
                requirement={
                    "all_of": [
                        {"course": "demo-pp"},
                        {"course": "demo-ds"},
                        {"course": "demo-ml"},
                    ]
                },
                source="demo",
            ),
        )
        for position, ext in enumerate(("demo-pp", "demo-ds", "demo-ml")):
            await _upsert(
                PathwayCourse,
                {"pathway": pathway, "course_ref": ext},
                dict(course=courses[ext], position=position),
            )
        university = await _upsert(
            Institution,
            {"slug": "demo-university"},
            dict(
                name="Demo State University",
                aishe_code="U-0000",
                abc_registered=True,
                provider=providers["demo-university"],
            ),
        )
        await _upsert(
            Programme,
            {"institution": university, "external_id": "ug-certificate-cs"},
            dict(
                name="UG Certificate in Computer Science",
                award_kind="ug_certificate",
                policy_name="ugc-2023",
                credits=44,
                ncrf_level=4.5,
                duration_years=1,
                source="demo",
            ),
        )
        learners = {}
        for learner in LEARNERS:
            values = {k: v for k, v in learner.items() if k != "apaar_id"}
            learners[learner["apaar_id"]] = await _upsert(
                Learner, {"apaar_id": learner["apaar_id"]}, values
            )
            # The university's admins must see its learners; a home an operator
            # has since given one is theirs to keep, so only a missing one is set.
            if learners[learner["apaar_id"]].home_institution_id is None:
                learners[learner["apaar_id"]].home_institution = university
                await learners[learner["apaar_id"]].save(
                    update_fields=["home_institution_id"]
                )
        for apaar, ext, earned, score, category, fingerprint in CREDENTIALS:
            course = courses[ext]
            issuer = await course.provider
            credential = await _upsert(
                Credential,
                {"fingerprint": fingerprint},
                dict(
                    learner=learners[apaar],
                    course=course,
                    issuer=issuer,
                    issuer_name=issuer.name,
                    issuer_registered=issuer.abc_registered,
                    kind="course_certificate",
                    title=course.title,
                    earned_on=earned,
                    score=score,
                    credits=course.credits,
                    credits_source="course",
                    ncrf_level=course.ncrf_level,
                    category=category,
                    certificate=True,
                    format="manual",
                    verification_status="unverified",
                    semester="1",
                ),
            )
            await _upsert(
                LedgerEntry,
                {"credential": credential, "kind": "deposit"},
                dict(learner=learners[apaar], credits=course.credits),
            )
