"""`credgraph token` prints a bare token that the API accepts."""

from __future__ import annotations

import pytest

from app.auth import Caller, Role, verify_token
from app.cli import main
from app.settings import Settings


def test_prints_a_bare_token(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["token", "--role", "learner", "--subject", "123456789012", "--ttl", "60"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.count(".") == 2
    assert verify_token(out.strip(), Settings()) == Caller(Role.LEARNER, "123456789012")


def test_unknown_role_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["token", "--role", "root", "--subject", "x"])
    assert exit.value.code == 2
