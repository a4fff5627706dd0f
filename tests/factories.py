"""Small builders of catalogue rows for tests."""

from __future__ import annotations

from datetime import date

from app.db.models.catalogue import Course, Offering, Provider


async def make_provider(slug: str = "nptel", **values) -> Provider:
    values.setdefault("name", slug.upper())
    values.setdefault("kind", "national_coordinator")
    return await Provider.create(slug=slug, **values)


async def make_course(
    provider: Provider, external_id: str, title: str, **values
) -> Course:
    values.setdefault("credits", 3)
    return await Course.create(
        provider=provider, external_id=external_id, title=title, **values
    )


async def make_offering(
    course: Course, external_id: str, start: date, **values
) -> Offering:
    return await Offering.create(
        course=course,
        provider_id=course.provider_id,
        external_id=external_id,
        start=start,
        **values,
    )
