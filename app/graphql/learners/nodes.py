"""Resolving learner-owned objects by global ID (the node(id) route).

An object is returned only when its learner is readable by the caller; any
other id is NOT_FOUND with one message, whether the row is missing, belongs
to someone else, or the id is malformed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.graphql.errors import NotFound
from app.graphql.learners.loaders import LearnerById
from app.graphql.learners.permissions import READERS, Info, authorise, require_role

OBJECT_NOT_FOUND = "no object with that id"


async def owned_rows(
    info: Info, loader: type, node_ids: Iterable[str], *, required: bool, what: str
) -> list[dict[str, Any] | None]:
    require_role(info, *READERS)
    keys = [int(n) if n.isdigit() else -1 for n in node_ids]
    rows = await info.context.loader(loader).load_many(keys)
    learners = await info.context.loader(LearnerById).load_many(
        [row["learner_id"] if row else -1 for row in rows]
    )
    allowed = await authorise(info, learners, what=what)
    result = [
        row if ok is not None else None for row, ok in zip(rows, allowed, strict=True)
    ]
    if required and any(row is None for row in result):
        raise NotFound(OBJECT_NOT_FOUND)
    return result
