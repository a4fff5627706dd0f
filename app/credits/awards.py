"""The built-in UGC awards as requirement trees, built from a policy's values.

Trees are built per policy, so an institution's 44/88 thresholds or a SWAYAM cap in
credits change the tree without code. Caps and residency sit in each built-in tree as
`max_share`/`min_share` nodes; an inline tree carries only what its author wrote.
"""

from __future__ import annotations

from typing import Any

from app.credits.errors import TreeError
from app.credits.model import CATEGORIES, HOME, SWAYAM
from app.credits.policy import Policy
from app.credits.requirements import Node, Where, parse_tree

AWARDS = (
    "ug_certificate",
    "ug_diploma",
    "bachelor",
    "bachelor_honours",
    "bachelor_honours_research",
)
# Order in which the built-in awards stack (used to find the next award).
_LABELS = {
    "multidisciplinary": "multidisciplinary",
    "aec": "AEC",
    "sec": "SEC",
    "vac": "VAC",
}
# The categories with a minimum in R-DEG3 / R-HON (the first seven of CATEGORIES).
_MINIMUM_KEYS = CATEGORIES[:7]


def _cat(*names: str) -> Where:
    return Where(categories=frozenset(names))


def _minimum(rule: str, n: float, category: str) -> Node:
    label = _LABELS.get(category, category.capitalize())
    return Node(
        "min_credits",
        rule=rule,
        description=f"{label} at least {n:g} credits",
        n=n,
        where=_cat(category),
        what=f"{category} credits",
    )


def _envelope(policy: Policy) -> list[Node]:
    """The caps and residency every built-in award obeys (per the policy's switches)."""
    nodes: list[Node] = []
    if policy.on("R-ABC-RES"):
        share = policy.get("R-ABC-RES", "share")
        kinds = {HOME, SWAYAM} if policy.get("R-ABC-RES", "swayam_is_home") else {HOME}
        nodes.append(
            Node(
                "min_share",
                rule="R-ABC-RES",
                description=f"at least {share:.0%} of the credits from home",
                limit=share,
                where=Where(provider_kinds=frozenset(kinds)),
                what="home share",
            )
        )
    if policy.on("R-SWAYAM-CAP"):
        limit = policy.get("R-SWAYAM-CAP", "limit")
        unit = policy.get("R-SWAYAM-CAP", "unit")
        nodes.append(
            Node(
                "max_share",
                rule="R-SWAYAM-CAP",
                description=f"at most {limit:.0%} of a semester's {unit} on SWAYAM",
                limit=limit,
                where=Where(provider_kinds=frozenset({SWAYAM})),
                per="semester",
                unit=unit,
            )
        )
    if policy.on("R-MC-50"):
        limit = policy.get("R-MC-50", "limit")
        nodes.append(
            Node(
                "max_share",
                rule="R-MC-50",
                description=f"micro-credentials and skill courses at most {limit:.0%}",
                limit=limit,
                where=Where(kinds=frozenset({"micro_credential", "skill_course"})),
            )
        )
    return nodes


def _exit_award(policy: Policy, rule: str, title: str) -> Node:
    """R-CERT / R-DIP: credits plus vocational credits that cannot fill the credits
    gap.
    """
    credits = policy.get(rule, "credits")
    vocational = policy.get(rule, "vocational")
    children = [
        Node(
            "min_credits",
            rule=rule,
            description=f"at least {credits:g} credits, vocational credits not counted",
            n=credits,
            where=Where(not_categories=frozenset({"vocational"})),
            what="credits",
        ),
        Node(
            "min_credits",
            rule=rule,
            description=f"{vocational:g} credits of work-based vocational training",
            n=vocational,
            where=_cat("vocational"),
            what="vocational credits",
        ),
    ]
    if rule == "R-CERT" and policy.get("R-CERT", "sec_reading"):
        children.append(_minimum("R-CERT", policy.get("R-CERT", "sec_credits"), "sec"))
    return Node(
        "all_of", rule=rule, description=title, children=(*children, *_envelope(policy))
    )


def _degree_parts(policy: Policy, rule: str) -> list[Node]:
    credits = policy.get(rule, "credits")
    parts = [
        Node(
            "min_credits",
            rule=rule,
            description=f"at least {credits:g} credits",
            n=credits,
            what="credits",
        )
    ]
    parts += [_minimum(rule, policy.get(rule, key), key) for key in _MINIMUM_KEYS]
    return [p for p in parts if p.n > 0]


def _research_project(rule: str, n: float) -> Node:
    return Node(
        "min_credits",
        rule=rule,
        description=f"research project of at least {n:g} credits",
        n=n,
        where=_cat("research_project"),
        what="research project credits",
    )


def _honours_core(policy: Policy) -> list[Node]:
    advanced = Where(kinds=frozenset({"advanced_course"}))
    lieu = Node(
        "all_of",
        rule="R-HON",
        description="advanced courses in lieu of the project",
        children=(
            Node(
                "min_courses",
                rule="R-HON",
                description=f"{policy.get('R-HON', 'advanced_courses'):g} advanced",
                n=policy.get("R-HON", "advanced_courses"),
                where=advanced,
                what="advanced courses",
            ),
            Node(
                "min_credits",
                rule="R-HON",
                description=f"{policy.get('R-HON', 'advanced_credits'):g} cr advanced",
                n=policy.get("R-HON", "advanced_credits"),
                where=advanced,
                what="advanced course credits",
            ),
        ),
    )
    project_or_lieu = Node(
        "any_of",
        rule="R-HON",
        description="research project or advanced courses in lieu",
        children=(
            _research_project("R-HON", policy.get("R-HON", "research_credits")),
            lieu,
        ),
    )
    return [*_degree_parts(policy, "R-HON"), project_or_lieu]


def builtin_award(award: str, policy: Policy) -> Node:
    """The requirement tree of a built-in award under `policy`."""
    if award == "ug_certificate":
        return _exit_award(policy, "R-CERT", "UG certificate")
    if award == "ug_diploma":
        return _exit_award(policy, "R-DIP", "UG diploma")
    if award == "bachelor":
        parts = _degree_parts(policy, "R-DEG3")
        return Node(
            "all_of",
            rule="R-DEG3",
            description="3-year bachelor's",
            children=(*parts, *_envelope(policy)),
        )
    if award == "bachelor_honours":
        return Node(
            "all_of",
            rule="R-HON",
            description="4-year bachelor's (honours)",
            children=(*_honours_core(policy), *_envelope(policy)),
        )
    if award == "bachelor_honours_research":
        marks = Node(
            "min_score",
            rule="R-HONR",
            description=f"marks at least {policy.get('R-HONR', 'marks_percent'):g}% "
            "over semesters 1-6",
            n=policy.get("R-HONR", "marks_percent"),
            source="learner_marks",
            what="marks percent",
        )
        project = _research_project("R-HONR", policy.get("R-HONR", "research_credits"))
        return Node(
            "all_of",
            rule="R-HONR",
            description="honours with research",
            children=(*_honours_core(policy), marks, project, *_envelope(policy)),
        )
    raise TreeError("award", f"unknown award {award!r} (one of {', '.join(AWARDS)})")


def resolve_award(raw: Any, policy: Policy, path: str = "award") -> tuple[str, Node]:
    """AUDIT.md's `award`: a built-in id or an inline tree; returns (award id, tree)."""
    if isinstance(raw, str):
        return raw, builtin_award(raw, policy)
    tree = parse_tree(raw, path)
    name = raw.get("id") if isinstance(raw.get("id"), str) else "custom"
    return name, tree
