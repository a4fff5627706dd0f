"""The requirement tree language shared by programmes and pathways (DESIGN.md).

Nodes: `all_of`, `any_of`, `n_of{n}`, `course{ref}`, `min_credits{n, where}`,
`min_courses{n, where}`, `max_share{limit, where, per, unit}` (caps),
`min_share{limit, where}` (residency), `min_score{min, where | source}`.
Trees are JSON; `parse_tree` validates them and names the path of a bad node
(`children[2].n: must be a positive integer`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.credits.errors import TreeError
from app.credits.model import CATEGORIES, EXTERNAL, HOME, KINDS, SWAYAM, Credit

GROUPS = ("all_of", "any_of", "n_of")
LEAVES = ("course", "min_credits", "min_courses", "max_share", "min_share", "min_score")
NODE_TYPES = GROUPS + LEAVES
PROVIDER_KINDS = (HOME, SWAYAM, EXTERNAL)
MAX_DEPTH = 32


@dataclass(frozen=True)
class Where:
    """A filter over credits; an empty filter matches every credit."""

    categories: frozenset[str] | None = None
    not_categories: frozenset[str] = frozenset()
    level_min: float | None = None
    level_max: float | None = None
    provider_kinds: frozenset[str] | None = None
    kinds: frozenset[str] | None = None
    not_kinds: frozenset[str] = frozenset()
    subjects: frozenset[str] | None = None

    @cached_property
    def any_fixed(self) -> bool:
        """Whether anything but the category filters (most nodes filter categories)."""
        return (
            self.level_min is not None
            or self.level_max is not None
            or self.provider_kinds is not None
            or self.kinds is not None
            or bool(self.not_kinds)
            or self.subjects is not None
        )

    def fixed_match(self, credit: Credit, kind_of_provider: str) -> bool:
        """Everything but the category, which the allocator chooses."""
        if not self.any_fixed:
            return True
        if self.level_min is not None and (credit.level or 0) < self.level_min:
            return False
        if self.level_max is not None and (credit.level or 0) > self.level_max:
            return False
        if (
            self.provider_kinds is not None
            and kind_of_provider not in self.provider_kinds
        ):
            return False
        if self.kinds is not None and credit.kind not in self.kinds:
            return False
        if credit.kind in self.not_kinds:
            return False
        return self.subjects is None or bool(self.subjects & set(credit.subjects))

    def category_match(self, category: str) -> bool:
        if self.categories is not None and category not in self.categories:
            return False
        return category not in self.not_categories

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in (
            ("category", self.categories),
            ("not_category", self.not_categories or None),
            ("provider_kind", self.provider_kinds),
            ("kind", self.kinds),
            ("not_kind", self.not_kinds or None),
            ("subject", self.subjects),
        ):
            if value is not None:
                out[key] = sorted(value)
        if self.level_min is not None:
            out["level_min"] = self.level_min
        if self.level_max is not None:
            out["level_max"] = self.level_max
        return out


@dataclass(frozen=True)
class Node:
    """One node of a requirement tree. `rule` names the RULES.md id it encodes."""

    type: str
    rule: str = "TREE"
    description: str = ""
    children: tuple[Node, ...] = ()
    n: float = 0
    limit: float = 0.0
    where: Where = field(default_factory=Where)
    # max_share / min_share: the whole the share is taken of (default: every credit)
    of: Where = field(default_factory=Where)
    per: str | None = None  # max_share: "semester" applies the cap in each semester
    unit: str = "credits"  # shares: "credits" or "courses"
    ref: str = ""  # course: a credit id or catalogue course id
    source: str = "credits"  # min_score: "credits" (mean of used) or "learner_marks"
    what: str = ""  # the label of a gap in `missing` ("credits", "major credits"…)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "rule": self.rule}
        if self.description:
            out["description"] = self.description
        if self.type in GROUPS:
            out["children"] = [c.to_json() for c in self.children]
            if self.type == "n_of":
                out["n"] = self.n
            return out
        if self.type in ("min_credits", "min_courses"):
            out["n"] = self.n
        if self.type in ("max_share", "min_share"):
            out["limit"] = self.limit
            out["unit"] = self.unit
            if self.of != Where():
                out["of"] = self.of.to_json()
            if self.per:
                out["per"] = self.per
        if self.type == "course":
            out["ref"] = self.ref
        if self.type == "min_score":
            out["min"] = self.n
            out["source"] = self.source
        if self.where != Where():
            out["where"] = self.where.to_json()
        if self.what:
            out["what"] = self.what
        return out


def walk(node: Node) -> list[Node]:
    """Every node, parents before children."""
    out = [node]
    for child in node.children:
        out.extend(walk(child))
    return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _number(
    raw: Mapping[str, Any], key: str, path: str, *, integer: bool = False
) -> float:
    value = raw.get(key)
    bad = isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
    if integer:
        bad = bad or int(value) != value  # type: ignore[arg-type]
        if bad:
            raise TreeError(_join(path, key), "must be a positive integer")
    elif bad:
        raise TreeError(_join(path, key), "must be a positive number")
    return float(value)  # type: ignore[arg-type]


def _words(raw: Any, path: str, allowed: tuple[str, ...] | None) -> frozenset[str]:
    values = [raw] if isinstance(raw, str) else raw
    if (
        not isinstance(values, list)
        or not values
        or not all(isinstance(v, str) for v in values)
    ):
        raise TreeError(path, "must be a string or a non-empty list of strings")
    for i, value in enumerate(values):
        if allowed is not None and value not in allowed:
            raise TreeError(
                f"{path}[{i}]" if isinstance(raw, list) else path,
                f"unknown value {value!r} (one of {', '.join(allowed)})",
            )
    return frozenset(values)


def parse_where(raw: Any, path: str) -> Where:
    if raw is None:
        return Where()
    if not isinstance(raw, Mapping):
        raise TreeError(path, "must be an object")
    known = {
        "category",
        "not_category",
        "level_min",
        "level_max",
        "provider_kind",
        "kind",
        "not_kind",
        "subject",
    }
    for key in raw:
        if key not in known:
            raise TreeError(
                _join(path, key), f"unknown filter (one of {', '.join(sorted(known))})"
            )
    levels: dict[str, float | None] = {}
    for key in ("level_min", "level_max"):
        value = raw.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            raise TreeError(_join(path, key), "must be a number (an NCrF level)")
        levels[key] = None if value is None else float(value)

    def words(key: str, allowed: tuple[str, ...] | None) -> frozenset[str] | None:
        return None if key not in raw else _words(raw[key], _join(path, key), allowed)

    return Where(
        categories=words("category", CATEGORIES),
        not_categories=words("not_category", CATEGORIES) or frozenset(),
        level_min=levels["level_min"],
        level_max=levels["level_max"],
        provider_kinds=words("provider_kind", PROVIDER_KINDS),
        kinds=words("kind", KINDS),
        not_kinds=words("not_kind", KINDS) or frozenset(),
        subjects=words("subject", None),
    )


def parse_tree(raw: Any, path: str = "", _depth: int = 0) -> Node:
    """A validated Node from JSON; TreeError names the path of the first bad value."""
    if _depth > MAX_DEPTH:
        raise TreeError(path, f"tree deeper than {MAX_DEPTH}")
    if not isinstance(raw, Mapping):
        raise TreeError(path, "must be an object with a type")
    kind = raw.get("type")
    if kind not in NODE_TYPES:
        raise TreeError(_join(path, "type"), f"must be one of {', '.join(NODE_TYPES)}")
    common: dict[str, Any] = {"type": kind}
    for key in ("rule", "description", "what"):
        if key in raw:
            if not isinstance(raw[key], str) or not raw[key]:
                raise TreeError(_join(path, key), "must be a non-empty string")
            common[key] = raw[key]
    if kind in GROUPS:
        children = raw.get("children")
        if not isinstance(children, list) or not children:
            raise TreeError(
                _join(path, "children"), "must be a non-empty list of nodes"
            )
        nodes = tuple(
            parse_tree(c, _join(path, f"children[{i}]"), _depth + 1)
            for i, c in enumerate(children)
        )
        n = 0.0
        if kind == "n_of":
            n = _number(raw, "n", path, integer=True)
            if n > len(nodes):
                raise TreeError(
                    _join(path, "n"), f"must be at most {len(nodes)} (the children)"
                )
        return Node(children=nodes, n=n, **common)
    where = parse_where(raw.get("where"), _join(path, "where"))
    if kind == "course":
        ref = raw.get("ref")
        if not isinstance(ref, str) or not ref:
            raise TreeError(_join(path, "ref"), "must be a non-empty course id")
        return Node(ref=ref, **common)
    if kind == "min_credits":
        return Node(n=_number(raw, "n", path), where=where, **common)
    if kind == "min_courses":
        return Node(n=_number(raw, "n", path, integer=True), where=where, **common)
    if kind == "min_score":
        source = raw.get("source", "credits")
        if source not in ("credits", "learner_marks"):
            raise TreeError(_join(path, "source"), "must be credits or learner_marks")
        return Node(n=_number(raw, "min", path), where=where, source=source, **common)
    limit = raw.get("limit")
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int | float)
        or not 0 < limit <= 1
    ):
        raise TreeError(_join(path, "limit"), "must be a fraction in (0, 1]")
    unit = raw.get("unit", "credits")
    if unit not in ("credits", "courses"):
        raise TreeError(_join(path, "unit"), "must be credits or courses")
    per = raw.get("per")
    if per not in (None, "semester"):
        raise TreeError(_join(path, "per"), "must be semester or absent")
    of = parse_where(raw.get("of"), _join(path, "of"))
    return Node(limit=float(limit), where=where, of=of, unit=unit, per=per, **common)
