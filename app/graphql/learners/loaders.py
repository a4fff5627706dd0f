"""Batch loaders of the learner graph, one set per request (TECH-NOTES §1.4).

Each returns row dicts; whether the caller may see a row is decided by
permissions.py, never here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from app.db.models.catalogue import Institution
from app.db.models.learners import AccessLog, Award, Credential, Learner, LedgerEntry
from app.learners.records import CREDENTIAL_FIELDS, LEARNER_FIELDS

LEDGER_FIELDS = (
    "id",
    "learner_id",
    "credential_id",
    "kind",
    "credits",
    "award_id",
    "note",
    "created_at",
)
AWARD_FIELDS = (
    "id",
    "learner_id",
    "programme_id",
    "pathway_id",
    "award_code",
    "title",
    "policy_name",
    "policy_version",
    "policy_overrides",
    "as_of",
    "decided_at",
)
INSTITUTION_FIELDS = ("id", "slug", "name", "aishe_code", "abc_registered")


def _by_key(rows: Sequence[dict], keys: Sequence[Any], column: str) -> list[Any]:
    index = {row[column]: row for row in rows}
    return [index.get(key) for key in keys]


def _grouped(rows: Sequence[dict], keys: Sequence[Any], column: str) -> list[list]:
    groups: dict[Any, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row[column]].append(row)
    return [groups.get(key, []) for key in keys]


class _RowsBy(DataLoader[Any, Any]):
    """Rows of `model` whose `column` is one of the keys."""

    model: type[Model]
    column: str
    fields: tuple[str, ...]
    many = False
    order = ("id",)

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, keys: list[Any]) -> list[Any]:
        rows = (
            await self.model.filter(**{f"{self.column}__in": keys})
            .order_by(*self.order)
            .values(*self.fields)
        )
        if self.many:
            return _grouped(rows, keys, self.column)
        return _by_key(rows, keys, self.column)


class LearnerById(_RowsBy):
    model, column, fields = Learner, "id", LEARNER_FIELDS


class LearnerByApaarId(_RowsBy):
    model, column, fields = Learner, "apaar_id", LEARNER_FIELDS


class CredentialById(_RowsBy):
    model, column, fields = Credential, "id", CREDENTIAL_FIELDS


class CredentialVerificationById(_RowsBy):
    """The stored report, kept apart from CREDENTIAL_FIELDS: lists and the
    credit engine never need it."""

    model, column, fields = Credential, "id", ("id", "verification", "verified_at")


class CredentialDocumentById(_RowsBy):
    """The raw credential as received (for the EU view): read only when asked."""

    model, column, fields = Credential, "id", ("id", "document")


class AwardById(_RowsBy):
    model, column, fields = Award, "id", AWARD_FIELDS


class LedgerEntryById(_RowsBy):
    model, column, fields = LedgerEntry, "id", LEDGER_FIELDS


class InstitutionById(_RowsBy):
    model, column, fields = Institution, "id", INSTITUTION_FIELDS


class InstitutionBySlug(_RowsBy):
    model, column, fields = Institution, "slug", INSTITUTION_FIELDS


class LedgerByLearner(_RowsBy):
    model, column, fields, many = LedgerEntry, "learner_id", LEDGER_FIELDS, True


class AwardsByLearner(_RowsBy):
    model, column, fields, many = Award, "learner_id", AWARD_FIELDS, True


class AccessLogByLearner(_RowsBy):
    model, column, many = AccessLog, "learner_id", True
    fields = ("id", "learner_id", "actor_role", "actor_subject", "what", "at")
    order = ("-at", "-id")
