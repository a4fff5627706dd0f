"""The sources file: names of secrets, never secrets; every mistake is explained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.ingest.sources import SourcesError, find_source, load_sources
from tests.conftest import ROOT


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "connectors.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_file_loads() -> None:
    [swayam] = load_sources(ROOT / "connectors.toml.example", {})
    assert (swayam.name, swayam.connector) == ("swayam", "swayam")
    assert swayam.base_url == "https://swayam.gov.in"
    assert swayam.options["page_size"] == 500


def test_secrets_are_resolved_from_the_named_variables(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        '[sources.mirror]\nconnector = "swayam"\n'
        '[sources.mirror.secrets]\ntoken = "MIRROR_TOKEN"\n',
    )
    [mirror] = load_sources(path, {"MIRROR_TOKEN": "t0ken"})
    assert mirror.secrets == {"token": "t0ken"}
    with pytest.raises(SourcesError, match="MIRROR_TOKEN is not set"):
        load_sources(path, {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[sources.swayam.secrets]\nk = "abc!"\n', "must name"),
        ('[sources.s]\nconnector = "nosuch"\n', "unknown connector"),
        ('[sources.s]\nurl = "ftp://x"\nconnector = "swayam"\n', "http(s) URL"),
        ('[sources.s]\nconnector = "swayam"\npasword = "x"\n', "unknown keys"),
        ("[sources.s\n", "not valid TOML"),
        ("title = 1\n", "no [sources.<name>]"),
    ],
)  # fmt: skip
def test_mistakes_are_explained(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SourcesError, match=re.escape(message)):
        load_sources(_file(tmp_path, text), {})


def test_a_source_by_name_falls_back_to_its_connector(tmp_path: Path) -> None:
    missing = tmp_path / "none.toml"
    config = find_source("swayam", missing, {}, base_url="http://127.0.0.1:1")
    assert (config.connector, config.base_url) == ("swayam", "http://127.0.0.1:1")
    with pytest.raises(SourcesError, match="unknown source"):
        find_source("nosuch", missing, {})


def test_one_file_serves_sync_all_and_the_worker_schedule(tmp_path: Path) -> None:
    from datetime import timedelta

    from app.jobs.schedule import load_schedule
    from app.jobs.sources import find_source as worker_find_source

    path = _file(
        tmp_path,
        '[sources.swayam]\nconnector = "swayam"\nevery = "6h"\n'
        '[sources.edx]\nconnector = "edx"\n'
        '[sources.edx.secrets]\nclient_secret = "EDX_SECRET"\n',
    )
    swayam, edx = load_sources(path, {"EDX_SECRET": "s"})  # what sync --all runs
    assert (swayam.connector, edx.secrets) == ("swayam", {"client_secret": "s"})
    [entry] = load_schedule(path)
    assert (entry.source, entry.every) == ("swayam", timedelta(hours=6))
    # The worker reads only the job's source: edx's unset variable does not
    # stop swayam's job.
    assert worker_find_source("swayam", path).connector == "swayam"


def test_a_bad_every_is_refused_by_sync_all_too(tmp_path: Path) -> None:
    path = _file(tmp_path, '[sources.swayam]\nconnector = "swayam"\nevery = "often"\n')
    with pytest.raises(SourcesError, match="every must look like"):
        load_sources(path, {})
