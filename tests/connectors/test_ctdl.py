"""The CTDL connector: documents on disk, and the Registry over real HTTP."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.credits.requirements import parse_tree, walk
from connectors.base import SourceConfig, SyncState
from connectors.credit_units import convert, unit_of
from connectors.ctdl import build
from connectors.durations import parse_duration
from connectors.http import FetchFailed, HttpClient
from connectors.records import (
    CourseRecord,
    Malformed,
    OfferingRecord,
    PageDone,
    PathwayRecord,
    ProgrammeRecord,
    ProviderRecord,
    Record,
    Withdrawal,
)
from connectors.simulator import Simulator
from connectors.simulator.ctdl import API_KEY
from tests.connectors.conftest import FAST, StartSimulator, of_type
from tests.connectors.faults import PAGED_REQUEST_FAULTS

ORG = "https://credentialengine.github.io/credential-registry-ingest-examples/Organization/1/Organization-1.json"  # noqa: E501
LP2 = "ce-602de2f0-3593-4b46-8386-85554cd582cd"


@pytest.fixture
def ctdl_samples(shared_samples: Path) -> Path:
    folder = shared_samples / "credential_engine_ctdl"
    if not folder.is_dir():
        pytest.skip(f"CTDL samples not found at {folder}")
    return folder


async def from_path(path: Path, **options: Any) -> list[Record]:
    config = SourceConfig("ctdl", "ctdl", None, {"path": str(path), **options})
    async with HttpClient(FAST) as http:
        return [r async for r in build(config, http).records(SyncState())]


async def from_registry(
    sim: Simulator,
    http: HttpClient,
    state: SyncState | None = None,
    key: str | None = API_KEY,
    per_page: int = 25,
) -> list[Record]:
    config = SourceConfig(
        "ctdl", "ctdl", sim.url, {"per_page": per_page}, {"api_key": key} if key else {}
    )
    return [r async for r in build(config, http).records(state or SyncState())]


def by_id(records: list[Record], kind: type) -> dict[str, Any]:
    return {r.external_id: r for r in of_type(records, kind)}


# -- documents on disk ---------------------------------------------------------


@pytest.mark.asyncio
async def test_sample_directory_current_graph_and_2016_documents(
    ctdl_samples: Path,
) -> None:
    records = await from_path(ctdl_samples)
    assert not of_type(records, Malformed)
    courses = by_id(records, CourseRecord)
    programmes = by_id(records, ProgrammeRecord)
    pathways = by_id(records, PathwayRecord)
    assert len(courses) == 5 and len(pathways) == 1 and len(programmes) == 3

    # The degree requires LearningProgram-2, named by URL in another file:
    # the reference resolves to that program's CTID.
    degree = programmes["ce-edc318c1-aa67-47e2-9638-a8529e6612d4"]
    assert degree.award_kind == "bachelor_degree"
    assert degree.institution_name == "Example University"
    assert degree.requirement["ref"] == LP2
    assert parse_tree(degree.requirement).type == "course"
    assert courses[LP2].title == "Cybersecurity Program"  # no parts: a course

    program = pathways["ce-23b0e606-545c-4383-8630-f97ec3b190fa"]
    assert program.course_refs == (
        "ce-7160aae4-5185-4564-95ab-428419974643",
        "ce-3c5e4bbc-40c3-44eb-90c2-3f27d98d88f1",
        "ce-991d72b1-c0fd-4d98-8294-6c47bc3a2122",
    )
    assert set(program.course_refs) <= set(courses)

    # 2016-era: plain strings, no owner, "US Dollar", P2Y.
    cota = programmes["ce-1a4ab486-8212-4708-b7d5-c5167fdd2b47"]
    assert cota.name == "Certified Occupational Therapy Assistant (COTA®)"
    assert (cota.award_kind, cota.duration_years) == ("certification", 2.0)
    seminar = courses["ce-38a1cf5c-798e-469b-88ac-87231d5ae1c2"]
    assert seminar.mode == "in_person"
    assert seminar.languages == ("English",)
    assert "Application to welds" in seminar.subjects

    fees = {o.course_external_id: o for o in of_type(records, OfferingRecord)}
    assert (
        fees["ce-7160aae4-5185-4564-95ab-428419974643"].fee_minor,
        fees["ce-7160aae4-5185-4564-95ab-428419974643"].currency,
    ) == (99500, "USD")
    providers = {p.slug: p for p in of_type(records, ProviderRecord)}
    assert providers["ce-7f42a13b-2c7e-4cbb-bbae-337a5187cf61"].kind == "university"
    # LearningProgram-1 and its three courses again in the -graph file.
    assert sum(p.meta.get("duplicates", 0) for p in of_type(records, PageDone)) == 4


@pytest.mark.asyncio
async def test_a_graph_document_alone_resolves_inside_the_graph(
    ctdl_samples: Path,
) -> None:
    path = (
        ctdl_samples
        / "ingest_examples"
        / "LearningProgram_1_LearningProgram-1-graph.json"
    )
    records = await from_path(path)
    pathway = of_type(records, PathwayRecord)[0]
    courses = by_id(records, CourseRecord)
    assert set(pathway.course_refs) == set(courses) and len(courses) == 3
    # The owner is only referenced, never described: kept by its URL.
    assert {p.name for p in of_type(records, ProviderRecord)} == {ORG}


def _credit(term: str, value: float) -> dict[str, Any]:
    return {
        "@type": "ceterms:ValueProfile",
        "ceterms:creditUnitType": [
            {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": term}
        ],
        "schema:value": value,
    }


def _write(folder: Path, name: str, doc: Any) -> None:
    (folder / name).write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture
def generated_dir(tmp_path: Path) -> Path:
    """Documents with creditValue (no real sample has one) and every value form."""
    ctx = "https://credreg.net/ctdl/schema/context/json"
    org = "https://registry.example/resources/ce-00000000-0000-4000-8000-000000000001"
    course = "ce-00000000-0000-4000-8000-000000000002"
    _write(
        tmp_path,
        "org.json",
        {
            "@context": ctx,
            "@id": org,
            "@type": "ceterms:CredentialOrganization",
            "ceterms:ctid": "ce-00000000-0000-4000-8000-000000000001",
            "ceterms:name": {"fr": "Université Exemple", "en-GB": "Example University"},
        },
    )
    _write(
        tmp_path,
        "course.json",
        {
            "@context": ctx,
            "@id": f"https://registry.example/resources/{course}",
            "@type": "ceterms:Course",
            "ceterms:ctid": course,
            "ceterms:name": {"en-US": "Linear Algebra", "fr": "Algèbre linéaire"},
            "ceterms:ownedBy": [org],
            "ceterms:creditValue": [_credit("creditUnit:ECTS", 5)],
            "ceterms:subject": [
                {"@type": "skos:Concept", "skos:prefLabel": {"en": "Mathematics"}}
            ],
            "ceterms:keyword": {"fr": ["matrices"], "en-US": ["matrices", "vectors"]},
            "ceterms:estimatedDuration": [
                {"@type": "ceterms:DurationProfile", "ceterms:exactDuration": "PT150H"}
            ],
            "ceterms:estimatedCost": [
                {"ceterms:price": 250, "ceterms:currency": "EUR"}
            ],
        },
    )
    _write(
        tmp_path,
        "degree.json",
        {
            "@context": ctx,
            "@graph": [
                {
                    "@id": "https://registry.example/resources/ce-00000000-0000-4000-8000-000000000003",
                    "@type": "ceterms:MasterDegree",
                    "ceterms:ctid": "ce-00000000-0000-4000-8000-000000000003",
                    "ceterms:name": {"en": "MSc Mathematics"},
                    "ceterms:ownedBy": [org],
                    "ceterms:estimatedDuration": [
                        {
                            "@type": "ceterms:DurationProfile",
                            "ceterms:minimumDuration": "P1Y",
                            "ceterms:maximumDuration": "P3Y",
                        }
                    ],
                    "ceterms:creditValue": [_credit("creditUnit:SemesterHour", 30)],
                    "ceterms:requires": [
                        {
                            "@type": "ceterms:ConditionProfile",
                            "ceterms:name": {"en": "Core"},
                            "ceterms:targetLearningOpportunity": [
                                f"https://registry.example/resources/{course}",
                                "https://elsewhere.example/courses/topology",
                            ],
                            "ceterms:creditValue": [
                                _credit("creditUnit:QuarterHour", 9)
                            ],
                            "ceterms:alternativeCondition": [
                                {
                                    "@type": "ceterms:ConditionProfile",
                                    "ceterms:targetCredential": ["_:prior"],
                                }
                            ],
                        }
                    ],
                },
                {
                    "@id": "_:prior",
                    "@type": "ceterms:Certificate",
                    "ceterms:ctid": "ce-00000000-0000-4000-8000-000000000004",
                    "ceterms:name": "Graduate Certificate",
                },
            ],
        },
    )
    (tmp_path / "broken.json").write_text('{"@type": "ceterms:Course", ', "utf-8")
    return tmp_path


@pytest.mark.asyncio
async def test_credit_values_durations_trees_and_language(generated_dir: Path) -> None:
    records = await from_path(generated_dir)
    course = of_type(records, CourseRecord)[0]
    assert course.title == "Linear Algebra"
    assert (course.credits, course.credit_unit, course.credit_source) == (
        5.0, "ects", "stated"
    )  # fmt: skip
    assert course.notional_hours == 150.0
    assert course.institute == "Example University"  # en-GB for "en"
    # A skos:Concept subject, then the English keywords of a language map.
    assert course.subjects == ("Mathematics", "matrices", "vectors")
    offering = of_type(records, OfferingRecord)[0]
    assert (offering.fee_minor, offering.currency) == (25000, "EUR")

    degree = by_id(records, ProgrammeRecord)["ce-00000000-0000-4000-8000-000000000003"]
    assert degree.duration_years == 2.0  # the midpoint of P1Y and P3Y
    assert degree.credits == 45.0  # 30 semester hours = 1350 h = 45 NCrF
    tree = parse_tree(degree.requirement)
    assert tree.type == "any_of"
    refs = {n.ref for n in walk(tree) if n.type == "course"}
    assert refs == {
        "ce-00000000-0000-4000-8000-000000000002",
        "https://elsewhere.example/courses/topology",  # not held: kept as a URL
        "ce-00000000-0000-4000-8000-000000000004",  # a blank node with a CTID
    }
    minimum = next(n for n in walk(tree) if n.type == "min_credits")
    assert minimum.n == 9.0  # 9 quarter hours = 270 h = 9 NCrF credits

    bad = of_type(records, Malformed)
    assert len(bad) == 1 and "not a JSON document" in bad[0].reason

    french = await from_path(generated_dir, language="fr")
    assert of_type(french, CourseRecord)[0].title == "Algèbre linéaire"


@pytest.mark.asyncio
async def test_files_resume_after_the_cursor(generated_dir: Path) -> None:
    config = SourceConfig(
        "ctdl", "ctdl", None, {"path": str(generated_dir), "files_per_page": 1}
    )
    async with HttpClient(FAST) as http:
        connector = build(config, http)
        first = [r async for r in connector.records(SyncState())]
        pages = of_type(first, PageDone)
        assert [p.cursor for p in pages] == [
            "broken.json", "course.json", "degree.json", "org.json"
        ]  # fmt: skip
        rest = [
            r async for r in connector.records(SyncState(resume_cursor="course.json"))
        ]
    assert not of_type(rest, CourseRecord)
    assert len(of_type(rest, ProgrammeRecord)) == 2


def test_units_and_durations() -> None:
    assert unit_of("creditUnit:SemesterHour") == "us_semester_hour"
    assert unit_of("Continuing Education Units") == "ceu"
    assert unit_of("creditUnit:DegreeCredit") == "degree_credit"
    assert convert(2, "ects").ncrf == 2.0
    assert convert(3, "us_semester_hour").hours == 135.0
    assert convert(4, "degree_credit").ncrf is None
    assert parse_duration("P9M").years == pytest.approx(0.75)
    assert parse_duration("PT120H").hours == 120.0
    assert parse_duration("P2W").weeks == 2.0
    assert parse_duration("nine months") is None


# -- the Registry over HTTP ------------------------------------------------------


@pytest.mark.asyncio
async def test_registry_serves_the_real_examples(
    start_simulator: StartSimulator, http: HttpClient, ctdl_samples: Path
) -> None:
    sim = await start_simulator(samples=ctdl_samples.parent)
    records = await from_registry(sim, http, per_page=4)
    assert len(of_type(records, PageDone)) == 3  # 9 envelopes, 4 a page
    assert of_type(records, PageDone)[0].total == 9
    assert len(of_type(records, CourseRecord)) == 5
    assert len(of_type(records, ProgrammeRecord)) == 2
    assert of_type(records, PathwayRecord)[0].course_refs[0].startswith("ce-")
    assert not of_type(records, Malformed)


@pytest.mark.asyncio
async def test_registry_generated_catalogue(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=60, seed=2)
    records = await from_registry(sim, http)
    courses = of_type(records, CourseRecord)
    assert len(courses) == 60
    assert len(of_type(records, PathwayRecord)) == 12
    programmes = of_type(records, ProgrammeRecord)
    assert {p.award_kind for p in programmes} == {
        "bachelor_of_science_degree", "master_degree", "certificate"
    }  # fmt: skip
    for programme in programmes:
        tree = parse_tree(programme.requirement)
        kinds = {n.type for n in walk(tree)}
        assert {"any_of", "course", "min_credits"} <= kinds
        assert programme.duration_years == 3.0
    units = {c.credit_unit for c in courses}
    assert units == {"us_semester_hour", "ects", "contact_hour", "degree_credit"}
    # 2016-style plain strings and language maps map alike.
    assert all(c.title and not c.title.startswith("{") for c in courses)
    # Every owner is announced before what it owns.
    announced: set[str] = set()
    for record in records:
        if isinstance(record, ProviderRecord):
            announced.add(record.slug)
        elif isinstance(record, CourseRecord):
            assert record.provider in announced


@pytest.mark.asyncio
async def test_registry_needs_the_api_key(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=5)
    with pytest.raises(FetchFailed) as refused:
        await from_registry(sim, http, key=None)
    assert refused.value.status == 401 and refused.value.attempts == 1


@pytest.mark.asyncio
async def test_events_drive_an_incremental_run_and_deletes_withdraw(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=100, seed=4)
    first = await from_registry(sim, http)
    assert not of_type(first, Withdrawal)
    since = datetime.now(UTC)
    sim.control(generation=1, change=0.1, drop=0.1, reset_counts=True)

    delta = await from_registry(sim, http, SyncState(full=False, since=since))
    changed = [
        r
        for r in of_type(delta, CourseRecord)
        + of_type(delta, PathwayRecord)
        + of_type(delta, ProgrammeRecord)
    ]
    assert changed
    assert all(
        "generation 1" in getattr(r, "title", None)
        or "generation 1" in getattr(r, "name", "")
        for r in changed
        if not isinstance(r, ProgrammeRecord)
    )
    withdrawn = of_type(delta, Withdrawal)
    assert withdrawn
    assert {w.entity for w in withdrawn} <= {"course", "pathway", "programme"}
    known = (
        set(by_id(first, CourseRecord))
        | set(by_id(first, PathwayRecord))
        | set(by_id(first, ProgrammeRecord))
    )
    assert {w.external_id for w in withdrawn} <= known
    # Only what changed was fetched: far fewer requests than resources.
    assert sim.state.hits["ctdl"] < 60

    # A full run sees the same deletions in the listing itself.
    full = await from_registry(sim, http)
    assert {w.external_id for w in of_type(full, Withdrawal)} == {
        w.external_id for w in withdrawn
    }


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", PAGED_REQUEST_FAULTS)
async def test_registry_request_faults_are_retried(
    start_simulator: StartSimulator, fault: str
) -> None:
    sim = await start_simulator(courses=40, faults=fault)
    async with HttpClient(replace(FAST, timeout_s=0.4)) as http:
        records = await from_registry(sim, http, per_page=20)
    assert len(of_type(records, CourseRecord)) == 40
    assert sum(sim.state.plan.fired.values()) >= 1
    pages = len(of_type(records, PageDone))
    assert sim.state.hits["ctdl"] > pages


@pytest.mark.asyncio
async def test_registry_malformed_and_duplicated_envelopes(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=40, faults="malformed:every=10")
    records = await from_registry(sim, http)
    bad = of_type(records, Malformed)
    assert bad and all("name" in m.reason for m in bad)
    total = of_type(records, PageDone)[0].total
    assert len(bad) == total // 10  # every 10th envelope, whatever it holds
    assert all(m.key and m.key.startswith("ce-") for m in bad)
    broken = {m.key for m in bad}
    assert not broken & set(by_id(records, CourseRecord))

    sim.control(faults="duplicate:p=0.2")
    again = await from_registry(sim, http)
    assert len(of_type(again, CourseRecord)) == 40
    assert sum(p.meta.get("duplicates", 0) for p in of_type(again, PageDone)) > 3


@pytest.mark.asyncio
async def test_a_resumed_run_names_owners_as_a_clean_run_does(
    start_simulator: StartSimulator, http: HttpClient
) -> None:
    sim = await start_simulator(courses=60, seed=2)
    clean = await from_registry(sim, http, per_page=10)
    cursor = of_type(clean, PageDone)[2].cursor  # organisations were on page 1
    resumed = await from_registry(
        sim, http, SyncState(resume_cursor=cursor), per_page=10
    )

    before = by_id(clean, CourseRecord)
    after = by_id(resumed, CourseRecord)
    assert after and all(after[k].institute == before[k].institute for k in after)
    programmes = by_id(clean, ProgrammeRecord)
    for key, programme in by_id(resumed, ProgrammeRecord).items():
        assert programme.institution_name == programmes[key].institution_name
    assert not any(p.name.startswith("http") for p in of_type(resumed, ProviderRecord))
