"""What runs after a sync's writes: the seam for work that needs the new rows.

Equivalence across providers (grouping the same course seen through two
connectors) is the first user, in the next issue: it registers a hook and is
told which courses a run created or changed, so it re-matches only those.
A hook that fails is logged; it never fails the run whose data is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunChanges:
    source: str
    run_id: int
    status: str
    changed_course_ids: frozenset[int] = field(default_factory=frozenset)
    withdrawn_courses: int = 0


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
