"""Who may see which learner, decided in one place.

A caller without access to a learner gets NOT_FOUND with the same message
as for a learner that does not exist (DESIGN.md "API rules"), after the same
work: the row is always loaded first, then the rule applied, so neither the
error nor its timing tells the two apart. FORBIDDEN is only for a role that
may never do a thing, whoever the learner is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry

from app.auth import Caller, Role
from app.graphql.context import Context
from app.graphql.errors import Forbidden, NotFound, Unauthenticated
from app.graphql.learners.loaders import InstitutionById, InstitutionBySlug
from app.learners.access_log import is_self, record_reads

Info = strawberry.Info[Context, None]

LEARNER_NOT_FOUND = "no such learner"
READERS = (Role.LEARNER, Role.INSTITUTION_ADMIN, Role.PLATFORM_ADMIN)


def require_caller(info: Info) -> Caller:
    """The caller, or UNAUTHENTICATED (with why a sent token was refused)."""
    caller = info.context.user
    if caller is None:
        reason = info.context.auth_error or "a bearer token is required"
        raise Unauthenticated(reason)
    return caller


def require_role(info: Info, *roles: Role) -> Caller:
    caller = require_caller(info)
    if caller.role not in roles:
        raise Forbidden(f"the {caller.role.value} role may not do this")
    return caller


async def admin_institution_id(info: Info, caller: Caller) -> int | None:
    """The institution an institution_admin's subject names (id or slug)."""
    subject = caller.subject
    if subject.isdigit():
        row = await info.context.loader(InstitutionById).load(int(subject))
    else:
        row = await info.context.loader(InstitutionBySlug).load(subject)
    return row["id"] if row else None


async def can_read(info: Info, caller: Caller, learner: dict[str, Any]) -> bool:
    if caller.role is Role.PLATFORM_ADMIN:
        return True
    if caller.role is Role.LEARNER:
        return is_self(caller, learner["apaar_id"])
    if caller.role is Role.INSTITUTION_ADMIN:
        home = learner["home_institution_id"]
        return home is not None and home == await admin_institution_id(info, caller)
    return False


def _what(info: Info) -> str:
    """The root field and the learner fields it asked for, for the log."""
    selected = [
        sel.name
        for field in info.selected_fields
        for sel in getattr(field, "selections", [])
        if hasattr(sel, "name")
    ]
    return f"{info.field_name}: {', '.join(sorted(set(selected)))}".rstrip(": ")


async def authorise(
    info: Info, learners: Iterable[dict[str, Any] | None], *, what: str | None = None
) -> list[dict[str, Any] | None]:
    """The learners the caller may read (None in place of the others), each
    read logged when the caller is not the learner."""
    caller = require_role(info, *READERS)
    if caller.role is Role.INSTITUTION_ADMIN:
        # the same lookups whether or not the learner exists (timing)
        await admin_institution_id(info, caller)
    allowed = [
        row if row is not None and await can_read(info, caller, row) else None
        for row in learners
    ]
    await record_reads(
        caller,
        [(r["id"], r["apaar_id"]) for r in allowed if r is not None],
        what or _what(info),
    )
    return allowed


async def authorise_one(
    info: Info, learner: dict[str, Any] | None, *, what: str | None = None
) -> dict[str, Any]:
    (row,) = await authorise(info, [learner], what=what)
    if row is None:
        raise NotFound(LEARNER_NOT_FOUND)
    return row
