"""Small builders for credit-engine tests: a credit, a learner, an evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from app.credits.awards import builtin_award
from app.credits.evaluation import Evaluation, evaluate
from app.credits.model import Credit, Learner
from app.credits.policy import Policy, derive_policy, get_policy
from app.credits.requirements import Node, parse_tree

AS_OF = date(2025, 8, 1)
EARNED = date(2025, 5, 30)


def credit(cid: str, credits: float = 4, category: str = "major", **kw: Any) -> Credit:
    values: dict[str, Any] = {
        "provider": "home",
        "earned_on": EARNED,
        "level": 4.5,
        "semester": 1,
    }
    values.update(kw)
    return Credit(id=cid, credits=credits, category=category, **values)


def many(
    prefix: str, count: int, credits: float = 4, category: str = "major", **kw: Any
):
    return [credit(f"{prefix}{i}", credits, category, **kw) for i in range(count)]


def learner(**kw: Any) -> Learner:
    return Learner(home_institution="home", **kw)


def policy(overrides: dict[str, dict[str, Any]] | None = None) -> Policy:
    return derive_policy("ugc-2023", overrides) if overrides else get_policy("ugc-2023")


def run(
    credits: Sequence[Credit],
    award: str | dict = "ug_certificate",
    overrides: dict[str, dict[str, Any]] | None = None,
    as_of: date = AS_OF,
    who: Learner | None = None,
) -> Evaluation:
    pol = policy(overrides)
    tree: Node = (
        builtin_award(award, pol) if isinstance(award, str) else parse_tree(award)
    )
    name = award if isinstance(award, str) else "custom"
    return evaluate(credits, who or learner(), tree, name, pol, as_of)


def reasons(result: Evaluation) -> dict[str, str]:
    return {e.id: e.reason for e in result.excluded}


def certificate_base(non_vocational: float = 40, vocational: float = 4) -> list[Credit]:
    """Home credits for a UG certificate: 4-credit courses over semesters 1-2."""
    out = [
        credit(f"h{i}", 4, "major", semester=1 + i % 2)
        for i in range(int(non_vocational // 4))
    ]
    if vocational:
        out.append(
            credit(
                "voc",
                vocational,
                "vocational",
                kind="vocational",
                semester=None,
                term="summer",
            )
        )
    return out
