"""`credgraph sync <connector>` with its own flags, no connectors file: NPTEL's
list (a URL or a local file), edX's OAuth2 client, CTDL documents on disk."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.simulator import Simulator
from tests.cli.test_sync import _cli, migrated_url  # noqa: F401  (fixture)
from tests.ingest.conftest import simulator_thread  # noqa: F401  (fixture)


def _no_file(tmp_path: Path, **env: str) -> dict[str, str]:
    return {"CREDGRAPH_CONNECTORS_FILE": str(tmp_path / "none.toml"), **env}


def _doc(result: object) -> dict:
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    return json.loads(result.stdout)  # type: ignore[attr-defined]


def test_nptel_file_from_a_url_or_a_local_copy(
    migrated_url: str,  # noqa: F811
    simulator_thread: Callable[..., Simulator],  # noqa: F811
    tmp_path: Path,
) -> None:
    sim = simulator_thread(courses=60, seed=2)
    url = sim.url + "/nptel/noc-courses.csv"
    env = _no_file(tmp_path)
    remote = _doc(
        _cli("sync", "nptel", "--file", url, "--json", db_url=migrated_url, env=env)
    )
    assert remote["status"] == "succeeded" and remote["created"] > 0

    local = tmp_path / "noc_jan_2026.csv"
    with urllib.request.urlopen(url) as response:  # noqa: S310 (loopback)
        local.write_bytes(response.read())
    again = _doc(
        _cli(
            "sync",
            "nptel",
            "--file",
            str(local),
            "--json",
            db_url=migrated_url,
            env=env,
        )
    )
    # The same list from disk: the same records, nothing rewritten.
    assert again["status"] == "succeeded" and again["seen"] == remote["seen"]
    assert (again["created"], again["updated"]) == (0, 0)

    missing = _cli(
        "sync", "nptel", "--file", str(tmp_path / "x.csv"), db_url=migrated_url, env=env
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_ctdl_path_reads_documents_on_disk(
    migrated_url: str,  # noqa: F811
    shared_samples: Path,
    tmp_path: Path,
) -> None:
    folder = shared_samples / "credential_engine_ctdl"
    if not folder.is_dir():
        pytest.skip(f"CTDL samples not found at {folder}")
    result = _cli(
        "sync", "ctdl", "--path", str(folder), "--json",
        db_url=migrated_url, env=_no_file(tmp_path),
    )  # fmt: skip
    doc = _doc(result)
    assert doc["status"] == "succeeded"
    assert doc["courses"]["created"] == 5  # the sample's five courses
    wrong = _cli(
        "sync", "swayam", "--path", str(folder), db_url=migrated_url,
        env=_no_file(tmp_path),
    )  # fmt: skip
    assert wrong.returncode == 2 and "for the ctdl connector" in wrong.stderr


def test_edx_client_credentials_from_flags_and_the_environment(
    migrated_url: str,  # noqa: F811
    simulator_thread: Callable[..., Simulator],  # noqa: F811
    tmp_path: Path,
) -> None:
    sim = simulator_thread(courses=30, seed=2)
    args = (
        "sync", "edx", "--base-url", sim.url,
        "--token-url", sim.url + "/oauth2/access_token",
        "--client-id", "sim-client", "--json",
    )  # fmt: skip
    env = _no_file(tmp_path, CREDGRAPH_EDX_CLIENT_SECRET="sim-secret")
    doc = _doc(_cli(*args, db_url=migrated_url, env=env))
    assert doc["status"] == "succeeded" and doc["courses"]["created"] == 30
    # Without the secret the source is misconfigured: exit 2, naming the
    # variable, before any request.
    refused = _cli(*args, db_url=migrated_url, env=_no_file(tmp_path))
    assert refused.returncode == 2
    assert "CREDGRAPH_EDX_CLIENT_SECRET" in refused.stderr
