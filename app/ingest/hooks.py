"""What runs after a sync's writes: the seam for work that needs the new rows.

Equivalence across providers (grouping the same course seen through two
connectors) is the first user, in the next issue: it registers a hook and is
told which courses a run created or changed, so it re-matches only those.
A hook that fails is logged; it never fails the run whose data is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunChanges:
    """What a run wrote. The rows it created, changed or withdrew are this
    source's rows with `last_changed >= since` (no id set is held in memory:
    a first sync of 50,000 courses changes them all)."""

    source: str
    run_id: int
    status: str
    since: datetime
    changed_courses: int = 0
    withdrawn_courses: int = 0

    async def changed_course_ids(self) -> list[int]:
        from app.db.models.catalogue import Course

        return await Course.filter(
            source=self.source, last_changed__gte=self.since
        ).values_list("id", flat=True)


AfterRun = Callable[[RunChanges], Awaitable[None]]
_HOOKS: list[AfterRun] = []


def after_run(hook: AfterRun) -> AfterRun:
    """Register `hook` (usable as a decorator); registering twice is a no-op."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def remove(hook: AfterRun) -> None:
    if hook in _HOOKS:
        _HOOKS.remove(hook)


async def run_hooks(changes: RunChanges) -> None:
    for hook in list(_HOOKS):
        try:
            await hook(changes)
        except Exception:
            log.exception("after-sync hook %r failed for run %d", hook, changes.run_id)


def install_defaults() -> None:
    """Register the after-run hooks every process that runs syncs wants (the
    `credgraph sync` CLI and the job worker both call this, so a sync re-matches
    equivalence groups however it was started). Idempotent; not done on import,
    so importing the engine never changes what other runs do."""
    from app.ingest.equivalence import register_hook  # it imports this module

    register_hook()
