"""Batch loaders for catalogue relations: one SQL statement per relation per
request, whatever the page size. Rows come back as dicts (`.values()`):
building model instances is the main cost of a GraphQL page (TECH-NOTES §5)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from app.db.models.catalogue import Course, Offering, Provider

PROVIDER_FIELDS = (
    "id",
    "slug",
    "name",
    "kind",
    "country",
    "url",
    "abc_registered",
    "swayam",
)
COURSE_FIELDS = (
    "id",
    "provider_id",
    "external_id",
    "title",
    "description",
    "subjects",
    "ncrf_level",
    "level_label",
    "notional_hours",
    "contact_hours",
    "weeks",
    "hours_per_week",
    "workload_text",
    "credits",
    "credit_source",
    "credit_unit",
    "language",
    "languages",
    "mode",
    "url",
    "institute",
    "coordinator",
    "has_certificate",
    "withdrawn",
    "next_start",
    "min_fee_minor",
    "fee_currency",
    "equivalence_group_id",
)
OFFERING_FIELDS = (
    "id",
    "course_id",
    "external_id",
    "start",
    "end",
    "enrolment_end",
    "exam_date",
    "fee_minor",
    "currency",
    "mode",
    "language",
    "status",
    "url",
    "has_exam",
    "withdrawn",
)


def _by_id(rows: Sequence[dict[str, Any]], keys: Sequence[int]) -> list[Any]:
    index = {row["id"]: row for row in rows}
    return [index.get(key) for key in keys]


class ProviderById(DataLoader[int, dict | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[dict | None]:
        rows = await Provider.filter(id__in=keys).values(*PROVIDER_FIELDS)
        return _by_id(rows, keys)


class CourseById(DataLoader[int, dict | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[dict | None]:
        rows = await Course.filter(id__in=keys).values(*COURSE_FIELDS)
        return _by_id(rows, keys)


class OfferingById(DataLoader[int, dict | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[dict | None]:
        rows = await Offering.filter(id__in=keys).values(*OFFERING_FIELDS)
        return _by_id(rows, keys)


class OfferingsByCourse(DataLoader[int, list[dict]]):
    """A course's offerings, the next (earliest upcoming or running) first."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[list[dict]]:
        rows = (
            await Offering.filter(course_id__in=keys)
            .order_by("id")
            .values(*OFFERING_FIELDS)
        )
        grouped: dict[int, list[dict]] = defaultdict(list)
        for row in rows:
            grouped[row["course_id"]].append(row)
        return [grouped.get(key, []) for key in keys]
