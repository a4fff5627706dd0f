"""The course filter a learner uses when choosing a micro-credential, and how
it narrows a Course queryset. Every filter reads a column of `course` (the
next start, lowest fee and exam flag are denormalised from offerings), except
"recognised providers only" (a join to provider) and "pathway" (a subquery)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from app.db.models.catalogue import Course as CourseModel
from app.db.models.pathways import PathwayCourse
from app.graphql.catalogue.types import Mode
from app.graphql.errors import BadUserInput
from app.search import search_terms, text_search


@strawberry.input(description="A closed range; either end may be left open.")
class FloatRange:
    min: float | None = None
    max: float | None = None


@strawberry.input(description="An amount of money in a currency's minor unit.")
class MoneyInput:
    amount_minor: int = strawberry.field(description="Paise, cents…")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. INR.")


@strawberry.input(description="Narrows a course list. Every given field must hold.")
class CourseFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Words to find in title, description or subjects; each word "
        "matches as a prefix (`learn` finds `learning`), all must appear.",
    )
    providers: list[str] | None = strawberry.field(
        default=None, description="Provider slugs (any of)."
    )
    coordinators: list[str] | None = strawberry.field(
        default=None, description="SWAYAM national coordinator codes (any of)."
    )
    credits: FloatRange | None = None
    ncrf_level: FloatRange | None = None
    languages: list[str] | None = strawberry.field(
        default=None, description="Language codes (any of), e.g. `en`, `hi`."
    )
    modes: list[Mode] | None = None
    max_fee: MoneyInput | None = strawberry.field(
        default=None,
        description="Lowest fee at most this, in this currency. Fees in other "
        "currencies are not converted: those courses are left out (free courses "
        "are kept whatever their currency).",
    )
    free_only: bool = False
    notional_hours: FloatRange | None = strawberry.field(
        default=None, description="Total notional learning hours."
    )
    hours_per_week: FloatRange | None = None
    recognised_only: bool = strawberry.field(
        default=False,
        description="Only providers registered with the Academic Bank of Credits "
        "or acting as a SWAYAM national coordinator.",
    )
    with_certificate: bool | None = None
    starts_after: date | None = strawberry.field(
        default=None, description="Next offering starts on or after this day."
    )
    starts_before: date | None = strawberry.field(
        default=None, description="Next offering starts on or before this day."
    )
    has_exam: bool | None = None
    pathway: relay.GlobalID | None = strawberry.field(
        default=None, description="Only courses this pathway names."
    )
    include_withdrawn: bool = False


def _range(column: str, bounds: FloatRange | None) -> Q:
    q = Q()
    if bounds is None:
        return q
    if bounds.min is not None and bounds.max is not None and bounds.min > bounds.max:
        raise BadUserInput(f"{column}: min is above max", field=column)
    if bounds.min is not None:
        q &= Q(**{f"{column}__gte": bounds.min})
    if bounds.max is not None:
        q &= Q(**{f"{column}__lte": bounds.max})
    return q


def _pathway_id(gid: relay.GlobalID) -> int:
    if gid.type_name != "Pathway" or not gid.node_id.isdigit():
        raise BadUserInput("`pathway` is not a pathway id", field="pathway")
    return int(gid.node_id)


def filter_courses(
    f: CourseFilter | None,
) -> tuple[QuerySet[CourseModel], bool]:
    """The filtered queryset, and whether it carries a text-search relevance."""
    f = f or CourseFilter()
    qs = CourseModel.all()
    if not f.include_withdrawn:
        qs = qs.filter(withdrawn=False)
    q = Q()
    if f.providers:
        q &= Q(provider__slug__in=f.providers)
    if f.coordinators:
        q &= Q(coordinator__in=f.coordinators)
    if f.languages:
        q &= Q(language__in=f.languages)
    if f.modes:
        q &= Q(mode__in=[m.value for m in f.modes])
    q &= _range("credits", f.credits)
    q &= _range("ncrf_level", f.ncrf_level)
    q &= _range("notional_hours", f.notional_hours)
    q &= _range("hours_per_week", f.hours_per_week)
    if f.max_fee is not None:
        if f.max_fee.amount_minor < 0:
            raise BadUserInput("maxFee must not be negative", field="maxFee")
        q &= Q(min_fee_minor=0) | Q(
            min_fee_minor__lte=f.max_fee.amount_minor,
            fee_currency=f.max_fee.currency.upper(),
        )
    if f.free_only:
        q &= Q(min_fee_minor=0)
    if f.recognised_only:
        q &= Q(provider__abc_registered=True) | Q(provider__swayam=True)
    if f.with_certificate is not None:
        q &= Q(has_certificate=f.with_certificate)
    if f.starts_after is not None:
        q &= Q(next_start__gte=f.starts_after)
    if f.starts_before is not None:
        q &= Q(next_start__lte=f.starts_before)
    if f.has_exam is not None:
        q &= Q(has_exam=f.has_exam)
    if f.pathway is not None:
        links = PathwayCourse.filter(pathway_id=_pathway_id(f.pathway))
        q &= Q(id__in=Subquery(links.values("course_id")))
    qs = qs.filter(q)
    terms = search_terms(f.search or "")
    if f.search is not None and f.search.strip() and not terms:
        raise BadUserInput("`search` has no words to look for", field="search")
    if terms:
        return text_search(qs, terms), True
    return qs, False
