"""eligibility, pathwayProgress and plan: a learner's record put to the credit
engine (app/credits) for an award, a pathway or a gap plan."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from app.credits import Check as EngineCheck
from app.credits import Evaluation, Plan, evaluate, plan
from app.graphql.catalogue.loaders import PathwayById
from app.graphql.catalogue.pathways import Pathway
from app.graphql.learners.explanation import Eligibility, Gap
from app.graphql.learners.permissions import Info
from app.graphql.learners.records import learner_record
from app.graphql.learners.target import AwardTarget, target_of
from app.learners.catalogue import upcoming_courses
from app.learners.targets import Target

if TYPE_CHECKING:
    from app.graphql.learners.learner import Learner

LearnerRef = Annotated["Learner", strawberry.lazy("app.graphql.learners.learner")]


async def resolve_eligibility(
    root: LearnerRef,
    info: Info,
    award: AwardTarget,
    policy: str | None = None,
    as_of: date | None = None,
) -> Eligibility:
    target = await target_of(award, policy)
    return Eligibility.of(await _evaluate(info, root, target, as_of))


async def _evaluate(
    info: Info, root: LearnerRef, target: Target, as_of: date | None
) -> Evaluation:
    record = await learner_record(info, root.row)
    return evaluate(
        record.credits,
        record.learner,
        target.tree,
        target.award_code,
        target.policy,
        as_of or date.today(),
    )


def _course_checks(check: EngineCheck) -> list[EngineCheck]:
    if check.type == "course":
        return [check]
    return [leaf for child in check.children for leaf in _course_checks(child)]


@strawberry.type(description="How far a learner is along a pathway.")
class PathwayProgress:
    pathway: Pathway
    complete: bool
    courses_required: int = strawberry.field(
        description="Course nodes in the pathway's requirement tree."
    )
    courses_done: int
    result: Eligibility


async def resolve_pathway_progress(
    root: LearnerRef,
    info: Info,
    pathway: relay.GlobalID,
    as_of: date | None = None,
) -> PathwayProgress:
    target = await target_of(AwardTarget(pathway=pathway), None)
    result = await _evaluate(info, root, target, as_of)
    courses = _course_checks(result.checks)
    row = await info.context.loader(PathwayById).load(target.pathway_id)
    return PathwayProgress(
        pathway=Pathway.from_row(row),
        complete=result.eligible,
        courses_required=len(courses),
        courses_done=sum(c.met for c in courses),
        result=Eligibility.of(result),
    )


@strawberry.enum(description="What a gap plan keeps smallest.")
class PlanObjective(Enum):
    HOURS = "hours"
    FEE = "fee"
    WEEKS = "weeks"


@strawberry.type(description="A catalogue course the plan takes, at its next offering.")
class PlannedCourse:
    ref: str = strawberry.field(description="The provider's course id.")
    title: str
    provider: str
    credits: float
    hours: float
    fee: float
    currency: str
    start: date
    weeks: float


@strawberry.type(
    description="Catalogue courses that close an award's gaps at the least "
    "hours, fee or weeks; when none can, the rules no plan closes."
)
class GapPlan:
    award: str
    feasible: bool
    minimise: PlanObjective
    courses: list[PlannedCourse]
    total_hours: float
    total_fee: float
    weeks: float = strawberry.field(description="Weeks until the last course ends.")
    missing: list[Gap] = strawberry.field(description="What the learner lacks now.")
    cannot_meet: list[Gap] = strawberry.field(
        description="Gaps no catalogue course can close."
    )

    @classmethod
    def of(cls, award: str, result: Plan) -> Self:
        return cls(
            award=award,
            feasible=result.feasible,
            minimise=PlanObjective(result.minimise),
            courses=[
                PlannedCourse(
                    ref=c.id,
                    title=c.title,
                    provider=c.provider,
                    credits=c.credits,
                    hours=c.hours,
                    fee=c.fee,
                    currency=c.currency,
                    start=c.start,
                    weeks=c.weeks,
                )
                for c in result.courses
            ],
            total_hours=round(result.total_hours, 2),
            total_fee=round(result.total_fee, 2),
            weeks=round(result.weeks, 2),
            missing=[Gap.of(g) for g in result.gaps],
            cannot_meet=[Gap.of(g) for g in result.unmet],
        )


async def resolve_plan(
    root: LearnerRef,
    info: Info,
    award: AwardTarget,
    policy: str | None = None,
    as_of: date | None = None,
    minimise: PlanObjective = PlanObjective.HOURS,
) -> GapPlan:
    target = await target_of(award, policy)
    day = as_of or date.today()
    record = await learner_record(info, root.row)
    catalogue = await upcoming_courses(day, target.policy)
    result = plan(
        record.credits,
        record.learner,
        target.tree,
        target.award_code,
        target.policy,
        day,
        catalogue,
        minimise.value,
    )
    return GapPlan.of(target.award_code, result)
