"""`credgraph equivalence` as an operator runs it, after two real syncs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from connectors.simulator import Simulator
from tests.cli.test_sync import _cli, migrated_url  # noqa: F401  (fixture)
from tests.ingest.conftest import simulator_thread  # noqa: F401  (fixture)


def test_match_list_show_split_and_join(
    migrated_url: str,  # noqa: F811
    tmp_path: Path,
    simulator_thread: Callable[..., Simulator],  # noqa: F811
) -> None:
    sim = simulator_thread(courses=6, seed=5)
    sources = tmp_path / "connectors.toml"
    sources.write_text(
        f"""
[sources.edx]
url = "{sim.url}"
[sources.edx.options]
token_url = "{sim.url}/oauth2/access_token"
client_id = "sim-client"
attempts = 2
[sources.edx.secrets]
client_secret = "CREDGRAPH_EDX_CLIENT_SECRET"
[sources.coursera]
url = "{sim.url}"
""",
        encoding="utf-8",
    )
    env = {
        "CREDGRAPH_CONNECTORS_FILE": str(sources),
        "CREDGRAPH_EDX_CLIENT_SECRET": "sim-secret",
    }
    for name in ("edx", "coursera"):
        result = _cli("sync", name, "--json", db_url=migrated_url, env=env)
        assert result.returncode == 0, result.stderr

    matched = _cli("equivalence", "match", "--json", db_url=migrated_url)
    assert matched.returncode == 0, matched.stderr
    assert json.loads(matched.stdout)["groups"] == 6

    listed = json.loads(
        _cli("equivalence", "list", "--json", db_url=migrated_url).stdout
    )
    assert len(listed) == 6 and all(g["sources"] == ["coursera", "edx"] for g in listed)
    group = listed[0]["group"]
    shown = json.loads(
        _cli("equivalence", "show", str(group), "--json", db_url=migrated_url).stdout
    )
    assert {c["source"] for c in shown["courses"]} == {"coursera", "edx"}
    assert all(c["equivalence_reason"].startswith("title") for c in shown["courses"])
    assert [d["action"] for d in shown["decisions"]] == ["matched", "matched"]

    edx_course = next(c for c in shown["courses"] if c["source"] == "edx")
    ref = f"edx:{edx_course['external_id']}"
    split = _cli(
        "equivalence", "split", ref, "--note", "not the same", db_url=migrated_url
    )
    assert split.returncode == 0, split.stderr
    assert "pinned group" in split.stdout

    # The matcher leaves the operator's decision alone.
    again = json.loads(
        _cli("equivalence", "match", "--json", db_url=migrated_url).stdout
    )
    assert again["pinned_skipped"] == 1 and again["matched"] == 0
    pinned = json.loads(
        _cli("equivalence", "list", "--pinned", "--json", db_url=migrated_url).stdout
    )
    assert [g["courses"] for g in pinned] == [1]

    bad = _cli("equivalence", "join", "12345", "12346", db_url=migrated_url)
    assert bad.returncode == 2 and "no course" in bad.stderr
    missing = _cli("equivalence", "show", "999", db_url=migrated_url)
    assert missing.returncode == 2
