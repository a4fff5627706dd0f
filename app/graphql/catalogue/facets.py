"""Counts of the courses matching the current filter, by provider, level,
mode, language and credits band: enough to draw a filter sidebar from the
same request. One GROUP BY per facet asked for, whatever the page size."""

from __future__ import annotations

from typing import Any

import strawberry
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from app.db.models.catalogue import Course as CourseModel
from app.db.models.catalogue import Provider as ProviderModel

# [low, high) credit bands; the last is open.
CREDIT_BANDS: tuple[tuple[float, float | None], ...] = (
    (0, 2),
    (2, 4),
    (4, 6),
    (6, 10),
    (10, None),
)
UNKNOWN = "unknown"


@strawberry.type(description="How many matching courses have this value.")
class FacetCount:
    value: str = strawberry.field(
        description="What to put back in the filter (a slug, a level, a mode…); "
        "`unknown` for courses without a value."
    )
    label: str
    count: int


def _band(credits: float | None) -> str:
    if credits is None:
        return UNKNOWN
    for low, high in CREDIT_BANDS:
        if high is None or credits < high:
            return f"{low:g}-{high:g}" if high is not None else f"{low:g}+"
    return UNKNOWN  # pragma: no cover - the last band is open


async def _group(queryset: QuerySet[CourseModel], column: str) -> list[dict[str, Any]]:
    return (
        await queryset.annotate(facet_count=Count("id"))
        .group_by(column)
        .values(column, "facet_count")
    )


def _sorted(counts: dict[str, int], labels: dict[str, str]) -> list[FacetCount]:
    return [
        FacetCount(value=value, label=labels.get(value, value), count=count)
        for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


@strawberry.type(description="Counts of the matching courses (all pages).")
class CourseFacets:
    queryset: strawberry.Private[QuerySet[CourseModel]]

    @strawberry.field(description="By provider; `value` is the provider slug.")
    async def providers(self) -> list[FacetCount]:
        rows = await _group(self.queryset, "provider_id")
        ids = [r["provider_id"] for r in rows]
        providers = {
            p["id"]: p
            for p in await ProviderModel.filter(id__in=ids).values("id", "slug", "name")
        }
        counts = {providers[r["provider_id"]]["slug"]: r["facet_count"] for r in rows}
        labels = {p["slug"]: p["name"] for p in providers.values()}
        return _sorted(counts, labels)

    @strawberry.field(description="By NCrF level.")
    async def levels(self) -> list[FacetCount]:
        return await self._simple("ncrf_level", lambda v: f"{v:g}")

    @strawberry.field(description="By mode (online, blended, in_person).")
    async def modes(self) -> list[FacetCount]:
        return await self._simple("mode", str)

    @strawberry.field(description="By language code.")
    async def languages(self) -> list[FacetCount]:
        return await self._simple("language", str)

    @strawberry.field(
        description="By credits band: `0-2` means 0 ≤ credits < 2; `10+` is open."
    )
    async def credit_bands(self) -> list[FacetCount]:
        counts: dict[str, int] = {}
        for row in await _group(self.queryset, "credits"):
            band = _band(row["credits"])
            counts[band] = counts.get(band, 0) + row["facet_count"]
        # in band order, not by count: a sidebar shows a scale
        order = [_band(low) for low, _ in CREDIT_BANDS] + [UNKNOWN]
        return [
            FacetCount(value=band, label=band, count=counts[band])
            for band in order
            if band in counts
        ]

    async def _simple(self, column: str, show: Any) -> list[FacetCount]:
        counts: dict[str, int] = {}
        for row in await _group(self.queryset, column):
            value = UNKNOWN if row[column] is None else show(row[column])
            counts[value] = counts.get(value, 0) + row["facet_count"]
        return _sorted(counts, {})
