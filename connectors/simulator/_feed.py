"""What the JSON formats (edx, coursera, ctdl) share: one listing of items.

A `Listing` holds a format's items for the current generation: the real
sample's items or generated ones, each with its fate (`data.fate`) and its
record faults applied, rendered once per generation (the state's
`on_change` drops the cache). Formats cut pages from `items()` in their own
paging style. Not a format module (the leading underscore keeps it out of
discovery).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.simulator import data
from connectors.simulator.server import SimState

Item = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    index: int
    fate: data.Fate
    item: Item


class Listing:
    """Items `0..size-1` of one listing, as generation `state.generation` has them.

    `render(i)` gives item i; `change(item, generation)` revises one;
    `broken(item)` breaks one (the `malformed` record fault). Dropped items
    are kept as entries with fate "drop", so a format can show them as
    tombstones (edX deleted programs) or leave them out.
    """

    def __init__(
        self,
        state: SimState,
        provider: str,
        *,
        size: int,
        render: Callable[[int], Item],
        change: Callable[[Item, int], Item],
        broken: Callable[[Item], Item],
        salt: int = 0,
    ) -> None:
        self.state = state
        self.provider = provider
        self.size = size
        self._render = render
        self._change = change
        self._broken = broken
        self._salt = salt  # separates the fates of two listings of one format
        self._pristine: list[Item] | None = None
        self._entries: list[Entry] | None = None
        state.on_change(self.invalidate)

    def invalidate(self) -> None:
        self._entries = None

    def entries(self) -> list[Entry]:
        """Every item with its fate, duplicates repeated, in serving order."""
        if self._entries is None:
            self._entries = self._build()
        return self._entries

    def live(self) -> list[Entry]:
        return [e for e in self.entries() if e.fate != "drop"]

    def dropped(self) -> list[Entry]:
        return [e for e in self.entries() if e.fate == "drop"]

    def _build(self) -> list[Entry]:
        state = self.state
        if self._pristine is None:
            self._pristine = [self._render(i) for i in range(self.size)]
        out: list[Entry] = []
        for index, item in enumerate(self._pristine):
            fate = data.fate(
                state.config.seed,
                index + self._salt,
                state.generation,
                state.change,
                state.drop,
            )
            faults = state.plan.record_faults(self.provider, index, None)
            if fate == "change":
                item = self._change(copy.deepcopy(item), state.generation)
            if "malformed" in faults and fate != "drop":
                item = self._broken(copy.deepcopy(item))
            entry = Entry(index, fate, item)
            out.append(entry)
            if "duplicate" in faults and fate != "drop":
                out.append(entry)
        return out
