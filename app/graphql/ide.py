"""GraphiQL without the internet: strawberry's page loads its assets from
unpkg (TECH-NOTES §1.2); when `make graphiql-assets` has installed the same
versions from npm, the app serves them and the page points at them instead,
keeping its integrity hashes (the npm files are byte-identical). Without them
the page falls back to the CDN."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

CDN = "https://unpkg.com/"
ASSETS_PATH = "/graphql-assets/"
NODE_MODULES = Path(__file__).parent / "static" / "node_modules"
_ASSET = re.compile(
    re.escape(CDN) + r"((@[^/@\s\"]+/)?[^/@\s\"]+)@([^/\s\"]+)/([^\s\"]+)"
)


@dataclass(frozen=True)
class Asset:
    package: str  # "graphiql", "@graphiql/plugin-explorer"
    version: str
    file: str  # inside the package: "graphiql.min.js"

    @property
    def url_path(self) -> str:
        return f"{self.package}@{self.version}/{self.file}"

    @property
    def installed(self) -> bool:
        manifest = NODE_MODULES / self.package / "package.json"
        return (
            (NODE_MODULES / self.package / self.file).is_file()
            and manifest.is_file()
            and json.loads(manifest.read_text()).get("version") == self.version
        )


def page_assets(html: str) -> list[Asset]:
    """The CDN files the page loads."""
    return [Asset(m[1], m[3], m[4]) for m in _ASSET.finditer(html)]


def local_assets(html: str) -> dict[str, Path] | None:
    """URL path → file of every asset when all are installed at the page's
    versions; None when any is missing (then the page keeps the CDN)."""
    assets = page_assets(html)
    if not assets or not all(a.installed for a in assets):
        return None
    return {a.url_path: NODE_MODULES / a.package / a.file for a in assets}


def localise(html: str) -> str:
    """The page pointing at the app's copies, or unchanged when any is missing."""
    if local_assets(html) is None:
        return html
    return html.replace(CDN, ASSETS_PATH)


def asset_route(html: str) -> Route:
    """Serves exactly the page's files, nothing else from node_modules."""
    assets = local_assets(html) or {}

    async def asset(request: Request) -> Response:
        path = assets.get(request.path_params["path"])
        if path is None:
            return PlainTextResponse("Not Found", status_code=404)
        # versioned URLs: the content behind one never changes
        return FileResponse(
            path, headers={"Cache-Control": "public, max-age=31536000, immutable"}
        )

    return Route(ASSETS_PATH + "{path:path}", asset, methods=["GET"])
