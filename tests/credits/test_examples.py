"""The worked example of ../shared/domain/examples must pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.credits.audit_io import load_request, result_to_json
from app.credits.evaluation import evaluate

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
EXAMPLES = SHARED / "domain" / "examples"


@pytest.fixture
def examples() -> Path:
    if not EXAMPLES.is_dir():
        pytest.skip(f"shared domain examples not found at {EXAMPLES}")
    return EXAMPLES


def test_certificate_example_matches_expected(examples: Path) -> None:
    request = load_request(examples / "audit-certificate.json")
    expected = json.loads((examples / "audit-certificate.expected.json").read_text())
    result = evaluate(
        request.credits,
        request.learner,
        request.tree,
        request.award,
        request.policy,
        request.as_of,
    )
    out = result_to_json(result)
    assert out["eligible"] == expected["eligible"]
    assert [
        {"id": e["id"], "reason": e["reason"]} for e in out["excluded"]
    ] == expected["excluded"]
    assert out["missing"] == expected["missing"]
