"""Error codes, and the one step that gives every GraphQL error a code.

Errors raised by strawberry and graphql-core themselves (a syntax error, a
`first` over the cap, a malformed global ID, a limiter refusal) carry no
`extensions.code` (TECH-NOTES §3.15), so they are classified here; anything
unexpected is masked as INTERNAL_SERVER_ERROR and logged once with its
traceback, never sent to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from enum import StrEnum

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.error import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension
from strawberry.relay.types import GlobalIDValueError
from strawberry.types.execution import ExecutionResult

log = logging.getLogger("credgraph.graphql")


class Code(StrEnum):
    """DESIGN.md "API rules": the codes a client may see in extensions.code."""

    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class ApiError(Exception):
    """An error a client caused or may see; its message is safe to send."""

    code: Code = Code.INTERNAL_SERVER_ERROR

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadUserInput(ApiError):
    code = Code.BAD_USER_INPUT


class NotFound(ApiError):
    code = Code.NOT_FOUND


class Unauthenticated(ApiError):
    code = Code.UNAUTHENTICATED


class Forbidden(ApiError):
    code = Code.FORBIDDEN


class QueryTooComplex(ApiError):
    code = Code.QUERY_TOO_COMPLEX


MASKED_MESSAGE = "Internal server error."

# Messages of strawberry's own limiters (validation rules and the parser's
# token limit) that mean "too complex", not "invalid".
_TOO_COMPLEX_MARKERS = (
    "exceeds maximum operation depth",
    "aliases found. Allowed",
    "Document contains more than",
    "exceeds the maximum cost",
)
# graphql-core's variable coercion messages; other "Variable '$x' …" messages
# ("is never used", "is not defined") are validation errors of the document.
_COERCION_MARKERS = (" has invalid value", " got invalid value ", " was not provided")


def classify(error: GraphQLError) -> Code | None:
    """The code for an error, or None when it must be masked."""
    existing = (error.extensions or {}).get("code")
    if existing:
        return Code(existing) if existing in Code.__members__ else None
    original = error.original_error
    message = error.message
    if any(marker in message for marker in _TOO_COMPLEX_MARKERS):
        return Code.QUERY_TOO_COMPLEX
    if isinstance(original, ApiError):
        return original.code
    if isinstance(error, GraphQLSyntaxError) or message.startswith("Syntax Error"):
        return Code.GRAPHQL_PARSE_FAILED
    if message.startswith("Variable '$") and any(
        marker in message for marker in _COERCION_MARKERS
    ):
        # the document is valid; a value the client sent for it is not
        return Code.BAD_USER_INPUT
    if isinstance(original, GlobalIDValueError):
        return Code.BAD_USER_INPUT
    if isinstance(original, ValueError) and "cannot be higher than" in str(original):
        # strawberry's relay cap on `first`/`last`
        return Code.BAD_USER_INPUT
    if original is None:
        if error.path is None:
            return Code.GRAPHQL_VALIDATION_FAILED
        return Code.BAD_USER_INPUT if "Expected value of type" in message else None
    if isinstance(original, GraphQLError):
        return classify(original)
    return None


def format_error(error: GraphQLError) -> GraphQLError:
    code = classify(error)
    if code is None:
        return GraphQLError(
            MASKED_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": Code.INTERNAL_SERVER_ERROR.value},
        )
    extensions = dict(error.extensions or {})
    extensions["code"] = code.value
    original = error.original_error
    if isinstance(original, ApiError) and original.field:
        extensions.setdefault("field", original.field)
    message = original.message if isinstance(original, ApiError) else error.message
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def log_errors(errors: list[GraphQLError]) -> None:
    """Log only what will be masked: client mistakes are not server errors."""
    for error in errors:
        if classify(error) is None:
            original = error.original_error
            log.error(
                "unexpected error at %s: %s",
                ".".join(map(str, error.path or ())) or "<request>",
                error.message,
                exc_info=(type(original), original, original.__traceback__)
                if original
                else None,
            )


class ErrorCodes(SchemaExtension):
    """Rewrite every error of a result into its coded, client-safe form."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if (
            isinstance(result, (GraphQLExecutionResult, ExecutionResult))
            and result.errors
        ):
            result.errors = [format_error(e) for e in result.errors]
