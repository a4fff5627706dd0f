"""Creating and updating pathways and programmes, with their requirement
trees validated by the credit engine (the error names the bad node's path)."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.credits import CreditsError, derive_policy, get_policy, parse_tree
from app.credits.requirements import walk

# Pathways and programmes are public catalogue data: every API worker must
# drop its cached answers, not only this one.
from app.db.generation import bump_generation
from app.db.models.catalogue import Course, Programme
from app.db.models.pathways import Pathway, PathwayCourse
from app.learners.registration import Problem


def check_tree(raw: Any, field: str = "requirement") -> list[Problem]:
    """The engine's verdict on a tree; the path of the bad node in `field`."""
    try:
        parse_tree(raw, field)
    except CreditsError as exc:
        return [Problem(exc.path or field, exc.message)]
    return []


def check_policy(name: str, overrides: dict[str, Any] | None) -> list[Problem]:
    try:
        base = get_policy(name)
    except CreditsError as exc:
        return [Problem("policyName", exc.message)]
    try:
        if overrides:
            derive_policy(base, overrides, path="policyOverrides")
    except CreditsError as exc:
        return [Problem(exc.path or "policyOverrides", exc.message)]
    return []


async def _link_courses(pathway: Pathway, tree: Any) -> None:
    """PathwayCourse rows for the tree's course nodes (ref = course id or the
    provider's external id), so the catalogue lists a pathway's courses."""
    refs = list(
        dict.fromkeys(n.ref for n in walk(parse_tree(tree)) if n.type == "course")
    )
    await PathwayCourse.filter(pathway=pathway).delete()
    for position, ref in enumerate(refs):
        query = (
            Course.filter(id=int(ref))
            if ref.isdigit()
            else Course.filter(external_id=ref)
        )
        ids = await query.limit(1).values_list("id", flat=True)
        await PathwayCourse.create(
            pathway=pathway,
            course_id=ids[0] if ids else None,
            course_ref=ref,
            position=position,
        )


async def save_pathway(
    pathway: Pathway | None, values: dict[str, Any]
) -> tuple[Pathway | None, list[Problem]]:
    """Create (pathway None) or update a pathway with the given column values."""
    problems = []
    if "requirement" in values:
        problems += check_tree(values["requirement"])
    if pathway is None and not (values.get("slug") or "").strip():
        problems.append(Problem("slug", "must not be empty"))
    if problems:
        return None, problems
    try:
        async with in_transaction():
            if pathway is None:
                values.setdefault("external_id", values["slug"])
                pathway = await Pathway.create(**values)
            else:
                pathway.update_from_dict(values)
                await pathway.save()
            if "requirement" in values:
                await _link_courses(pathway, values["requirement"])
    except IntegrityError:
        return None, [Problem("slug", "a pathway with this slug exists")]
    await bump_generation()
    return pathway, []


async def save_programme(
    programme: Programme | None, values: dict[str, Any]
) -> tuple[Programme | None, list[Problem]]:
    problems = []
    if "requirement" in values:
        problems += check_tree(values["requirement"])
    name = values.get("policy_name", programme.policy_name if programme else "ugc-2023")
    overrides = values.get(
        "policy_overrides", programme.policy_overrides if programme else None
    )
    problems += check_policy(name, overrides)
    if programme is None and not (values.get("external_id") or "").strip():
        problems.append(Problem("externalId", "must not be empty"))
    if problems:
        return None, problems
    try:
        if programme is None:
            programme = await Programme.create(**values)
        else:
            programme.update_from_dict(values)
            await programme.save()
    except IntegrityError:
        return None, [
            Problem("externalId", "the institution has a programme with this id")
        ]
    await bump_generation()
    return programme, []
