"""GraphiQL in headless Chromium with no internet: the page loads its assets
from the app, runs a query and shows the result."""

from __future__ import annotations

import json
import subprocess
import urllib.parse
import urllib.request

import httpx
import pytest

from app.graphql.ide import NODE_MODULES, local_assets
from tests.graphql.live_server import live_server, need_tool
from tests.graphql.webdriver import chromium

QUERY = "{ courses(first: 3) { edges { node { title } } } }"


@pytest.fixture(scope="module")
def assets() -> None:
    """The IDE's files, installed as `make graphiql-assets` does."""
    if not (NODE_MODULES / "graphiql").is_dir():
        npm = need_tool("npm", "installs GraphiQL's assets (Debian npm)")
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=NODE_MODULES.parent,
            capture_output=True,
            text=True,
        )
        assert installed.returncode == 0, installed.stderr


@pytest.mark.parametrize("backend", ["sqlite"])
def test_graphiql_runs_a_query_offline(assets: None, db_url: str) -> None:
    chromedriver = need_tool("chromedriver", "Debian package chromium-driver")
    binary = need_tool("chromium", "Debian package chromium")
    with live_server(db_url, demo=True) as base:
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}).text
        assert "unpkg.com" not in page and "/graphql-assets/" in page
        request = urllib.request.Request(
            f"{base}/graphql",
            data=json.dumps({"query": QUERY}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            edges = json.loads(response.read())["data"]["courses"]["edges"]
        expected = edges[0]["node"]["title"]
        with chromium(chromedriver, binary) as browser:
            browser.get(f"{base}/graphql?q={urllib.parse.quote(QUERY)}")
            browser.wait_for(
                "return document.querySelector('.graphiql-execute-button')"
            )
            browser.script("document.querySelector('.graphiql-execute-button').click()")
            result = browser.wait_for(
                "const r = document.querySelector('.result-window');"
                "return r && r.innerText.includes('edges') && r.innerText;"
            )
    assert expected in result


def test_page_falls_back_to_the_cdn_without_assets(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from strawberry.http.ides import get_graphql_ide_html

    from app.graphql import ide

    html = get_graphql_ide_html("graphiql")
    monkeypatch.setattr(ide, "NODE_MODULES", tmp_path)
    assert local_assets(html) is None
    assert ide.localise(html) == html and "https://unpkg.com/graphiql@" in html


@pytest.mark.asyncio
async def test_only_the_pages_files_are_served(client: httpx.AsyncClient) -> None:
    if not (NODE_MODULES / "graphiql").is_dir():
        pytest.skip("GraphiQL assets not installed (make graphiql-assets)")
    served = await client.get("/graphql-assets/graphiql@3.8.3/graphiql.min.js")
    assert served.status_code == 200
    assert "immutable" in served.headers["cache-control"]
    for other in ("graphiql@3.8.3/package.json", "graphiql@9.9.9/graphiql.min.js"):
        assert (await client.get(f"/graphql-assets/{other}")).status_code == 404
