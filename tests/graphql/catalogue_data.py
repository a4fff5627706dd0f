"""A small catalogue for the catalogue API tests: three providers, courses
with and without credits, fees, starts and hours, a pathway, an equivalence
group and a programme."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date

from app.db.models.catalogue import (
    Course,
    EquivalenceGroup,
    Institution,
    Programme,
    Provider,
)
from app.db.models.pathways import Pathway, PathwayCourse
from app.search import install_search_index
from tests.factories import make_course, make_offering, make_provider


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


@dataclass
class Catalogue:
    providers: dict[str, Provider] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    pathway: Pathway | None = None
    programme: Programme | None = None
    institution: Institution | None = None


# external id: (provider, title, values)
COURSES = {
    "ml": (
        "nptel",
        "Machine Learning",
        dict(
            subjects=["Computer Science"],
            description="Supervised learning.",
            credits=3,
            ncrf_level=5.5,
            notional_hours=90,
            hours_per_week=6,
            language="en",
            mode="online",
            coordinator="NPTEL",
            has_certificate=True,
            next_start=date(2030, 1, 15),
            min_fee_minor=100000,
            fee_currency="INR",
            has_exam=True,
        ),
    ),
    "dl": (
        "nptel",
        "Deep Learning",
        dict(
            subjects=["Computer Science", "Machine Learning"],
            description="Neural nets.",
            credits=4,
            ncrf_level=6,
            notional_hours=120,
            hours_per_week=8,
            language="en",
            mode="online",
            coordinator="NPTEL",
            has_certificate=True,
            next_start=date(2030, 3, 1),
            min_fee_minor=0,
            fee_currency="INR",
            has_exam=True,
        ),
    ),
    "hindi": (
        "cec",
        "Hindi Sahitya",
        dict(
            subjects=["Literature"],
            description="Modern Hindi prose.",
            credits=None,
            ncrf_level=4.5,
            notional_hours=None,
            hours_per_week=3,
            language="hi",
            mode="blended",
            coordinator="CEC",
            has_certificate=False,
            next_start=None,
            min_fee_minor=None,
            has_exam=False,
        ),
    ),
    "stats": (
        "edx",
        "Statistics for Machine Learners",
        dict(
            subjects=["Mathematics"],
            description="Probability and inference.",
            credits=2,
            ncrf_level=5,
            notional_hours=60,
            hours_per_week=4,
            language="en",
            mode="online",
            has_certificate=True,
            next_start=date(2029, 6, 1),
            min_fee_minor=9900,
            fee_currency="USD",
            has_exam=False,
        ),
    ),
    "cook": (
        "edx",
        "Cooking Science",
        dict(
            subjects=["Food"],
            description="Why machines in kitchens matter to learning.",
            credits=None,
            ncrf_level=None,
            notional_hours=30,
            hours_per_week=2,
            language="en",
            mode="in_person",
            has_certificate=None,
            next_start=date(2031, 1, 1),
            min_fee_minor=50000,
            fee_currency="INR",
            has_exam=None,
        ),
    ),
    "ml-swayam": (
        "cec",
        "Machine Learning (SWAYAM)",
        dict(
            subjects=["Computer Science"],
            description="The NPTEL course on SWAYAM.",
            credits=3,
            ncrf_level=5.5,
            notional_hours=90,
            hours_per_week=6,
            language="en",
            mode="online",
            coordinator="NPTEL",
            has_certificate=True,
            next_start=date(2030, 1, 15),
            min_fee_minor=100000,
            fee_currency="INR",
            has_exam=True,
        ),
    ),
    "old": ("nptel", "Old Machine Course", dict(withdrawn=True, credits=1)),
}


async def build_catalogue() -> Catalogue:
    await install_search_index()
    cat = Catalogue()
    cat.providers["nptel"] = await make_provider(
        "nptel", name="NPTEL", swayam=True, abc_registered=True
    )
    cat.providers["cec"] = await make_provider("cec", name="CEC", swayam=True)
    cat.providers["edx"] = await make_provider("edx", name="edX", kind="platform")
    for ext, (prov, title, values) in COURSES.items():
        values = {"credits": None, **values}
        cat.courses[ext] = await make_course(cat.providers[prov], ext, title, **values)
    await make_offering(cat.courses["ml"], "ml-2030", date(2030, 1, 15))
    await make_offering(cat.courses["ml"], "ml-2020", date(2020, 1, 15))
    group = await EquivalenceGroup.create(key="nptel:ml")
    for ext in ("ml", "ml-swayam"):
        cat.courses[ext].equivalence_group = group
        await cat.courses[ext].save()
    cat.pathway = await Pathway.create(
        provider=cat.providers["nptel"],
        external_id="ai",
        slug="nptel-ai",
        title="AI Domain Certificate",
        requirement={
            "type": "all_of",
            "rule": "TREE",
            "children": [
                {"type": "course", "ref": "ml"},
                {
                    "type": "n_of",
                    "n": 1,
                    "children": [
                        {"type": "course", "ref": "dl"},
                        {"type": "course", "ref": "missing"},
                    ],
                },
                {"type": "min_credits", "n": 6, "where": {"level_min": 5}},
            ],
        },
    )
    for position, (ref, required) in enumerate(
        (("ml", True), ("dl", True), ("missing", False))
    ):
        await PathwayCourse.create(
            pathway=cat.pathway,
            course=cat.courses.get(ref),
            course_ref=ref,
            position=position,
            required=required,
        )
    cat.institution = await Institution.create(
        slug="du", name="University of Delhi", aishe_code="U-0001", abc_registered=True
    )
    cat.programme = await Programme.create(
        institution=cat.institution,
        external_id="ug-cert",
        name="UG Certificate",
        award_kind="ug_certificate",
        requirement={"type": "min_credits", "n": 40, "rule": "R-UGC-CERT"},
    )
    return cat


def query_statements(statements: list[str]) -> list[str]:
    """The statements answering a query, without the response cache's
    generation check (made at most once a second, so not once per request)."""
    return [s for s in statements if "catalogue_generation" not in s]
