"""Root fields of the private learner graph."""

from __future__ import annotations

import strawberry
from strawberry import relay

from app.auth import Role
from app.db.models.learners import Learner as LearnerModel
from app.graphql.connection import to_connection
from app.graphql.errors import NotFound
from app.graphql.learners.learner import Learner
from app.graphql.learners.loaders import LearnerByApaarId
from app.graphql.learners.permissions import (
    LEARNER_NOT_FOUND,
    READERS,
    Info,
    admin_institution_id,
    authorise,
    authorise_one,
    require_role,
)
from app.graphql.pagination import SortKey, keyset_page, validate_first
from app.learners.records import LEARNER_FIELDS


@strawberry.type
class LearnerQuery:
    @strawberry.field(description="The calling learner's own record.")
    async def me(self, info: Info) -> Learner:
        caller = require_role(info, Role.LEARNER)
        row = await info.context.loader(LearnerByApaarId).load(caller.subject)
        if row is None:
            raise NotFound(LEARNER_NOT_FOUND)
        return Learner.from_row(row)

    @strawberry.field(
        description="A learner by APAAR ID: the learner themselves, an admin of "
        "their institution or a platform admin. Anyone else gets NOT_FOUND."
    )
    async def learner(self, info: Info, apaar_id: str) -> Learner:
        require_role(info, *READERS)
        row = await info.context.loader(LearnerByApaarId).load(apaar_id)
        return Learner.from_row(await authorise_one(info, row))

    @strawberry.field(
        description="Learners the caller may read, by APAAR ID: an institution's "
        "own for its admins, all for platform admins, oneself for a learner."
    )
    async def learners(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[Learner]:
        caller = require_role(info, *READERS)
        query = LearnerModel.all()
        if caller.role is Role.LEARNER:
            query = query.filter(apaar_id=caller.subject)
        elif caller.role is Role.INSTITUTION_ADMIN:
            home = await admin_institution_id(info, caller)
            # an admin of an unknown institution sees nobody, not the
            # learners without one
            query = query.filter(home_institution_id=home) if home else query.none()
        page = await keyset_page(
            query,
            [SortKey("apaar_id")],
            first=validate_first(first, info.context.settings.limits.max_first),
            after=after,
            fields=LEARNER_FIELDS,
        )
        await authorise(info, page.rows)  # logs each read learner
        return to_connection(page, Learner.from_row)
