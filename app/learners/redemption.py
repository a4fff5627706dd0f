"""Redeeming credits for an award, atomically.

Eligibility is decided and the debits written inside one transaction. Two
concurrent redemptions of the same credits cannot both succeed: on
PostgreSQL the second insert of a (credential, "debit") row violates the
unique pair on ledger_entry and its whole transaction rolls back; on SQLite
the transaction holds the single connection's lock, so the second request
sees the first one's debits and the engine refuses them (R-ABC-DEBIT).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.credits import Evaluation, evaluate
from app.credits.audit_io import result_to_json
from app.credits.errors import LedgerError
from app.credits.ledger import redeem
from app.db.models.learners import Award, LedgerEntry
from app.learners.records import load_record
from app.learners.targets import Target


@dataclass
class Redemption:
    award: Award | None
    evaluation: Evaluation | None
    refusals: list[str] = field(default_factory=list)


def _reasons(evaluation: Evaluation) -> list[str]:
    reasons = [
        f"{gap.rule}: {gap.what} {gap.actual:g} of {gap.required:g} "
        f"(short {gap.short:g})"
        for gap in evaluation.missing
    ]
    return reasons or ["not eligible"]


async def redeem_award(
    learner: dict[str, Any], target: Target, as_of: date, today: date
) -> Redemption:
    try:
        async with in_transaction():
            record = await load_record(learner)
            evaluation = evaluate(
                record.deposited(),
                record.learner,
                target.tree,
                target.award_code,
                target.policy,
                as_of,
            )
            if not evaluation.eligible:
                return Redemption(None, evaluation, _reasons(evaluation))
            try:
                debits = redeem(
                    record.ledger,
                    evaluation.used,
                    target.award_code,
                    today,
                    target.policy,
                )
            except LedgerError as exc:
                return Redemption(None, evaluation, [str(exc)])
            award = await Award.create(
                learner_id=learner["id"],
                programme_id=target.programme_id,
                pathway_id=target.pathway_id,
                award_code=target.award_code,
                title=target.title,
                policy_name=target.policy.name,
                policy_version=target.policy.version,
                policy_overrides=dict(target.policy.overrides),
                as_of=as_of,
                result=result_to_json(evaluation),
            )
            await LedgerEntry.bulk_create(
                [
                    LedgerEntry(
                        learner_id=learner["id"],
                        credential_id=int(d.credit_id),
                        kind="debit",
                        credits=Decimal(str(d.credits)),
                        award_id=award.id,
                        note=f"redeemed for {target.award_code} (R-ABC-DEBIT)",
                    )
                    for d in debits
                ]
            )
            return Redemption(award, evaluation)
    except IntegrityError:
        return Redemption(
            None, None, ["these credits were redeemed by another request (R-ABC-DEBIT)"]
        )
