"""Banking a credential's credits in the ledger (ABC regulations 2021)."""

from __future__ import annotations

from decimal import Decimal

from app.db.models.learners import Credential, LedgerEntry


async def deposit(credential: Credential, note: str) -> LedgerEntry | None:
    """Deposit a credential's credits when its issuer is ABC-registered
    (R-ABC-REG: only registered HEIs deposit). One deposit per credential at
    most: the (credential, kind) key refuses a second, so calling this again
    for a credential already banked changes nothing."""
    if not credential.credits or not credential.issuer_registered:
        return None
    entry, _ = await LedgerEntry.get_or_create(
        credential_id=credential.id,
        kind="deposit",
        defaults={
            "learner_id": credential.learner_id,
            "credits": Decimal(str(credential.credits)),
            "note": note,
        },
    )
    return entry
