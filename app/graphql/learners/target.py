"""The award a query or mutation names: built-in, programme or pathway."""

from __future__ import annotations

import strawberry
from strawberry import relay

from app.graphql.errors import BadUserInput, NotFound
from app.graphql.learners.mutations.payloads import node_pk
from app.learners.targets import Target, TargetError, resolve_target


@strawberry.input(
    description="Exactly one of: a built-in UGC award (ug_certificate, ug_diploma, "
    "bachelor, bachelor_honours, bachelor_honours_research), a programme, a pathway."
)
class AwardTarget:
    builtin: str | None = None
    programme: relay.GlobalID | None = None
    pathway: relay.GlobalID | None = None


def _pk(gid: relay.GlobalID | None, type_name: str) -> int | None:
    return (
        None if gid is None else node_pk(gid, type_name, f"award.{type_name.lower()}")
    )


async def target_of(award: AwardTarget, policy: str | None) -> Target:
    """The target, NOT_FOUND for a missing programme or pathway, else
    BAD_USER_INPUT naming the bad field."""
    try:
        return await resolve_target(
            builtin=award.builtin,
            programme_id=_pk(award.programme, "Programme"),
            pathway_id=_pk(award.pathway, "Pathway"),
            policy=policy,
        )
    except TargetError as exc:
        if exc.missing:
            raise NotFound(exc.message) from exc
        raise BadUserInput(exc.message, field=exc.field) from exc
