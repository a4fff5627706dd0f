"""Builds the one Schema of the process.

Only one may exist: a second Schema over types using relay.node() crashes
(strawberry #3823, TECH-NOTES §1.5), so production switches are chosen here,
at build time, from settings.
"""

from __future__ import annotations

from functools import cache

import strawberry
from graphql.error import GraphQLError
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from app.graphql.catalogue.queries import CatalogueQuery
from app.graphql.errors import ErrorCodes, NotFound, log_errors
from app.graphql.jobs.schema import JobsMutation, JobsQuery
from app.graphql.learners.mutations.mutation import LearnerMutation
from app.graphql.learners.queries import LearnerQuery
from app.graphql.limits import validation_rules
from app.settings import Settings, get_settings


@strawberry.type
class Query(CatalogueQuery, LearnerQuery, JobsQuery):
    node: relay.Node = relay.node(description="Any object by its global ID.")


@strawberry.type
class Mutation(LearnerMutation, JobsMutation):
    pass


class CredgraphSchema(strawberry.Schema):
    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        log_errors(errors)


def build_schema(settings: Settings) -> strawberry.Schema:
    limits = settings.limits
    rules = validation_rules(limits)
    extensions: list = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        # depth, aliases, cost: rule classes made once (see validation_rules)
        lambda: AddValidationRules(rules),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        ErrorCodes,
    ]
    if settings.production:
        extensions.append(DisableIntrospection)
    return CredgraphSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(
            relay_max_results=limits.max_first,
            disable_field_suggestions=settings.production,
        ),
    )


@cache
def get_schema() -> strawberry.Schema:
    return build_schema(get_settings())


__all__ = ["NotFound", "build_schema", "get_schema"]
