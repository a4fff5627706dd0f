"""The loaders' compiled queries (app/graphql/catalogue/rows.py) return what
Tortoise's own `.values()` query returns, value for value, on each backend,
for the first call (which compiles) and the next (which reuses)."""

from __future__ import annotations

import pytest

from app.db.models.catalogue import Course, Offering, Provider
from app.db.models.pathways import PathwayCourse
from app.graphql.catalogue.loaders import (
    COURSE_FIELDS,
    OFFERING_FIELDS,
    PATHWAY_FIELDS,
    PROVIDER_FIELDS,
)
from app.graphql.catalogue.rows import rows_in
from tests.graphql.catalogue_data import build_catalogue


@pytest.mark.asyncio
async def test_compiled_rows_equal_tortoise_rows(db: str) -> None:
    await build_catalogue()
    course_ids = sorted(await Course.all().values_list("id", flat=True))
    provider_ids = sorted(await Provider.all().values_list("id", flat=True))
    group_ids = sorted(
        {g for g in await Course.all().values_list("equivalence_group_id", flat=True)}
        - {None}
    )
    joined = {f: f"pathway__{f}" for f in PATHWAY_FIELDS}
    assert course_ids and provider_ids and group_ids
    cases = [
        (Provider, "id", provider_ids, PROVIDER_FIELDS, (), None),
        (Course, "id", course_ids, COURSE_FIELDS, (), None),
        (Course, "equivalence_group_id", group_ids, COURSE_FIELDS, ("id",), None),
        (Offering, "course_id", course_ids, OFFERING_FIELDS, ("id",), None),
        (
            PathwayCourse,
            "course_id",
            course_ids,
            ("course_id",),
            ("pathway_id",),
            joined,
        ),
    ]
    for model, column, keys, fields, order, extra in cases:
        expected = (
            await model.filter(**{f"{column}__in": keys})
            .order_by(*order)
            .values(*fields, **(extra or {}))
        )
        assert expected, model
        for subset in (keys, keys[:1], keys):  # compile, another count, reuse
            want = [r for r in expected if r[column] in subset]
            got = await rows_in(model, column, subset, fields, order, extra)
            if not order:  # no order asked: compare as sets of rows
                got = sorted(got, key=repr)
                want = sorted(want, key=repr)
            assert got == want, (model, column, len(subset))
            assert [type(v) for r in got for v in r.values()] == [
                type(v) for r in want for v in r.values()
            ]
