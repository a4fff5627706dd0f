"""Credit units: notional hours, contact hours, ECTS, US credit hours, weeks,
internships.

A stated credit value always wins over a derived one, and every value carries where it
came from (`source`, `rule`), so an explanation can say "3 credits, NPTEL 12 weeks
(R-NPTEL-WEEKS)" instead of a bare number.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.credits.errors import InputError
from app.credits.policy import Policy


@dataclass(frozen=True)
class CreditValue:
    """A number of NCrF credits, with its provenance."""

    credits: float
    source: str  # "stated" | "derived" | "institution_policy"
    rule: str | None
    detail: str


def from_notional_hours(hours: float, policy: Policy) -> CreditValue:
    per = policy.get("NCRF-HOURS", "hours_per_credit")
    return CreditValue(hours / per, "derived", "NCRF-HOURS", f"{hours:g} h / {per:g} h")


def from_contact_hours(lecture: float, practical: float, policy: Policy) -> CreditValue:
    """UGC-CREDIT: lecture/tutorial and practical hours count at different rates."""
    lec = policy.get("UGC-CREDIT", "lecture_hours")
    prac = policy.get("UGC-CREDIT", "practical_hours")
    value = lecture / lec + practical / prac
    detail = f"{lecture:g} h lecture / {lec:g} + {practical:g} h practical / {prac:g}"
    return CreditValue(value, "derived", "UGC-CREDIT", detail)


def from_ects(ects: float, policy: Policy) -> CreditValue:
    """NCRF-ECTS has no official conversion: the policy picks by hours or by year
    volume.
    """
    if policy.get("NCRF-ECTS", "method") == "year_volume":
        per_year = policy.get("NCRF-ECTS", "ects_per_year")
        year = policy.get("NCRF-YEAR", "credits_per_year")
        value = ects * year / per_year
        return CreditValue(
            value, "derived", "NCRF-ECTS", f"{ects:g} ECTS x {year}/{per_year}"
        )
    hours = ects * policy.get("ECTS", "hours")
    value = from_notional_hours(hours, policy).credits
    return CreditValue(value, "derived", "NCRF-ECTS", f"{ects:g} ECTS = {hours:g} h")


def from_us_credit_hours(us_hours: float, policy: Policy) -> CreditValue:
    hours = us_hours * policy.get("US-CREDIT", "hours")
    value = from_notional_hours(hours, policy).credits
    return CreditValue(
        value, "derived", "US-CREDIT", f"{us_hours:g} US credit h = {hours:g} h"
    )


def from_weeks(weeks: int, policy: Policy) -> CreditValue:
    """R-NPTEL-WEEKS: the parent institution sets credits for 4/8/12-week courses."""
    table = policy.get("R-NPTEL-WEEKS", "credits_by_weeks")
    if str(weeks) not in table:
        raise InputError("weeks", f"no credit value for {weeks} weeks in the policy")
    value = float(table[str(weeks)])
    return CreditValue(value, "institution_policy", "R-NPTEL-WEEKS", f"{weeks} weeks")


def from_internship_weeks(weeks: float, policy: Policy) -> CreditValue:
    """ABC-INTERN: 1 credit a week, capped."""
    per = policy.get("ABC-INTERN", "credits_per_week")
    cap = policy.get("ABC-INTERN", "max_credits")
    value = min(weeks * per, cap)
    return CreditValue(
        value, "derived", "ABC-INTERN", f"{weeks:g} weeks, at most {cap:g}"
    )


def resolve_credits(
    policy: Policy,
    *,
    stated: float | None = None,
    notional_hours: float | None = None,
    lecture_hours: float | None = None,
    practical_hours: float | None = None,
    weeks: int | None = None,
    internship_weeks: float | None = None,
) -> CreditValue | None:
    """The credit value of a course: stated first, then the most specific derivation."""
    if stated is not None:
        return CreditValue(float(stated), "stated", None, "stated by the provider")
    if internship_weeks is not None:
        return from_internship_weeks(internship_weeks, policy)
    if notional_hours is not None:
        return from_notional_hours(notional_hours, policy)
    if lecture_hours is not None or practical_hours is not None:
        return from_contact_hours(lecture_hours or 0.0, practical_hours or 0.0, policy)
    if weeks is not None:
        return from_weeks(weeks, policy)
    return None
