"""What a learner can be eligible for: a built-in UGC award, a programme of an
institution, or a pathway, as the engine's (id, tree, policy)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.credits import (
    CreditsError,
    Node,
    Policy,
    builtin_award,
    derive_policy,
    get_policy,
    parse_tree,
)
from app.db.models.catalogue import Programme
from app.db.models.pathways import Pathway


class TargetError(Exception):
    """A target that does not exist or cannot be evaluated; `field` names the
    input that is wrong."""

    def __init__(self, field: str, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.missing = missing


@dataclass(frozen=True)
class Target:
    award_code: str
    title: str
    tree: Node
    policy: Policy
    programme_id: int | None = None
    pathway_id: int | None = None


def _policy(name: str | None, default: str, overrides: dict[str, Any] | None) -> Policy:
    try:
        base = get_policy(name or default)
        return derive_policy(base, overrides) if overrides else base
    except CreditsError as exc:
        raise TargetError("policy", str(exc)) from exc


def _tree(raw: Any, field: str) -> Node:
    if raw is None:
        raise TargetError(field, "has no requirement tree to evaluate")
    try:
        return parse_tree(raw, "requirement")
    except CreditsError as exc:
        raise TargetError(field, str(exc)) from exc


async def resolve_target(
    *,
    builtin: str | None = None,
    programme_id: int | None = None,
    pathway_id: int | None = None,
    policy: str | None = None,
) -> Target:
    """Exactly one of builtin, programme_id, pathway_id. A programme brings its
    own policy (and overrides) unless `policy` names another."""
    given = [x is not None for x in (builtin, programme_id, pathway_id)]
    if sum(given) != 1:
        raise TargetError("award", "give exactly one of builtin, programme, pathway")
    if builtin is not None:
        chosen = _policy(policy, "ugc-2023", None)
        try:
            tree = builtin_award(builtin, chosen)
        except CreditsError as exc:
            raise TargetError("award.builtin", str(exc)) from exc
        return Target(builtin, tree.description or builtin, tree, chosen)
    if programme_id is not None:
        row = await Programme.get_or_none(id=programme_id)
        if row is None or row.withdrawn:
            raise TargetError("award.programme", "no such programme", missing=True)
        chosen = _policy(
            policy, row.policy_name, None if policy else row.policy_overrides or None
        )
        tree = _tree(row.requirement, "award.programme")
        return Target(row.external_id, row.name, tree, chosen, programme_id=row.id)
    row = await Pathway.get_or_none(id=pathway_id)
    if row is None or row.withdrawn:
        raise TargetError("award.pathway", "no such pathway", missing=True)
    tree = _tree(row.requirement, "award.pathway")
    return Target(
        row.slug, row.title, tree, _policy(policy, "ugc-2023", None), pathway_id=row.id
    )
