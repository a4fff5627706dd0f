"""Credit units a provider may state, and their notional hours and NCrF credits.

`connectors/` may not import `app/`, so the few numbers a connector needs to
turn a stated unit into NCrF credits are repeated here, each named with the
rule id it comes from. They mirror `app/credits/policy.py` defaults (used by
`app/credits/units.py`); keep the two in step. The ingest side may still
re-derive from the stated value and unit, which records keep.

Sources (../shared/domain/RULES.md):
- NCRF-HOURS: 1 NCrF credit = 30 notional learning hours (NCrF, 2023).
- US-CREDIT: 1 US semester credit hour ~ 45 h (34 CFR 600.2: one hour of
  class and two of outside work a week for about 15 weeks); a quarter hour is
  two thirds of that, 30 h (the same definition over a 10-12 week quarter).
- ECTS: 1 ECTS = 25-30 h (ECTS Users' Guide 2015); 30 h is the policy default.
- A contact or clock hour is one hour; a Continuing Education Unit is 10
  contact hours (IACET).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NCRF_HOURS_PER_CREDIT = 30.0  # NCRF-HOURS
US_SEMESTER_HOUR_HOURS = 45.0  # US-CREDIT
US_QUARTER_HOUR_HOURS = 30.0  # US-CREDIT, 2/3 of a semester hour
ECTS_HOURS = 30.0  # ECTS (upper bound of 25-30, as the policy default)
CEU_HOURS = 10.0  # IACET CEU

# unit -> (hours per unit, rule); None: no hour equivalent (a "degree credit"
# means whatever the awarding institution says).
HOURS: dict[str, tuple[float | None, str | None]] = {
    "ncrf": (NCRF_HOURS_PER_CREDIT, "NCRF-HOURS"),
    "us_semester_hour": (US_SEMESTER_HOUR_HOURS, "US-CREDIT"),
    "us_quarter_hour": (US_QUARTER_HOUR_HOURS, "US-CREDIT"),
    "ects": (ECTS_HOURS, "ECTS"),
    "contact_hour": (1.0, None),
    "clock_hour": (1.0, None),
    "ceu": (CEU_HOURS, "IACET-CEU"),
    "degree_credit": (None, None),
}

# Words in a CTDL creditUnit term (or a free-text unit) -> unit.
_ALIASES = (
    ("semester", "us_semester_hour"),
    ("quarter", "us_quarter_hour"),
    ("ects", "ects"),
    ("europeancredit", "ects"),
    ("continuingeducation", "ceu"),
    ("ceu", "ceu"),
    ("contact", "contact_hour"),
    ("clock", "clock_hour"),
    ("ncrf", "ncrf"),
    ("degreecredit", "degree_credit"),
)


@dataclass(frozen=True)
class Credits:
    value: float  # as stated, in `unit`
    unit: str
    hours: float | None  # notional hours, when the unit has an equivalent
    ncrf: float | None  # NCrF credits from those hours
    rule: str | None  # the rule id of the conversion


def unit_of(term: str | None) -> str | None:
    """A unit from a term like `creditUnit:SemesterHour` or "Semester Hours"."""
    if not term:
        return None
    key = re.sub(r"[^a-z]", "", term.rsplit(":", 1)[-1].rsplit("/", 1)[-1].casefold())
    for word, unit in _ALIASES:
        if word in key:
            return unit
    return None


def convert(value: float, unit: str) -> Credits:
    hours_per, rule = HOURS.get(unit, (None, None))
    if hours_per is None:
        return Credits(value, unit, None, None, None)
    hours = value * hours_per
    return Credits(value, unit, hours, hours / NCRF_HOURS_PER_CREDIT, rule)
