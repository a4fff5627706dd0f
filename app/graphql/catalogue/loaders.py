"""Batch loaders for catalogue relations: one SQL statement per relation per
request, whatever the page size. Rows come back as dicts (`.values()`):
building model instances is the main cost of a GraphQL page (TECH-NOTES §5)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from app.db.models.catalogue import (
    Course,
    Institution,
    Offering,
    Programme,
    Provider,
)
from app.db.models.pathways import Pathway, PathwayCourse
from app.graphql.catalogue.rows import rows_in

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
        rows = await rows_in(Provider, "id", keys, PROVIDER_FIELDS)
        return _by_id(rows, keys)


class CourseById(DataLoader[int, dict | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[dict | None]:
        rows = await rows_in(Course, "id", keys, COURSE_FIELDS)
        return _by_id(rows, keys)


class OfferingById(DataLoader[int, dict | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[dict | None]:
        rows = await rows_in(Offering, "id", keys, OFFERING_FIELDS)
        return _by_id(rows, keys)


class OfferingsByCourse(DataLoader[int, list[dict]]):
    """A course's offerings, the next (earliest upcoming or running) first."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[list[dict]]:
        rows = await rows_in(Offering, "course_id", keys, OFFERING_FIELDS, ["id"])
        grouped: dict[int, list[dict]] = defaultdict(list)
        for row in rows:
            grouped[row["course_id"]].append(row)
        return [grouped.get(key, []) for key in keys]


PATHWAY_FIELDS = (
    "id",
    "provider_id",
    "external_id",
    "slug",
    "title",
    "kind",
    "description",
    "requirement",
    "credits",
    "ncrf_level",
    "credential_awarded",
    "url",
    "withdrawn",
)
LINK_FIELDS = ("pathway_id", "course_id", "course_ref", "position", "required")
INSTITUTION_FIELDS = (
    "id",
    "slug",
    "name",
    "aishe_code",
    "abc_registered",
    "provider_id",
)
PROGRAMME_FIELDS = (
    "id",
    "institution_id",
    "external_id",
    "name",
    "award_kind",
    "requirement",
    "policy_name",
    "credits",
    "ncrf_level",
    "duration_years",
    "url",
    "withdrawn",
)


def _grouped(rows: Sequence[dict], column: str, keys: Sequence[int]) -> list[list]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row[column]].append(row)
    return [grouped.get(key, []) for key in keys]


class CoursesByEquivalenceGroup(DataLoader[int, list[dict]]):
    """Every course of an equivalence group (the same course on several
    providers); the caller leaves itself out."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[list[dict]]:
        rows = await rows_in(
            Course, "equivalence_group_id", keys, COURSE_FIELDS, ["id"]
        )
        return _grouped(rows, "equivalence_group_id", keys)


class PathwayById(DataLoader[int, dict | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[dict | None]:
        return _by_id(await rows_in(Pathway, "id", keys, PATHWAY_FIELDS), keys)


class PathwaysByCourse(DataLoader[int, list[dict]]):
    """The pathways naming a course, in one joined statement."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[list[dict]]:
        joined = {f: f"pathway__{f}" for f in PATHWAY_FIELDS}
        rows = await rows_in(
            PathwayCourse, "course_id", keys, ["course_id"], ["pathway_id"], joined
        )
        return _grouped(rows, "course_id", keys)


class LinksByPathway(DataLoader[int, list[dict]]):
    """The course references of a pathway, in its order."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[list[dict]]:
        rows = await rows_in(
            PathwayCourse, "pathway_id", keys, LINK_FIELDS, ["position", "id"]
        )
        return _grouped(rows, "pathway_id", keys)


class InstitutionById(DataLoader[int, dict | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[dict | None]:
        rows = await rows_in(Institution, "id", keys, INSTITUTION_FIELDS)
        return _by_id(rows, keys)


class ProgrammeById(DataLoader[int, dict | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[dict | None]:
        rows = await rows_in(Programme, "id", keys, PROGRAMME_FIELDS)
        return _by_id(rows, keys)


class ProgrammesByInstitution(DataLoader[int, list[dict]]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[int]) -> list[list[dict]]:
        rows = (
            await Programme.filter(institution_id__in=keys, withdrawn=False)
            .order_by("name", "id")
            .values(*PROGRAMME_FIELDS)
        )
        return _grouped(rows, "institution_id", keys)
