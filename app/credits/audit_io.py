"""The `credgraph audit` file (AUDIT.md): parse and validate the input, render the
result.

Validation names the field of the first problem (`credits[3].earned_on: not a date`);
unknown fields are ignored, as AUDIT.md says. `INPUT_SCHEMA` is the JSON Schema of the
same input, printed by `credgraph audit --schema`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.credits.awards import AWARDS, resolve_award
from app.credits.errors import InputError
from app.credits.evaluation import Check, Evaluation
from app.credits.model import CATEGORIES, KINDS, Credit, Learner, Scores
from app.credits.policy import Policy, parse_policy
from app.credits.requirements import Node

_APAAR = re.compile(r"\d{12}")


@dataclass(frozen=True)
class AuditRequest:
    policy: Policy
    award: str
    tree: Node
    as_of: date
    learner: Learner
    credits: list[Credit]


def load_request(path: Path) -> AuditRequest:
    """Read and validate an audit file; InputError names the bad field."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("", f"cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError("", f"not JSON: {exc.msg} at line {exc.lineno}") from exc
    return parse_request(raw)


def parse_request(raw: Any) -> AuditRequest:
    if not isinstance(raw, Mapping):
        raise InputError("", "the file must hold a JSON object")
    policy = parse_policy(_required(raw, "policy", ""))
    award, tree = resolve_award(_required(raw, "award", ""), policy)
    as_of = parse_date(_required(raw, "as_of", ""), "as_of")
    learner = parse_learner(_required(raw, "learner", ""))
    items = _required(raw, "credits", "")
    if not isinstance(items, list):
        raise InputError("credits", "must be a list")
    credits = [parse_credit(c, f"credits[{i}]") for i, c in enumerate(items)]
    unique_ids(credits, "credits")
    return AuditRequest(policy, award, tree, as_of, learner, credits)


def unique_ids(records: list, path: str) -> None:
    """Refuse a list with a repeated `id`, naming the second one."""
    seen: set[str] = set()
    for i, record in enumerate(records):
        if record.id in seen:
            raise InputError(f"{path}[{i}].id", f"duplicate id {record.id!r}")
        seen.add(record.id)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _required(raw: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in raw or raw[key] is None:
        raise InputError(_join(path, key), "required")
    return raw[key]


def parse_date(value: Any, path: str) -> date:
    if not isinstance(value, str):
        raise InputError(path, "not a date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(path, "not a date") from None


def _number(value: Any, path: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(path, "not a number")
    if positive and value <= 0:
        raise InputError(path, "must be greater than 0")
    return float(value)


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(path, "must be a non-empty string")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(path, "must be true or false")
    return value


def _choice(value: Any, path: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InputError(path, f"must be one of {', '.join(allowed)}")
    return value


def parse_learner(raw: Any) -> Learner:
    if not isinstance(raw, Mapping):
        raise InputError("learner", "must be an object")
    apaar = _required(raw, "apaar_id", "learner")
    if not isinstance(apaar, str) or not _APAAR.fullmatch(apaar):
        raise InputError("learner.apaar_id", "must be 12 digits")
    home = _string(
        _required(raw, "home_institution", "learner"), "learner.home_institution"
    )
    marks = raw.get("marks_percent_sem1_6")
    cgpa = raw.get("cgpa")
    return Learner(
        home_institution=home,
        apaar_id=apaar,
        marks_percent_sem1_6=None
        if marks is None
        else _number(marks, "learner.marks_percent_sem1_6"),
        cgpa=None if cgpa is None else _number(cgpa, "learner.cgpa"),
    )


def parse_scores(raw: Any, path: str) -> Scores:
    if not isinstance(raw, Mapping):
        raise InputError(path, "must be an object")
    values = {}
    for key in ("assignment", "assignment_max", "exam", "exam_max"):
        values[key] = _number(
            _required(raw, key, path), f"{path}.{key}", positive=key.endswith("_max")
        )
    return Scores(**values)


def parse_credit(raw: Any, path: str) -> Credit:
    if not isinstance(raw, Mapping):
        raise InputError(path, "must be an object")

    def req(key: str) -> Any:
        return _required(raw, key, path)

    def opt(key: str, parse: Any) -> Any:
        value = raw.get(key)
        return None if value is None else parse(value, f"{path}.{key}")

    also = raw.get("also_counts_as", [])
    if not isinstance(also, list):
        raise InputError(f"{path}.also_counts_as", "must be a list of categories")
    semester = raw.get("semester")
    if semester is not None and (
        isinstance(semester, bool)
        or not isinstance(semester, int)
        or not 1 <= semester <= 8
    ):
        raise InputError(f"{path}.semester", "must be a semester number 1-8")
    term = raw.get("term")
    if term is not None and term != "summer":
        raise InputError(f"{path}.term", 'must be "summer"')
    level = opt("level", _number)
    return Credit(
        id=_string(req("id"), f"{path}.id"),
        title=raw.get("title") if isinstance(raw.get("title"), str) else "",
        credits=_number(req("credits"), f"{path}.credits", positive=True),
        level=level,
        category=_choice(req("category"), f"{path}.category", CATEGORIES),
        also_counts_as=tuple(
            _choice(c, f"{path}.also_counts_as[{i}]", CATEGORIES)
            for i, c in enumerate(also)
        ),
        provider=_string(req("provider"), f"{path}.provider"),
        issuer_registered=_bool(req("issuer_registered"), f"{path}.issuer_registered"),
        earned_on=parse_date(req("earned_on"), f"{path}.earned_on"),
        semester=semester,
        term=term,
        kind=_choice(raw.get("kind", "course"), f"{path}.kind", KINDS),
        scores=opt("scores", parse_scores),
        certificate=opt("certificate", _bool),
        redeemed_for=opt("redeemed_for", _string),
        subjects=tuple(s for s in raw.get("subjects", []) if isinstance(s, str))
        if isinstance(raw.get("subjects"), list)
        else (),
        course_ref=raw.get("course") if isinstance(raw.get("course"), str) else None,
        deposited_on=opt("deposited_on", parse_date),
    )


def _num(x: float) -> float | int:
    """Whole numbers print as integers (40, not 40.0)."""
    return int(x) if float(x).is_integer() else round(x, 4)


def check_to_json(check: Check) -> dict[str, Any]:
    return {
        "rule": check.rule,
        "type": check.type,
        "description": check.description,
        "required": _num(check.required),
        "actual": _num(check.actual),
        "met": check.met,
        "used": list(check.used),
        "excluded": [e.to_json() for e in check.excluded],
        "children": [check_to_json(c) for c in check.children],
    }


def result_to_json(
    result: Evaluation, next_award: Evaluation | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "eligible": result.eligible,
        "award": result.award,
        "policy": result.policy.describe(),
        "as_of": result.as_of.isoformat(),
        "checks": check_to_json(result.checks),
        "excluded": [e.to_json() for e in result.excluded],
        "missing": [
            {
                "rule": g.rule,
                "what": g.what,
                "required": _num(g.required),
                "actual": _num(g.actual),
                "short": _num(g.short),
            }
            for g in result.missing
        ],
        "used": result.used,
        "totals": {
            "credits": _num(result.totals.credits),
            "credit_points": _num(result.totals.credit_points),
            "by_category": {
                k: _num(v) for k, v in sorted(result.totals.by_category.items())
            },
            "by_level": {k: _num(v) for k, v in sorted(result.totals.by_level.items())},
        },
    }
    if next_award is not None:
        out["next_award"] = {
            "award": next_award.award,
            "short": _num(next_award.short),
            "missing": [
                {"rule": g.rule, "what": g.what, "short": _num(g.short)}
                for g in next_award.missing
            ],
        }
    else:
        out["next_award"] = None
    return out


def result_to_text(result: Evaluation) -> str:
    """A readable tree for institution staff (`--format text`)."""
    verdict = "ELIGIBLE" if result.eligible else "NOT ELIGIBLE"
    policy = result.policy
    lines = [
        f"{result.award}: {verdict} (policy {policy.name} {policy.version}, "
        f"as of {result.as_of.isoformat()})",
        f"counted {_num(result.totals.credits)} credits, "
        f"{_num(result.totals.credit_points)} credit points",
    ]

    def walk(check: Check, depth: int) -> None:
        mark = "ok " if check.met else "NO "
        pad = "  " * depth
        if check.children:
            figures = f"{_num(check.actual)} of {_num(check.required)} parts met"
        else:
            figures = f"required {_num(check.required)}, actual {_num(check.actual)}"
        lines.append(f"{pad}{mark}[{check.rule}] {check.description}: {figures}")
        for ex in check.excluded:
            lines.append(
                f"{pad}    excluded {ex.id}: {ex.reason} ({ex.rule}) {ex.detail}"
            )
        for child in check.children:
            walk(child, depth + 1)

    walk(result.checks, 0)
    if result.excluded:
        lines.append("excluded:")
        lines += [
            f"  {e.id}: {e.reason} [{e.rule}] {e.detail}" for e in result.excluded
        ]
    if result.missing:
        lines.append("missing:")
        lines += [
            f"  [{g.rule}] {g.what}: required {_num(g.required)}, "
            f"actual {_num(g.actual)}, short {_num(g.short)}"
            for g in result.missing
        ]
    return "\n".join(lines) + "\n"


def _enum(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


_DATE = {"type": "string", "format": "date"}
_CATEGORY = _enum(CATEGORIES)

INPUT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://credgraph.example/schemas/audit-input.json",
    "title": "credgraph audit input",
    "type": "object",
    "required": ["policy", "award", "as_of", "learner", "credits"],
    "properties": {
        "policy": {
            "oneOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "required": ["base"],
                    "properties": {
                        "base": {"type": "string"},
                        "name": {"type": "string"},
                        "version": {"type": "string"},
                        "overrides": {
                            "type": "object",
                            "description": "keyed by RULES.md rule ids",
                            "additionalProperties": {"type": "object"},
                        },
                    },
                },
            ]
        },
        "award": {
            "oneOf": [
                _enum(AWARDS),
                {
                    "type": "object",
                    "required": ["type"],
                    "description": "a requirement tree",
                },
            ]
        },
        "as_of": _DATE,
        "learner": {
            "type": "object",
            "required": ["apaar_id", "home_institution"],
            "properties": {
                "apaar_id": {"type": "string", "pattern": "^[0-9]{12}$"},
                "home_institution": {"type": "string", "minLength": 1},
                "marks_percent_sem1_6": {"type": "number"},
                "cgpa": {"type": "number"},
            },
        },
        "credits": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "credits",
                    "category",
                    "provider",
                    "issuer_registered",
                    "earned_on",
                ],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "title": {"type": "string"},
                    "credits": {"type": "number", "exclusiveMinimum": 0},
                    "level": {"type": "number"},
                    "category": _CATEGORY,
                    "also_counts_as": {"type": "array", "items": _CATEGORY},
                    "provider": {"type": "string", "minLength": 1},
                    "issuer_registered": {"type": "boolean"},
                    "earned_on": _DATE,
                    "deposited_on": _DATE,
                    "semester": {"type": "integer", "minimum": 1, "maximum": 8},
                    "term": {"const": "summer"},
                    "kind": _enum(KINDS),
                    "scores": {
                        "type": "object",
                        "required": [
                            "assignment",
                            "assignment_max",
                            "exam",
                            "exam_max",
                        ],
                        "properties": {
                            k: {"type": "number"}
                            for k in (
                                "assignment",
                                "assignment_max",
                                "exam",
                                "exam_max",
                            )
                        },
                    },
                    "certificate": {"type": "boolean"},
                    "redeemed_for": {"type": "string"},
                    "subjects": {"type": "array", "items": {"type": "string"}},
                    "course": {"type": "string"},
                },
            },
        },
    },
}
