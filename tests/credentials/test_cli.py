"""`credgraph verify` and `credgraph keygen` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.credentials.signing import Signer
from tests.credentials.conftest import make_ob3


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def write(tmp_path: Path, name: str, document: dict | str) -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def test_valid_credential_exits_0_with_a_json_report(
    tmp_path: Path, issuer_key: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["verify", write(tmp_path, "c.json", make_ob3(issuer_key))], capsys
    )
    report = json.loads(out)
    assert code == 0
    assert report["verdict"] == "valid"
    assert report["achievement"] == {
        "name": "Data Structures",
        "credits": 4.0,
        "credits_source": "credentialSubject.achievement.creditsAvailable",
    }
    assert [c["name"] for c in report["checks"]] == [
        "proof",
        "issuer_key",
        "validity_period",
        "status",
        "schema",
    ]


def test_tampered_credential_exits_1(
    tmp_path: Path, issuer_key: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    credential = make_ob3(issuer_key)
    credential["validFrom"] = "2023-01-01T00:00:00Z"
    code, out, _ = run(["verify", write(tmp_path, "c.json", credential)], capsys)
    assert code == 1
    assert json.loads(out)["checks"][0]["status"] == "failed"


def test_unreachable_status_list_exits_3(
    tmp_path: Path,
    issuer_key: Signer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CREDGRAPH_ALLOW_PRIVATE_FETCH", "1")
    status = {
        "id": "http://127.0.0.1:9/status#3",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "3",
        "statusListCredential": "http://127.0.0.1:9/status",
    }
    path = write(tmp_path, "c.json", make_ob3(issuer_key, status=status))
    code, out, _ = run(["verify", path], capsys)
    assert (code, json.loads(out)["verdict"]) == (3, "indeterminate")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON"),
        ('{"type": "BadgeClass", "name": "x"}', "BadgeClass is not a credential"),
        ("hello", "not JSON, a compact JWS"),
    ],
)
def test_not_a_credential_exits_2_without_traceback(
    tmp_path: Path, content: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["verify", write(tmp_path, "x.json", content)], capsys)
    assert code == 2
    assert reason in err
    assert "Traceback" not in err and out == ""


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["verify", "/nonexistent/badge.json"], capsys)
    assert code == 2 and "no such file" in err


def test_keygen_writes_a_private_key_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "data" / "signing-key.pem"
    monkeypatch.setenv("CREDGRAPH_SIGNING_KEY", str(key))
    code, out, _ = run(["keygen"], capsys)
    assert code == 0
    assert json.loads(out)["did"].startswith("did:key:z6Mk")
    assert key.stat().st_mode & 0o777 == 0o600
    code, _, err = run(["keygen"], capsys)
    assert code == 2 and "--force" in err


def test_verify_by_url(
    tmp_path: Path,
    issuer_key: Signer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`verify URL` fetches the credential (a loopback server, allowed for tests)."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    monkeypatch.setenv("CREDGRAPH_ALLOW_PRIVATE_FETCH", "1")
    write(tmp_path, "badge.json", make_ob3(issuer_key))
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/badge.json"
        code, out, _ = run(["verify", url], capsys)
        assert (code, json.loads(out)["verdict"]) == (0, "valid")
        code, _, err = run(["verify", url.replace("badge", "missing")], capsys)
        assert code == 2 and "HTTP 404" in err
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.asyncio
async def test_api_input_never_reads_local_files() -> None:
    from app.credentials.errors import FetchRefused
    from app.credentials.fetch import SafeFetcher
    from app.credentials.sources import read_url

    async with SafeFetcher() as fetcher:
        with pytest.raises(FetchRefused):
            await read_url("/etc/passwd", fetcher)


def test_verify_eu_view_lists_each_annex_element(
    tmp_path: Path, issuer_key: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "c.json", make_ob3(issuer_key))
    code, out, _ = run(["verify", "--eu", path], capsys)
    view = json.loads(out)["eu_annex_i"]
    by_name = {e["element"]: e for e in view["elements"]}
    assert code == 0 and len(by_name) == 11
    assert by_name["awarding body"] == {
        "element": "awarding body",
        "value": "Test University",
        "source": "issuer.name",
        "missing": False,
    }
    assert by_name["learning outcomes"]["missing"] is True
    assert "learning outcomes" in view["missing"] and view["complete"] is False
