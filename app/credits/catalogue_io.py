"""Catalogue candidates from JSON (`credgraph plan --catalogue-file`) and plans to
JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.credits.audit_io import (
    _bool,
    _choice,
    _num,
    _number,
    _string,
    parse_date,
    unique_ids,
)
from app.credits.errors import InputError
from app.credits.model import CATEGORIES, KINDS
from app.credits.planner import CatalogueCourse, Plan


def load_catalogue(path: Path) -> list[CatalogueCourse]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("catalogue", f"cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            "catalogue", f"not JSON: {exc.msg} at line {exc.lineno}"
        ) from exc
    return parse_catalogue(raw)


def parse_catalogue(raw: Any) -> list[CatalogueCourse]:
    if not isinstance(raw, list):
        raise InputError("catalogue", "must be a list of courses")
    courses = [parse_course(c, f"catalogue[{i}]") for i, c in enumerate(raw)]
    unique_ids(courses, "catalogue")
    return courses


def parse_course(raw: Any, path: str) -> CatalogueCourse:
    if not isinstance(raw, Mapping):
        raise InputError(path, "must be an object")

    def req(key: str) -> Any:
        if raw.get(key) is None:
            raise InputError(f"{path}.{key}", "required")
        return raw[key]

    also = raw.get("also_counts_as", [])
    if not isinstance(also, list):
        raise InputError(f"{path}.also_counts_as", "must be a list of categories")
    level = raw.get("level")
    return CatalogueCourse(
        id=_string(req("id"), f"{path}.id"),
        title=raw.get("title") if isinstance(raw.get("title"), str) else "",
        provider=_string(req("provider"), f"{path}.provider"),
        credits=_number(req("credits"), f"{path}.credits", positive=True),
        hours=_number(req("hours"), f"{path}.hours"),
        fee=_number(raw.get("fee", 0), f"{path}.fee"),
        weeks=_number(req("weeks"), f"{path}.weeks"),
        start=parse_date(req("start"), f"{path}.start"),
        level=None if level is None else _number(level, f"{path}.level"),
        category=_choice(
            raw.get("category", "elective"), f"{path}.category", CATEGORIES
        ),
        also_counts_as=tuple(
            _choice(c, f"{path}.also_counts_as[{i}]", CATEGORIES)
            for i, c in enumerate(also)
        ),
        kind=_choice(raw.get("kind", "course"), f"{path}.kind", KINDS),
        subjects=tuple(s for s in raw.get("subjects", []) if isinstance(s, str)),
        issuer_registered=_bool(
            raw.get("issuer_registered", True), f"{path}.issuer_registered"
        ),
        currency=raw.get("currency") if isinstance(raw.get("currency"), str) else "INR",
    )


def _gaps(gaps: list) -> list[dict[str, Any]]:
    return [
        {
            "rule": g.rule,
            "what": g.what,
            "required": _num(g.required),
            "actual": _num(g.actual),
            "short": _num(g.short),
        }
        for g in gaps
    ]


def plan_to_json(result: Plan, award: str) -> dict[str, Any]:
    return {
        "feasible": result.feasible,
        "award": award,
        "minimise": result.minimise,
        "courses": [
            {
                "id": c.id,
                "title": c.title,
                "provider": c.provider,
                "credits": _num(c.credits),
                "hours": _num(c.hours),
                "fee": _num(c.fee),
                "currency": c.currency,
                "start": c.start.isoformat(),
                "category": c.category,
            }
            for c in result.courses
        ],
        "total_hours": _num(result.total_hours),
        "total_fee": _num(result.total_fee),
        "weeks": _num(round(result.weeks, 2)),
        "closes": result.closes,
        "missing": _gaps(result.gaps),
        "cannot_meet": _gaps(result.unmet),
        "candidates": result.candidates,
    }
