"""The HTTP face of the schema: strawberry's ASGI view with our context,
GraphQL-over-HTTP's `application/graphql-response+json`, and the public
response cache."""

from __future__ import annotations

from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from app.auth.bearer import authenticate
from app.graphql.context import Context
from app.graphql.errors import format_error
from app.settings import Settings

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def wants_graphql_response_json(accept: str) -> bool:
    """True when the client lists the GraphQL-over-HTTP media type (or
    application/* wildcards it first); plain application/json clients keep
    the legacy behaviour (always 200)."""
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media == GRAPHQL_RESPONSE_JSON:
            return True
        if media in ("application/json", "*/*", "application/*"):
            return False
    return False


def is_request_error(data: GraphQLHTTPResponse) -> bool:
    """A request error (parse, validation, variable coercion): execution never
    started, so there is no data and no error has a path (spec §7.1.2)."""
    errors = data.get("errors")
    return (
        bool(errors)
        and data.get("data") is None
        and not any(
            e.get("path")
            for e in errors  # type: ignore[union-attr]
        )
    )


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: strawberry.Schema, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide=None if settings.production else "graphiql",
            # Mutations over GET are refused by strawberry itself (400).
            allow_queries_via_get=True,
        )
        self.settings = settings

    async def get_context(
        self, request: Request | WebSocket, response: Response | None
    ) -> Context:
        auth = authenticate(request.headers.get("authorization"), self.settings)
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            user=auth.caller,
            auth_error=auth.error,
        )

    async def get_root_value(self, request: Any) -> None:
        return None

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # create_response sees only the sub-response, so the negotiated media
        # type travels on it
        sub_response.graphql_response_json = wants_graphql_response_json(  # type: ignore[attr-defined]
            request.headers.get("accept", "")
        )
        return sub_response

    async def process_result(
        self, request: Request | WebSocket, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # Parse and validation errors never reach the schema extension, so
        # every error is given its code here, on the way out.
        if result.errors:
            result.errors = [format_error(e) for e in result.errors]
        return await super().process_result(request, result)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        modern = getattr(sub_response, "graphql_response_json", False)
        if not modern or isinstance(response_data, list):
            return super().create_response(response_data, sub_response)
        if is_request_error(response_data):
            # GraphQL over HTTP §6.4.2: a request error is a 4xx, without `data`
            response_data = {k: v for k, v in response_data.items() if k != "data"}  # type: ignore[assignment]
            sub_response.status_code = sub_response.status_code or 400
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
        return response
