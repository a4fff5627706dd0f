"""Importing into the database: one row per credential, matched to the catalogue,
credits with their source; invalid input stores nothing; export and round trip."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.errors import NotACredential
from app.credentials.signing import Signer, signer_for
from app.credentials.store import (
    AlreadyClaimed,
    eu_view,
    export_clr_for,
    import_credential,
    reverify_credential,
)
from app.credentials.verify import verify_document
from app.credits.evaluation import evaluate
from app.credits.model import Credit as EngineCredit
from app.credits.model import Learner as EngineLearner
from app.credits.policy import get_policy
from app.credits.requirements import parse_tree
from app.db.models.catalogue import Course, Provider
from app.db.models.learners import Award, Credential, Learner, LedgerEntry
from tests.credentials.conftest import LocalWeb, make_ob3
from tests.credentials.test_status_list import LIST_URL, entry, status_list

CTID = "ce-4b1f8a2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"


async def a_learner(apaar: str = "123456789012") -> Learner:
    return await Learner.create(apaar_id=apaar, name="Asha")


@pytest.mark.asyncio
async def test_same_credential_twice_is_one_row(
    db: str, issuer_key: Signer, web_server: LocalWeb
) -> None:
    learner = await a_learner()
    credential = make_ob3(issuer_key)
    first = await import_credential(learner, credential, fetcher=web_server)
    second = await import_credential(learner, credential, fetcher=web_server)
    assert first.credentials[0].id == second.credentials[0].id
    assert await Credential.filter(learner=learner).count() == 1
    row = await Credential.get(id=first.credentials[0].id)
    assert row.verification_status == "valid"
    assert row.verification["verdict"] == "valid"
    assert row.verified_at is not None
    assert row.document == credential
    assert (row.credits, row.credits_source) == (4.0, "credential.creditsAvailable")


@pytest.mark.asyncio
async def test_invalid_credential_is_not_stored(
    db: str, issuer_key: Signer, web_server: LocalWeb
) -> None:
    learner = await a_learner()
    credential = make_ob3(issuer_key)
    credential["name"] = "Edited after signing"
    result = await import_credential(learner, credential, fetcher=web_server)
    assert result.report.verdict.value == "invalid" and not result.stored
    with pytest.raises(NotACredential):
        await import_credential(learner, b"{not json", fetcher=web_server)
    assert await Credential.all().count() == 0


@pytest.mark.asyncio
async def test_someone_elses_credential_is_refused(
    db: str, issuer_key: Signer, web_server: LocalWeb
) -> None:
    credential = make_ob3(issuer_key)
    await import_credential(await a_learner(), credential, fetcher=web_server)
    with pytest.raises(AlreadyClaimed):
        await import_credential(
            await a_learner("210987654321"), credential, fetcher=web_server
        )


@pytest.mark.asyncio
async def test_course_found_by_ctdl_alignment(
    db: str, issuer_key: Signer, web_server: LocalWeb
) -> None:
    provider = await Provider.create(
        slug="tu", name="Some Other Name", abc_registered=True
    )
    course = await Course.create(
        provider=provider, external_id=CTID, title="DS 101", credits=3
    )
    alignment = [
        {
            "type": ["Alignment"],
            "targetName": "DS 101",
            "targetType": "CTDL",
            "targetUrl": f"https://credentialengineregistry.org/resources/{CTID}",
        }
    ]
    credential = make_ob3(issuer_key, alignment=alignment)
    row = (
        await import_credential(await a_learner(), credential, fetcher=web_server)
    ).credentials[0]
    assert row.course_id == course.id
    assert row.course_match_reason == "alignment to CTDL CTID"


@pytest.mark.asyncio
async def test_course_found_by_issuer_and_title_with_catalogue_credits(
    db: str, issuer_key: Signer, web_server: LocalWeb
) -> None:
    provider = await Provider.create(
        slug="tu", name="Test University", abc_registered=True
    )
    course = await Course.create(
        provider=provider,
        external_id="DS",
        title="data structures",
        credits=3,
        credit_source="stated",
        ncrf_level=5,
    )
    credential = make_ob3(issuer_key, credits=None)
    row = (
        await import_credential(await a_learner(), credential, fetcher=web_server)
    ).credentials[0]
    assert row.course_id == course.id
    assert row.course_match_reason == "issuer is provider tu; title matches"
    assert (row.credits, row.credits_source, row.ncrf_level) == (
        3.0,
        "course:stated",
        5.0,
    )
    assert row.issuer_registered is True


@pytest.mark.asyncio
async def test_reverify_sees_a_later_revocation(
    db: str, issuer_key: Signer, web_server: LocalWeb
) -> None:
    web_server.publish(LIST_URL, status_list(issuer_key, set()))
    credential = make_ob3(issuer_key, status=entry(5))
    row = (
        await import_credential(await a_learner(), credential, fetcher=web_server)
    ).credentials[0]
    web_server.publish(LIST_URL, status_list(issuer_key, {5}))
    report = await reverify_credential(row, fetcher=web_server)
    assert report.verdict.value == "invalid"
    assert (await Credential.get(id=row.id)).verification_status == "invalid"


@pytest.mark.asyncio
async def test_clr_import_stores_each_nested_credential(
    db: str, samples: Path, web_server: LocalWeb
) -> None:
    from tests.credentials.test_samples import V3V, publish_issuers

    publish_issuers(web_server, samples)
    data = (samples / V3V / "clr20_simple.json").read_bytes()
    result = await import_credential(await a_learner(), data, fetcher=web_server)
    assert result.report.format == "clr2"
    assert [c.title for c in result.credentials] == ["Teamwork"]


@pytest.mark.asyncio
async def test_eu_view_marks_what_is_missing(
    db: str, samples: Path, web_server: LocalWeb
) -> None:
    from tests.credentials.test_samples import V3V, publish_issuers

    publish_issuers(web_server, samples)
    data = (samples / V3V / "ob30_complete.json").read_bytes()
    row = (
        await import_credential(await a_learner(), data, fetcher=web_server)
    ).credentials[0]
    view = {e["element"]: e for e in eu_view(row)["elements"]}
    assert view["title"]["source"] == "credentialSubject.achievement.name"
    assert view["notional workload (ECTS where possible)"]["value"] == "36"
    assert view["form of participation"]["missing"] is True
    assert eu_view(row)["complete"] is False


@pytest.mark.asyncio
async def test_round_trip_import_count_export(db: str, web_server: LocalWeb) -> None:
    """Three signed badges with credits count toward a pathway, and the learner's
    exported CLR verifies."""
    issuer = signer_for(Ed25519PrivateKey.generate())
    await Provider.create(slug="tu", name="Test University", abc_registered=True)
    learner = await a_learner()
    for i, name in enumerate(("Algorithms", "Databases", "Networks")):
        credential = make_ob3(
            issuer,
            name=name,
            credits=4,
            ident=f"urn:uuid:00000000-0000-4000-8000-00000000010{i}",
        )
        assert (await import_credential(learner, credential, fetcher=web_server)).stored
        # importing it again banks nothing twice
        assert (await import_credential(learner, credential, fetcher=web_server)).stored
    deposits = await LedgerEntry.filter(learner=learner, kind="deposit").values_list(
        "credits", flat=True
    )
    assert sorted(deposits) == [4, 4, 4]  # banked on import (R-ABC-REG)
    rows = await Credential.filter(learner=learner).order_by("id")
    credits = [
        EngineCredit(
            id=str(r.id),
            credits=r.credits,
            provider="tu",
            earned_on=r.earned_on,
            title=r.title,
            issuer_registered=r.issuer_registered,
            level=4.5,
            semester=1,
        )
        for r in rows
    ]
    tree = parse_tree({"type": "min_credits", "n": 12, "rule": "T-PATHWAY"})
    result = evaluate(
        credits,
        EngineLearner(home_institution="home"),
        tree,
        "pathway",
        get_policy("ugc-2023"),
        date(2025, 1, 1),
    )
    assert result.eligible, result
    assert sorted(result.used) == sorted(c.id for c in credits)

    award = await Award.create(
        learner=learner,
        award_code="data-pathway",
        title="Data pathway",
        policy_name="ugc-2023",
        policy_version="1",
        as_of=date(2025, 1, 1),
    )
    for row in rows:
        await LedgerEntry.create(
            learner=learner, credential=row, kind="debit", credits=4, award=award
        )
    platform = signer_for(Ed25519PrivateKey.generate())
    clr = await export_clr_for(learner, signer=platform)
    report = await verify_document(clr, fetcher=web_server)
    assert report.verdict.value == "valid", report.to_dict()
    assert len(report.nested) == 3
    parts = {a["sourceId"] for a in report.associations}
    assert parts == {r.document["id"] for r in rows}
    assert clr["credentialSubject"]["achievement"][0]["creditsAvailable"] == 12.0


@pytest.mark.asyncio
async def test_resigned_credential_is_still_one_row(
    db: str, issuer_key: Signer, web_server: LocalWeb
) -> None:
    from datetime import UTC, datetime

    from app.credentials import dataintegrity

    learner = await a_learner()
    credential = make_ob3(issuer_key)
    resigned = dataintegrity.sign(
        credential,
        issuer_key.private_key,
        issuer_key.verification_method,
        created=datetime(2025, 3, 1, tzinfo=UTC),
    )
    assert resigned["proof"] != credential["proof"]
    await import_credential(learner, credential, fetcher=web_server)
    await import_credential(learner, resigned, fetcher=web_server)
    assert await Credential.filter(learner=learner).count() == 1


@pytest.mark.asyncio
async def test_ob2_hosted_badge_imports_with_its_badge_class(
    db: str, samples: Path, web_server: LocalWeb
) -> None:
    from tests.credentials.test_samples import V2V, publish_hosted, publish_issuers

    publish_issuers(web_server, samples)
    publish_hosted(web_server, samples / V2V / "basic-assertion.json")
    provider = await Provider.create(slug="ex", name="An Example Badge Issuer")
    data = (samples / V2V / "basic-assertion.json").read_bytes()
    row = (
        await import_credential(await a_learner(), data, fetcher=web_server)
    ).credentials[0]
    assert (row.format, row.kind, row.title) == (
        "ob2-hosted",
        "badge",
        "Awesome Robotics Badge",
    )
    assert row.issuer_id == provider.id
    assert row.earned_on == date(2016, 12, 31)
    assert row.credits is None  # OB 2.0 states none and no course matched
