"""A learner's data rights: export everything held about them, and erasure.

Erasure removes what identifies the person and keeps what the Academic Bank
of Credits rules need, anonymised:

- removed: name, e-mail, ABC account id, marks and CGPA; the APAAR ID is
  replaced by a pseudonym (E + the row id), so no token reaches the record
  again; every credential's raw document, evidence URL, verification report,
  score, scores and grade; credentials that never entered the ledger.
- kept: credentials that were deposited (credits, dates, course, issuer,
  level, category and the fingerprint), their ledger rows and the awards they
  paid for, with the policy that decided them. ABC regs 8.7: a debit is
  irrevocable, and the fingerprint is what refuses a second deposit of the
  same result (a re-registered learner cannot bank erased credits again);
  the ledger is the record from which balances are derived (regs 6.6).
- kept: the access log (who read the record and when), for accountability;
  it names the readers, not the learner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from app.db.models.catalogue import Institution
from app.db.models.learners import AccessLog, Award, Credential, Learner, LedgerEntry

EXPORT_FORMAT = "credgraph-learner-export/1"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


async def export_learner(learner_id: int) -> dict[str, Any]:
    """Every row held about the learner, as one JSON-ready document."""
    learner = (await Learner.filter(id=learner_id).values())[0]
    home = None
    if learner["home_institution_id"]:
        rows = await Institution.filter(id=learner["home_institution_id"]).values(
            "slug", "name", "aishe_code"
        )
        home = rows[0] if rows else None
    return _plain(
        {
            "format": EXPORT_FORMAT,
            "exported_at": datetime.now(UTC),
            "learner": {**learner, "home_institution": home},
            "credentials": await Credential.filter(learner_id=learner_id)
            .order_by("id")
            .values(),
            "ledger": await LedgerEntry.filter(learner_id=learner_id)
            .order_by("id")
            .values(),
            "awards": await Award.filter(learner_id=learner_id).order_by("id").values(),
            "access_log": await AccessLog.filter(learner_id=learner_id)
            .order_by("id")
            .values(),
        }
    )


@dataclass(frozen=True)
class Erasure:
    credentials_removed: int
    credentials_kept: int
    ledger_entries_kept: int
    awards_kept: int


def pseudonym(learner_id: int) -> str:
    """12 characters, never 12 digits: cannot be anyone's APAAR ID."""
    return f"E{learner_id:011d}"


async def erase_learner(learner_id: int) -> Erasure:
    async with in_transaction():
        banked = set(
            await LedgerEntry.filter(learner_id=learner_id).values_list(
                "credential_id", flat=True
            )
        )
        removed = (
            await Credential.filter(learner_id=learner_id)
            .exclude(id__in=banked or {-1})
            .delete()
        )
        await Credential.filter(learner_id=learner_id).update(
            document=None,
            evidence_url=None,
            verification=None,
            score=None,
            scores=None,
            grade=None,
        )
        await Learner.filter(id=learner_id).update(
            apaar_id=pseudonym(learner_id),
            name=None,
            email=None,
            abc_account_id=None,
            marks_percent_sem1_6=None,
            cgpa=None,
            erased_at=datetime.now(UTC),
        )
        return Erasure(
            credentials_removed=removed,
            credentials_kept=await Credential.filter(learner_id=learner_id).count(),
            ledger_entries_kept=await LedgerEntry.filter(learner_id=learner_id).count(),
            awards_kept=await Award.filter(learner_id=learner_id).count(),
        )
