"""The engine's view of a learner, read once per request and learner."""

from __future__ import annotations

from typing import Any

from strawberry.dataloader import DataLoader

from app.graphql.learners.permissions import Info
from app.learners.records import LearnerRecord, load_record


class RecordByLearner(DataLoader[int, LearnerRecord]):
    """Keyed by learner id; the row travels in a side table, not the key."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)
        self.rows: dict[int, dict[str, Any]] = {}

    async def _load(self, keys: list[int]) -> list[LearnerRecord]:
        return [await load_record(self.rows[key]) for key in keys]


async def learner_record(info: Info, learner: dict[str, Any]) -> LearnerRecord:
    loader = info.context.loader(RecordByLearner)
    loader.rows[learner["id"]] = learner
    return await loader.load(learner["id"])
