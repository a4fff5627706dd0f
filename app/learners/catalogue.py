"""Catalogue courses a learner could still take, as the planner's input.

One entry per course: its next offering starting on or after the plan's
date. The entry's id is the course's provider id (external_id), the name
requirement trees use for it (`course{ref}`).
"""

from __future__ import annotations

from datetime import date

from app.credits import CatalogueCourse, Policy
from app.db.models.catalogue import Course, Offering, Provider

# Bounds the planner's input; the exact solver prunes from here.
MAX_CANDIDATES = 2000


async def upcoming_courses(as_of: date, policy: Policy) -> list[CatalogueCourse]:
    offerings = (
        await Offering.filter(
            start__gte=as_of, withdrawn=False, course__withdrawn=False
        )
        .order_by("start", "id")
        .values("course_id", "start", "end", "fee_minor", "currency")
    )
    first: dict[int, dict] = {}
    for o in offerings:
        first.setdefault(o["course_id"], o)
    courses = await Course.filter(id__in=list(first)[:MAX_CANDIDATES]).values(
        "id",
        "external_id",
        "title",
        "provider_id",
        "credits",
        "notional_hours",
        "weeks",
        "ncrf_level",
        "subjects",
        "coordinator",
    )
    providers = {
        p["id"]: p
        for p in await Provider.filter(
            id__in={c["provider_id"] for c in courses}
        ).values("id", "slug", "swayam", "abc_registered")
    }
    hours_per_credit = float(policy.get("NCRF-HOURS", "hours_per_credit"))
    out = []
    for c in courses:
        if not c["credits"]:
            continue
        offering = first[c["id"]]
        provider = providers.get(c["provider_id"], {})
        weeks = c["weeks"] or (
            max(1, (offering["end"] - offering["start"]).days // 7)
            if offering["end"]
            else 12
        )
        out.append(
            CatalogueCourse(
                id=c["external_id"],
                title=c["title"],
                provider="swayam"
                if provider.get("swayam") or c["coordinator"]
                else provider.get("slug", ""),
                credits=float(c["credits"]),
                hours=float(c["notional_hours"] or c["credits"] * hours_per_credit),
                fee=(offering["fee_minor"] or 0) / 100,
                weeks=float(weeks),
                start=offering["start"],
                level=c["ncrf_level"],
                subjects=tuple(c["subjects"] or ()),
                issuer_registered=bool(provider.get("abc_registered", True)),
                currency=offering["currency"] or "INR",
            )
        )
    return out
