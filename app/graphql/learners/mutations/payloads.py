"""userErrors: invalid input reported in a mutation's payload (DESIGN.md "API
rules"); authentication and authorisation failures stay top-level errors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

import strawberry
from strawberry import relay

from app.graphql.errors import BadUserInput, Code
from app.learners.registration import Problem


@strawberry.type(description="Why a mutation's input was refused.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault, e.g. `requirement.children[1].n`."
    )
    code: str = strawberry.field(
        description="An error code of the API (BAD_USER_INPUT…)."
    )
    message: str

    @classmethod
    def of(cls, problem: Problem) -> Self:
        return cls(field=problem.field, code=problem.code, message=problem.message)

    @classmethod
    def bad(cls, field: str | None, message: str) -> Self:
        return cls(field=field, code=Code.BAD_USER_INPUT.value, message=message)


def user_errors(problems: Iterable[Problem]) -> list[UserError]:
    return [UserError.of(p) for p in problems]


def node_pk(gid: relay.GlobalID, type_name: str, field: str) -> int:
    """The primary key of a global ID of one type, or BAD_USER_INPUT."""
    if gid.type_name != type_name or not gid.node_id.isdigit():
        raise BadUserInput(f"not a {type_name} id", field=field)
    return int(gid.node_id)
