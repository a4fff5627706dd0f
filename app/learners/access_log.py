"""The access log: every read of a learner's record by someone else.

Written where the API decides that a caller may see a learner, so no route
(a root field, node(id), a list) can read a record without leaving a row.
The learner reading their own record leaves none.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.auth import Caller, Role
from app.db.models.learners import AccessLog

WHAT_MAX = 255


def is_self(caller: Caller, apaar_id: str) -> bool:
    return caller.role is Role.LEARNER and caller.subject == apaar_id


async def record_reads(
    caller: Caller, learners: Iterable[tuple[int, str]], what: str
) -> None:
    """One row per learner (id, apaar_id) read by a caller other than them."""
    rows = [
        AccessLog(
            learner_id=learner_id,
            actor_role=caller.role.value,
            actor_subject=caller.subject[:128],
            what=what[:WHAT_MAX],
        )
        for learner_id, apaar_id in learners
        if not is_self(caller, apaar_id)
    ]
    if rows:
        await AccessLog.bulk_create(rows)
