"""The GraphQL Foundation's graphql-http audit (pinned in tests/http_audit)
against a live server: no errors and no warnings."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import ROOT
from tests.graphql.live_server import live_server, need_tool

AUDIT = ROOT / "tests" / "http_audit"


@pytest.fixture(scope="module")
def audit_script() -> str:
    node = need_tool("node", "the graphql-http audit runs on node (Debian nodejs)")
    if not (AUDIT / "node_modules" / "graphql-http").is_dir():
        npm = need_tool("npm", "installs the pinned graphql-http (Debian npm)")
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=AUDIT,
            capture_output=True,
            text=True,
        )
        assert installed.returncode == 0, installed.stderr
    return node


@pytest.mark.parametrize("backend", ["sqlite"])
def test_graphql_http_audit_passes(audit_script: str, db_url: str) -> None:
    with live_server(db_url) as base:
        run = subprocess.run(
            [audit_script, "audit.mjs"],
            cwd=AUDIT,
            env={"URL": f"{base}/graphql", "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.stdout, run.stderr
    report = json.loads(run.stdout)
    assert report["version"] == "1.23.1"
    assert report["problems"] == [], json.dumps(report["problems"], indent=2)
    assert report["counts"] == {"ok": report["audits"]}
