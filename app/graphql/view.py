"""The HTTP face of the schema: strawberry's ASGI view with our context,
GraphQL-over-HTTP's `application/graphql-response+json`, and the public
response cache."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

import orjson
import strawberry
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET
from tortoise.exceptions import BaseORMException

from app.auth.bearer import authenticate
from app.graphql.cache import Entry, ResponseCache, cache_key, is_query
from app.graphql.catalogue.fastpath import answer as fast_page
from app.graphql.context import Context
from app.graphql.errors import format_error
from app.graphql.ide import asset_route, localise
from app.settings import Settings

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# Shared caches may keep a public answer a minute; this process drops its own
# copy as soon as a sync bumps the catalogue generation (cache.py).
PUBLIC_CACHE_CONTROL = "public, max-age=60"


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


async def _operation(request: Request) -> tuple[str, Any, str | None] | None:
    """(query, variables, operationName) of a well-formed GET or JSON POST, or
    None for anything strawberry should answer (and refuse: 400) itself."""
    try:
        if request.method == "GET":
            params = request.query_params
            raw = params.get("variables")
            body: Any = {
                "query": params.get("query"),
                "variables": json.loads(raw) if raw else None,
                "operationName": params.get("operationName"),
                "extensions": json.loads(params.get("extensions") or "null"),
            }
        elif "json" in request.headers.get("content-type", ""):
            body = json.loads(await request.body())
        else:
            return None
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    query, variables, name = (
        body.get("query"),
        body.get("variables"),
        body.get("operationName"),
    )
    if (
        not isinstance(query, str)
        or not isinstance(variables, dict | None)
        or not isinstance(name, str | None)
        or not isinstance(body.get("extensions"), dict | None)
    ):
        return None
    return query, variables, name


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self,
        schema: strawberry.Schema,
        settings: Settings,
        cache: ResponseCache | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None if settings.production else "graphiql",
            # Mutations over GET are refused by strawberry itself (400).
            allow_queries_via_get=True,
        )
        self.settings = settings
        self.cache = cache or ResponseCache()

    async def run(
        self,
        request: Request | WebSocket,
        context: Context = UNSET,
        root_value: None = UNSET,
    ) -> Response | WebSocket:
        if not isinstance(request, Request) or request.method not in ("GET", "POST"):
            return await super().run(request, context, root_value)
        if "authorization" in request.headers:
            # learner data: never stored here nor by anything between us and
            # the client
            response = await super().run(request, context, root_value)
            response.headers["Cache-Control"] = "private, no-store"
            return response
        operation = await _operation(request)
        if operation is None or not is_query(operation[0], operation[2]):
            response = await super().run(request, context, root_value)
            if operation is not None and response.status_code == 200:
                self.cache.clear()  # a mutation may have changed what we keep
            return response
        modern = wants_graphql_response_json(request.headers.get("accept", ""))
        media = GRAPHQL_RESPONSE_JSON if modern else "application/json"
        key = cache_key(*operation, media)
        try:
            entry, generation = await self.cache.get(key)
        except BaseORMException:
            # no generation, no cache: answer as if there were none (the
            # query itself reports a database that is down)
            return await super().run(request, context, root_value)
        hit = entry is not None
        if entry is None:
            response = await self._fast_page(request, *operation)
            if response is None:
                response = await super().run(request, context, root_value)
            if response.status_code != 200 or b'"errors"' in response.body:
                return response
            media_type = response.headers.get("content-type", media)
            entry = self.cache.put(key, bytes(response.body), media_type, generation)
        return self._cached(request, entry, hit)

    async def _fast_page(
        self, request: Request, query: str, variables: Any, name: str | None
    ) -> Response | None:
        """A page of courses without graphql-core's executor (fastpath.py)."""
        sub_response = await self.get_sub_response(request)
        context = Context(
            request=request, response=sub_response, settings=self.settings
        )
        try:
            data = await fast_page(self.schema, context, query, variables, name)
        except Exception:  # noqa: BLE001
            # Whatever failed fails again on the general path, which masks,
            # codes and logs it like any other error.
            return None
        if data is None:
            return None
        return self.create_response(data, sub_response)  # type: ignore[arg-type]

    def _cached(self, request: Request, entry: Entry, hit: bool) -> Response:
        headers = {
            "ETag": entry.etag,
            "Vary": "Accept, Authorization",
            "X-Cache": "hit" if hit else "miss",
        }
        if request.method == "GET":
            headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
            if_none_match = request.headers.get("if-none-match", "")
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            if entry.etag in tags or "*" in tags:
                return Response(status_code=304, headers=headers)
        headers["content-type"] = entry.media_type
        return Response(entry.body, headers=headers)

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

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._ide_page)

    @cached_property
    def _ide_page(self) -> str:
        return localise(self.graphql_ide_html)

    def ide_routes(self) -> list[Route]:
        """The route serving GraphiQL's own files (none without the IDE)."""
        return [asset_route(self.graphql_ide_html)] if self.graphql_ide else []

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

    def encode_json(self, data: object) -> str | bytes:
        # orjson: the standard encoder was a tenth of an uncached page's time
        try:
            return orjson.dumps(data)
        except TypeError:  # what orjson refuses (an integer beyond 64 bits)
            return json.dumps(data, separators=(",", ":"))

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
