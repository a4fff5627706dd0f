"""The demo's equivalence groups: matched once every row is in, then described.

The matcher runs after the hand-written rows too (not as an after-sync hook
per source), so one pass sees the whole demo catalogue. Run again it moves
nothing: the groups and their ids stay as the first run made them.
"""

from __future__ import annotations

from app.db.models.catalogue import Course
from app.ingest.equivalence import match_all


async def group_sources() -> dict[int, list[str]]:
    """Each equivalence group's live members' sources, sorted, by group id."""
    groups: dict[int, list[str]] = {}
    rows = await Course.filter(
        equivalence_group_id__not_isnull=True, withdrawn=False
    ).values_list("equivalence_group_id", "source")
    for group_id, source in rows:
        groups.setdefault(group_id, []).append(source)
    return {g: sorted(sources) for g, sources in sorted(groups.items())}


async def match_demo() -> tuple[dict[int, list[str]], list[str]]:
    """Match the demo catalogue; returns `group_sources()` and one line per kind.

    A kind is a set of sources (swayam + nptel, coursera + ctdl + edx…); its
    line names the first group's title, so the demo shows where to look.
    """
    await match_all()
    groups = await group_sources()
    kinds: dict[tuple[str, ...], list[int]] = {}
    for group_id, sources in groups.items():
        kinds.setdefault(tuple(sources), []).append(group_id)
    lines = []
    for sources, group_ids in sorted(kinds.items()):
        first = await Course.filter(equivalence_group_id=group_ids[0]).first()
        title = first.title if first else "?"
        lines.append(
            f"  {len(group_ids):>3} equivalence groups of {' + '.join(sources)}, "
            f"e.g. group {group_ids[0]} {title!r}"
        )
    return groups, lines
