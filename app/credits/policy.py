"""Named, versioned policies: every number of RULES.md in one place, keyed by its rule
id.

A policy is a base (`ugc-2023`) plus overrides keyed by rule ids, so an institution
derives its own (44/88 thresholds, a 5-year shelf life, a SWAYAM cap in credits)
without code. Every open question of RULES.md is a switch here, with its default.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.credits.errors import PolicyError

# The built-in values. Each key is a RULES.md rule id; each number appears only here.
_UGC_2023: dict[str, dict[str, Any]] = {
    # NCRF-HOURS: 1 NCrF credit = 30 notional hours
    "NCRF-HOURS": {"hours_per_credit": 30},
    # NCRF-YEAR: a year = 40 credits, at least 20 a semester
    "NCRF-YEAR": {"credits_per_year": 40, "min_credits_per_semester": 20},
    # UGC-CREDIT: 15 contact hours of lecture or 30 of practical = 1 credit
    "UGC-CREDIT": {"lecture_hours": 15, "practical_hours": 30},
    # ABC-INTERN (U): internship 1 credit a week, at most 6
    "ABC-INTERN": {"credits_per_week": 1, "max_credits": 6},
    # ECTS: 1 ECTS = 25-30 h; the policy picks the hours used
    "ECTS": {"hours_min": 25, "hours_max": 30, "hours": 30},
    # US-CREDIT: 1 US semester credit hour ~ 45 h
    "US-CREDIT": {"hours": 45},
    # NCRF-ECTS (U): conversion method, "hours" or "year_volume" (60 ECTS = 40 credits)
    "NCRF-ECTS": {"method": "hours", "ects_per_year": 60},
    # NCRF-LEVELS: credits below the UG entry level (school levels 1-4) do not count
    "NCRF-LEVELS": {"ug_min_level": 4.5},
    # R-CERT: 40 credits plus 4 vocational that cannot fill the 40; SEC reading off
    "R-CERT": {"credits": 40, "vocational": 4, "sec_reading": False, "sec_credits": 6},
    # R-DIP: 80 credits plus 4 vocational
    "R-DIP": {"credits": 80, "vocational": 4},
    # R-DEG3: 120 credits and category minimums
    "R-DEG3": {
        "credits": 120,
        "major": 60,
        "minor": 24,
        "multidisciplinary": 9,
        "aec": 8,
        "sec": 9,
        "vac": 6,
        "internship": 2,
    },
    # R-HON: 160 credits, minimums, 12 research credits or 3 advanced courses (12 cr)
    "R-HON": {
        "credits": 160,
        "major": 80,
        "minor": 32,
        "multidisciplinary": 9,
        "aec": 8,
        "sec": 9,
        "vac": 6,
        "internship": 2,
        "research_credits": 12,
        "advanced_courses": 3,
        "advanced_credits": 12,
    },
    # R-HONR: 75% marks over semesters 1-6 (CGPA 7.5 only when marks are absent:
    # an institutional equivalence, switch) and a 12-credit research project
    "R-HONR": {
        "marks_percent": 75.0,
        "cgpa_equivalence": True,
        "cgpa": 7.5,
        "research_credits": 12,
    },
    # R-REENTRY: re-entry within 3 years of the exit, degree within 7
    "R-REENTRY": {"exit_years": 3, "degree_years": 7},
    # R-SWAYAM-CAP: 40% of a semester's courses, per learner (open question: unit
    # switch)
    "R-SWAYAM-CAP": {"enabled": True, "limit": 0.4, "unit": "courses"},
    # R-SWAYAM-CERT: a SWAYAM credit needs the host institution's graded certificate
    "R-SWAYAM-CERT": {"enabled": True},
    # R-NPTEL-PASS: assignments >= 10/25 and exam >= 30/75, whatever the total
    "R-NPTEL-PASS": {
        "enabled": True,
        "assignment_min": 10.0,
        "assignment_scale": 25.0,
        "exam_min": 30.0,
        "exam_scale": 75.0,
    },
    # R-NPTEL-WEEKS (U): 4 -> 1, 8 -> 2, 12 -> 3 credits (keys are weeks, as strings for
    # JSON)
    "R-NPTEL-WEEKS": {"credits_by_weeks": {"4": 1, "8": 2, "12": 3}},
    # R-ABC-SHELF: 7 years; the clock starts at the result date (open question: switch)
    "R-ABC-SHELF": {"enabled": True, "years": 7, "clock": "result_date"},
    # R-ABC-DEBIT: redeemed credits never count again; "return_on_reentry" is the open
    # question whether a certificate's credits come back on re-entry (default no)
    "R-ABC-DEBIT": {"enabled": True, "return_on_reentry": False},
    # R-ABC-REG: only ABC-registered issuers; "recognised" lists issuers recognised
    # otherwise
    "R-ABC-REG": {"enabled": True, "recognised": []},
    # R-ABC-RES: 50% home credits; SWAYAM as home is an open question (default no)
    "R-ABC-RES": {"enabled": True, "share": 0.5, "swayam_is_home": False},
    # R-MC-50 (D): micro-credentials and skill courses at most 50% of a degree (off:
    # draft)
    "R-MC-50": {"enabled": False, "limit": 0.5},
}

# Values that are one of a few words, and what they may be.
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("R-SWAYAM-CAP", "unit"): ("courses", "credits"),
    ("NCRF-ECTS", "method"): ("hours", "year_volume"),
    ("R-ABC-SHELF", "clock"): ("result_date", "deposit_date"),
}
# Shares and limits are fractions of one.
_FRACTIONS = {("R-SWAYAM-CAP", "limit"), ("R-ABC-RES", "share"), ("R-MC-50", "limit")}

BUILT_IN: dict[str, tuple[str, dict[str, dict[str, Any]]]] = {
    "ugc-2023": ("2023.1", _UGC_2023),
}


@dataclass(frozen=True)
class Policy:
    """A named, versioned set of rule values; `overrides` records what differs from the
    base.
    """

    name: str
    version: str
    values: Mapping[str, Mapping[str, Any]]
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def get(self, rule: str, key: str) -> Any:
        return self.values[rule][key]

    def on(self, rule: str) -> bool:
        return bool(self.values[rule].get("enabled", True))

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "overrides": copy.deepcopy(dict(self.overrides)),
        }


def get_policy(name: str) -> Policy:
    """A built-in policy by name."""
    if name not in BUILT_IN:
        raise PolicyError(
            "policy", f"unknown policy {name!r} (known: {', '.join(BUILT_IN)})"
        )
    version, values = BUILT_IN[name]
    return Policy(name=name, version=version, values=copy.deepcopy(values))


def derive_policy(
    base: str | Policy,
    overrides: Mapping[str, Mapping[str, Any]],
    *,
    name: str | None = None,
    version: str | None = None,
    path: str = "policy.overrides",
) -> Policy:
    """A policy that differs from `base` by `overrides` ({rule id: {key: value}}),
    validated.
    """
    parent = get_policy(base) if isinstance(base, str) else base
    if not isinstance(overrides, Mapping):
        raise PolicyError(path, "must be an object keyed by rule id")
    values = copy.deepcopy({k: dict(v) for k, v in parent.values.items()})
    merged = copy.deepcopy({k: dict(v) for k, v in parent.overrides.items()})
    for rule, changes in overrides.items():
        if rule not in values:
            raise PolicyError(f"{path}.{rule}", "unknown rule id")
        if not isinstance(changes, Mapping):
            raise PolicyError(f"{path}.{rule}", "must be an object of values")
        for key, value in changes.items():
            values[rule][key] = _checked(
                rule, key, value, values[rule], f"{path}.{rule}.{key}"
            )
            merged.setdefault(rule, {})[key] = value
    return Policy(
        name=name or parent.name,
        version=version or parent.version,
        values=values,
        overrides=merged,
    )


def _checked(
    rule: str, key: str, value: Any, current: Mapping[str, Any], path: str
) -> Any:
    if key not in current:
        raise PolicyError(path, f"unknown value (known: {', '.join(current)})")
    default = current[key]
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise PolicyError(path, "must be true or false")
    elif isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise PolicyError(path, "must be a non-negative number")
        if (rule, key) in _FRACTIONS and not 0 <= value <= 1:
            raise PolicyError(path, "must be a fraction between 0 and 1")
    elif isinstance(default, str):
        allowed = _CHOICES.get((rule, key))
        if not isinstance(value, str) or (allowed and value not in allowed):
            raise PolicyError(path, f"must be one of {', '.join(allowed or ())}")
    elif isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PolicyError(path, "must be a list of strings")
    elif isinstance(default, dict):
        if not isinstance(value, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool)
            for v in value.values()
        ):
            raise PolicyError(path, "must be an object of numbers")
    return copy.deepcopy(value)


def parse_policy(raw: Any, path: str = "policy") -> Policy:
    """AUDIT.md's `policy` field: a built-in name or {"base": name, "overrides":
    {...}}.
    """
    if isinstance(raw, str):
        return get_policy(raw)
    if isinstance(raw, Mapping):
        base = raw.get("base")
        if not isinstance(base, str):
            raise PolicyError(f"{path}.base", "must be a built-in policy name")
        get_policy(base)  # a clear error for an unknown base before the overrides
        return derive_policy(
            base,
            raw.get("overrides", {}),
            name=raw.get("name") if isinstance(raw.get("name"), str) else None,
            version=raw.get("version") if isinstance(raw.get("version"), str) else None,
            path=f"{path}.overrides",
        )
    raise PolicyError(
        path, "must be a policy name or an object with base and overrides"
    )
