"""Admissibility: which credits may count at all, and why the others may not.

Runs before any counting. Each exclusion carries an AUDIT.md reason code and the rule
that decided it. Caps and residency are not here: they depend on which other credits
count, so the allocator applies them (and says which credits it dropped).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from app.credits.model import SWAYAM, Credit, CreditSet, Exclusion, Scores
from app.credits.policy import Policy

# Exit awards whose credits may come back on re-entry when R-ABC-DEBIT allows it.
EXIT_AWARDS = ("ug_certificate", "ug_diploma")


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap target year
        return day.replace(year=day.year + years, day=28)


def nptel_passed(scores: Scores, policy: Policy) -> tuple[bool, str]:
    """R-NPTEL-PASS: both parts must pass on their own, scaled to 25 and 75."""
    a_scale = policy.get("R-NPTEL-PASS", "assignment_scale")
    e_scale = policy.get("R-NPTEL-PASS", "exam_scale")
    a_min = policy.get("R-NPTEL-PASS", "assignment_min")
    e_min = policy.get("R-NPTEL-PASS", "exam_min")
    assignment = scores.assignment / scores.assignment_max * a_scale
    exam = scores.exam / scores.exam_max * e_scale
    detail = (
        f"assignments {assignment:.1f}/{a_scale:g} (need {a_min:g}), "
        f"exam {exam:.1f}/{e_scale:g} (need {e_min:g})"
    )
    # a small tolerance so 10/25 exactly is a pass after scaling
    return assignment + 1e-9 >= a_min and exam + 1e-9 >= e_min, detail


def _exclusion(
    credit: Credit, policy: Policy, as_of: date, award: str
) -> Exclusion | None:
    if (
        credit.redeemed_for
        and credit.redeemed_for != award
        and policy.on("R-ABC-DEBIT")
    ):
        comes_back = (
            policy.get("R-ABC-DEBIT", "return_on_reentry")
            and credit.redeemed_for in EXIT_AWARDS
            and award not in EXIT_AWARDS[: EXIT_AWARDS.index(credit.redeemed_for) + 1]
        )
        if not comes_back:
            return Exclusion(
                credit.id,
                "already_redeemed",
                "R-ABC-DEBIT",
                f"debited for {credit.redeemed_for}; a debit is final "
                "(R-ABC-DEBIT return_on_reentry is off)",
            )
    if not credit.issuer_registered and policy.on("R-ABC-REG"):
        if credit.provider not in policy.get("R-ABC-REG", "recognised"):
            return Exclusion(
                credit.id,
                "unregistered",
                "R-ABC-REG",
                f"issuer {credit.provider!r} does not deposit into ABC",
            )
    if policy.on("R-ABC-SHELF"):
        years = int(policy.get("R-ABC-SHELF", "years"))
        start = credit.earned_on
        if policy.get("R-ABC-SHELF", "clock") == "deposit_date" and credit.deposited_on:
            start = credit.deposited_on
        until = add_years(start, years)
        if as_of > until:
            return Exclusion(
                credit.id,
                "expired",
                "R-ABC-SHELF",
                f"clock from {start.isoformat()}, shelf life {years} years "
                f"ended {until.isoformat()}",
            )
    if (
        credit.provider == SWAYAM
        and policy.on("R-SWAYAM-CERT")
        and not credit.certificate
    ):
        return Exclusion(
            credit.id,
            "no_certificate",
            "R-SWAYAM-CERT",
            "no graded certificate from the host institution",
        )
    if credit.scores is not None and policy.on("R-NPTEL-PASS"):
        passed, detail = nptel_passed(credit.scores, policy)
        if not passed:
            return Exclusion(credit.id, "failed", "R-NPTEL-PASS", detail)
    min_level = policy.get("NCRF-LEVELS", "ug_min_level")
    if credit.level is not None and credit.level < min_level:
        return Exclusion(
            credit.id,
            "wrong_level",
            "NCRF-LEVELS",
            f"NCrF level {credit.level:g} is below {min_level:g}",
        )
    return None


def check_credits(
    credits: Iterable[Credit], policy: Policy, as_of: date, award: str
) -> CreditSet:
    """Split credits into admitted and excluded (first failing rule wins, in a fixed
    order).
    """
    result = CreditSet()
    for credit in credits:
        exclusion = _exclusion(credit, policy, as_of, award)
        if exclusion is None:
            result.admitted.append(credit)
        else:
            result.excluded.append(exclusion)
    return result
