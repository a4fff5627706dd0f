"""The HTTP face of the schema: strawberry's ASGI view with our context."""

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

    async def process_result(
        self, request: Request | WebSocket, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # Parse and validation errors never reach the schema extension, so
        # every error is given its code here, on the way out.
        if result.errors:
            result.errors = [format_error(e) for e in result.errors]
        return await super().process_result(request, result)
