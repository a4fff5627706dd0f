"""Natural keys hold on both backends: a second row with the same key fails."""

from __future__ import annotations

from datetime import date

import pytest
from tortoise.exceptions import IntegrityError

from app.db.models.learners import Credential, Learner, LedgerEntry
from tests.factories import make_course, make_provider


@pytest.mark.asyncio
async def test_provider_slug_is_unique(db: str) -> None:
    await make_provider("nptel")
    with pytest.raises(IntegrityError):
        await make_provider("nptel")


@pytest.mark.asyncio
async def test_course_external_id_is_unique_per_provider(db: str) -> None:
    nptel, cec = await make_provider("nptel"), await make_provider("cec")
    await make_course(nptel, "noc-ma39", "Calculus")
    await make_course(cec, "noc-ma39", "Same id, other provider")  # allowed
    with pytest.raises(IntegrityError):
        await make_course(nptel, "noc-ma39", "Calculus again")


@pytest.mark.asyncio
async def test_apaar_id_is_unique(db: str) -> None:
    await Learner.create(apaar_id="123456789012")
    with pytest.raises(IntegrityError):
        await Learner.create(apaar_id="123456789012")


@pytest.mark.asyncio
async def test_credential_fingerprint_forbids_a_second_deposit(db: str) -> None:
    learner = await Learner.create(apaar_id="123456789012")
    values = dict(learner=learner, title="Python", earned_on=date(2025, 5, 1))
    credential = await Credential.create(fingerprint="f" * 64, **values)
    with pytest.raises(IntegrityError):
        await Credential.create(fingerprint="f" * 64, **values)
    await LedgerEntry.create(
        learner=learner, credential=credential, kind="deposit", credits="2.50"
    )
    with pytest.raises(IntegrityError):
        await LedgerEntry.create(
            learner=learner, credential=credential, kind="deposit", credits="2.50"
        )


@pytest.mark.asyncio
async def test_ledger_keeps_exact_decimals(db: str) -> None:
    from decimal import Decimal

    learner = await Learner.create(apaar_id="123456789012")
    for i, amount in enumerate(("0.10", "0.20")):
        credential = await Credential.create(
            learner=learner,
            title=f"c{i}",
            earned_on=date(2025, 1, 1),
            fingerprint=str(i) * 64,
        )
        await LedgerEntry.create(
            learner=learner, credential=credential, kind="deposit", credits=amount
        )
    rows = await LedgerEntry.filter(learner=learner).values_list("credits", flat=True)
    assert sum(rows, Decimal(0)) == Decimal("0.30")


@pytest.mark.asyncio
async def test_credits_sort_as_numbers(db: str) -> None:
    nptel = await make_provider("nptel")
    for i, credits in enumerate((10, 9.5, 2)):
        await make_course(nptel, f"c{i}", f"Course {i}", credits=credits)
    from app.db.models.catalogue import Course

    ordered = (
        await Course.filter(credits__gt=3)
        .order_by("credits")
        .values_list("credits", flat=True)
    )
    assert ordered == [9.5, 10]
