"""CTDL resources -> records: courses, pathways, programmes and their owners.

Shared by both forms of the CTDL connector (the Registry's envelopes and
documents on disk). The mapping (FORMATS.md §5, issue 9):

- `ceterms:Course`, the 2016-era `LearningOpportunityProfile`, and a
  `LearningProgram` without parts -> `CourseRecord` (plus an `OfferingRecord`
  carrying the fee when `estimatedCost` states one);
- `LearningProgram` with `hasPart` -> `PathwayRecord` over those parts;
- every credential class (`Certificate`, `Certification`, `BachelorDegree`,
  `BachelorOfScienceDegree`, `MasterDegree`, `Badge`…) -> `ProgrammeRecord`
  whose requirement tree comes from `ceterms:requires`;
- `Organization` and friends -> `ProviderRecord` (the owner, else the
  offerer, of each resource; announced before the first thing it owns).

A reference to a resource becomes its CTID when the CTID is known (an indexed
node, or a registry URI that carries it) and stays the URI otherwise; it is
kept in the tree either way, so a programme can be stored before its parts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from connectors.credit_units import Credits, convert, unit_of
from connectors.ctdl_values import (
    as_list,
    concepts,
    ctid_in,
    labels,
    local_type,
    ref_of,
    text,
    texts,
)
from connectors.durations import Duration, midpoint, parse_duration
from connectors.money import currency_code, to_minor
from connectors.records import (
    CourseRecord,
    Mode,
    OfferingRecord,
    PathwayRecord,
    ProgrammeRecord,
    ProviderRecord,
    Record,
    Withdrawal,
)

ORGANISATIONS = frozenset(
    {"Organization", "CredentialOrganization", "QACredentialOrganization"}
)
LEARNING = frozenset(
    {"Course", "LearningOpportunityProfile", "LearningOpportunity", "LearningProgram"}
)
# Credential classes end in one of these (CTDL's Credential subclasses, as of
# 2023: …Degree, …Certificate, Certification, Diploma, …Badge, License,
# MicroCredential, …Doctorate, GeneralEducationDevelopment).
CREDENTIAL_ENDINGS = (
    "Degree",
    "Certificate",
    "Certification",
    "Diploma",
    "Badge",
    "License",
    "Credential",
    "Doctorate",
    "GeneralEducationDevelopment",
)
MODES: dict[str, Mode] = {
    "onlineonly": "online",
    "online": "online",
    "inperson": "in_person",
    "blendeddelivery": "blended",
    "blended": "blended",
    "variablesite": "blended",
}
RULE = "CTDL-REQUIRES"


class MalformedResource(ValueError):
    pass


def kind_of(node: Mapping[str, Any]) -> str | None:
    """ "organisation", "course", "pathway", "programme" or None (not mapped)."""
    name = local_type(dict(node))
    if name in ORGANISATIONS:
        return "organisation"
    if name == "LearningProgram" and as_list(node.get("ceterms:hasPart")):
        return "pathway"
    if name in LEARNING:
        return "course"
    if name.endswith(CREDENTIAL_ENDINGS):
        return "programme"
    return None


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def credits_of(value: Any, language: str = "en") -> Credits | None:
    """The first usable `creditValue` (ValueProfile or QuantitativeValue)."""
    for item in as_list(value):
        if not isinstance(item, dict):
            continue
        number = None
        for key in (
            "schema:value",
            "ceterms:value",
            "schema:minValue",
            "schema:maxValue",
        ):
            candidate = item.get(key)
            if isinstance(candidate, str):
                try:
                    candidate = float(candidate)
                except ValueError:
                    candidate = None
            if isinstance(candidate, int | float) and not isinstance(candidate, bool):
                number = float(candidate)
                break
        if number is None or number <= 0:
            continue
        terms = [
            code or label
            for code, label in concepts(item.get("ceterms:creditUnitType"))
        ]
        terms += [
            text(item.get("ceterms:creditUnitTypeDescription"), language),
            text(item.get("schema:unitText"), language),
            text(item.get("ceterms:creditUnitValue"), language),
        ]
        unit = next((u for u in map(unit_of, terms) if u), "unspecified")
        return convert(number, unit)
    return None


def duration_of(value: Any) -> Duration | None:
    """The first DurationProfile's exact duration, else its min/max midpoint."""
    for item in as_list(value):
        if not isinstance(item, dict):
            continue

        def parsed(key: str, item: dict[str, Any] = item) -> Duration | None:
            raw = item.get(key)
            return parse_duration(raw) if isinstance(raw, str) else None

        found = parsed("ceterms:exactDuration") or midpoint(
            parsed("ceterms:minimumDuration"), parsed("ceterms:maximumDuration")
        )
        if found is not None:
            return found
    return None


def fee_of(value: Any) -> tuple[int | None, str | None]:
    """`estimatedCost`: the aggregate cost when stated, else the sum of the rest."""
    costs = []
    for item in as_list(value):
        if not isinstance(item, dict):
            continue
        currency = currency_code(item.get("ceterms:currency")) or "USD"
        minor = to_minor(item.get("ceterms:price"), currency)
        if minor is None:
            continue
        codes = [c for c, _ in concepts(item.get("ceterms:directCostType")) if c]
        aggregate = any(c.endswith("AggregateCost") for c in codes)
        costs.append((aggregate, minor, currency))
    if not costs:
        return None, None
    for aggregate, minor, currency in costs:
        if aggregate:
            return minor, currency
    currency = costs[0][2]
    return sum(m for _, m, c in costs if c == currency), currency


class CtdlMapper:
    """Maps nodes to records; remembers nodes and organisations across a run."""

    def __init__(self, language: str = "en", default_provider: str = "ctdl") -> None:
        self.language = language
        self.default_provider = default_provider
        self.nodes: dict[str, dict[str, Any]] = {}  # @id and ctid -> node
        self._announced: dict[str, str | None] = {}  # provider slug -> name sent

    def index(self, node: dict[str, Any]) -> None:
        """Remember a node so references to it resolve for the rest of the run.

        Organisations are kept whole (their names label what they own); of
        anything else only the CTID a reference needs, so a registry crawl of
        tens of thousands of resources holds ids, not documents.
        """
        ctid = node.get("ceterms:ctid")
        if kind_of(node) != "organisation":
            node = {"@id": node.get("@id"), "ceterms:ctid": ctid}
        for key in (node.get("@id"), ctid):
            if isinstance(key, str) and key:
                self.nodes[key if key.startswith(("http", "_:")) else key.lower()] = (
                    node
                )

    def resolve(self, ref: Any) -> dict[str, Any] | None:
        if isinstance(ref, dict) and len(ref) > 1:
            return ref  # embedded
        uri = ref_of(ref)
        return self.nodes.get(uri) if uri else None

    def key_of(self, ref: Any) -> str | None:
        """A reference as an external id: the CTID when known, else the URI."""
        node = self.resolve(ref)
        ctid = node.get("ceterms:ctid") if node else None
        if isinstance(ctid, str) and ctid:
            return ctid.lower()
        uri = ref_of(ref)
        return ctid_in(uri) or uri

    def _text(self, node: Mapping[str, Any], key: str) -> str | None:
        return text(node.get(key), self.language)

    # -- organisations ---------------------------------------------------

    def org_slug(self, ref: Any) -> str:
        key = self.key_of(ref) or "unknown"
        if key.startswith("ce-"):
            return key
        return "ctdl-" + hashlib.blake2b(key.encode(), digest_size=6).hexdigest()

    def _org_record(self, ref: Any) -> ProviderRecord:
        node = self.resolve(ref) or {}
        slug = self.org_slug(ref)
        kinds = [c for c, _ in concepts(node.get("ceterms:agentType")) if c]
        university = any("Postsecondary" in c for c in kinds)
        return ProviderRecord(
            slug=slug,
            name=self._text(node, "ceterms:name") or ref_of(ref) or slug,
            kind="university" if university else "institution",
            url=self._text(node, "ceterms:subjectWebpage"),
        )

    def _announce(self, ref: Any, out: list[Record]) -> ProviderRecord:
        """The organisation's record, added to `out` when it is new or named better."""
        record = self._org_record(ref)
        named = record.name if record.name != ref_of(ref) else None
        if record.slug not in self._announced or (
            named and self._announced[record.slug] != named
        ):
            self._announced[record.slug] = named
            out.append(record)
        return record

    def _owner(self, node: Mapping[str, Any], out: list[Record]) -> ProviderRecord:
        for key in ("ceterms:ownedBy", "ceterms:offeredBy"):
            refs = as_list(node.get(key))
            if refs:
                return self._announce(refs[0], out)
        if self.default_provider not in self._announced:
            self._announced[self.default_provider] = None
            out.append(
                ProviderRecord(self.default_provider, "Credential Engine Registry")
            )
        return ProviderRecord(self.default_provider, "Credential Engine Registry")

    def _institute(self, node: Mapping[str, Any], owner: ProviderRecord) -> str:
        offered = as_list(node.get("ceterms:offeredBy"))
        if offered:
            return self._org_record(offered[0]).name
        return owner.name

    # -- requirement trees -------------------------------------------------

    def _targets(self, condition: Mapping[str, Any]) -> list[dict[str, Any]]:
        nodes = []
        for key, target in (
            ("ceterms:targetLearningOpportunity", "learning_opportunity"),
            ("ceterms:targetCredential", "credential"),
            ("ceterms:targetAssessment", "assessment"),
        ):
            for ref in as_list(condition.get(key)):
                external = self.key_of(ref)
                if external:
                    node = {"type": "course", "ref": external, "target": target}
                    uri = ref_of(ref)
                    if uri and uri != external:
                        node["uri"] = uri
                    nodes.append(node)
        return nodes

    def _credit_node(self, condition: Mapping[str, Any]) -> dict[str, Any] | None:
        amount = credits_of(condition.get("ceterms:creditValue"), self.language)
        if amount is None:
            return None
        stated = f"{amount.value:g} {amount.unit}"
        if amount.ncrf is None:
            # No hour equivalent: the number is kept as the institution states it.
            return {
                "type": "min_credits",
                "rule": RULE,
                "n": amount.value,
                "description": f"{stated} (no hour equivalent, taken as stated)",
            }
        return {
            "type": "min_credits",
            "rule": amount.rule or RULE,
            "n": round(amount.ncrf, 2),
            "description": f"{stated} = {amount.hours:g} h = "
            f"{amount.ncrf:g} NCrF credits",
        }

    def condition_tree(self, condition: Any) -> dict[str, Any] | None:
        if not isinstance(condition, dict):
            return None
        children = self._targets(condition)
        credit = self._credit_node(condition)
        if credit:
            children.append(credit)
        label = self._text(condition, "ceterms:name") or self._text(
            condition, "ceterms:description"
        )
        own = _group("all_of", children, label)
        alternatives = [
            tree
            for tree in map(
                self.condition_tree,
                as_list(condition.get("ceterms:alternativeCondition")),
            )
            if tree
        ]
        if alternatives:
            return _group("any_of", ([own] if own else []) + alternatives, label)
        return own

    def requirement(self, node: Mapping[str, Any]) -> dict[str, Any] | None:
        trees = [
            t
            for t in map(self.condition_tree, as_list(node.get("ceterms:requires")))
            if t
        ]
        return _group("all_of", trees, None)

    # -- resources -----------------------------------------------------------

    def records(self, node: Any, source_url: str | None) -> list[Record]:
        """The records one resource maps to ([] for types we do not map)."""
        if not isinstance(node, dict):
            raise MalformedResource(f"resource is {type(node).__name__}, not an object")
        self.index(node)
        kind = kind_of(node)
        if kind is None:
            return []
        out: list[Record] = []
        if kind == "organisation":
            if not self._text(node, "ceterms:name"):
                raise MalformedResource("organisation without a name")
            self._announce(node.get("@id") or node, out)
            return out
        external = self.key_of(node)
        name = self._text(node, "ceterms:name")
        if not external:
            raise MalformedResource("no ceterms:ctid and no @id")
        if not name:
            raise MalformedResource("no ceterms:name")
        owner = self._owner(node, out)
        if kind == "course":
            out.extend(self._course(node, external, name, owner, source_url))
        elif kind == "pathway":
            out.append(self._pathway(node, external, name, owner, source_url))
        else:
            out.append(self._programme(node, external, name, owner, source_url))
        return out

    def withdrawal(
        self, node: Mapping[str, Any] | None, ctid: str, at: Any
    ) -> Withdrawal | None:
        """What a deleted resource withdraws (None for organisations)."""
        kind = kind_of(node) if node else None
        entity = {"course": "course", "pathway": "pathway", "programme": "programme"}
        if kind not in entity:
            return None
        scratch: list[Record] = []
        owner = self._owner(node or {}, scratch)
        return Withdrawal(entity[kind], owner.slug, ctid.lower(), at)  # type: ignore[arg-type]

    def _identifiers(self, node: Mapping[str, Any], external: str) -> tuple[str, ...]:
        found = [external]
        for value in (
            node.get("@id"),
            node.get("ceterms:codedNotation"),
            *as_list(node.get("ceterms:availableOnlineAt")),
            node.get("ceterms:subjectWebpage"),
        ):
            value = text(value, self.language) if not isinstance(value, str) else value
            if value and value not in found:
                found.append(value)
        return tuple(found)

    def _course(
        self,
        node: Mapping[str, Any],
        external: str,
        name: str,
        owner: ProviderRecord,
        source_url: str | None,
    ) -> list[Record]:
        amount = credits_of(node.get("ceterms:creditValue"), self.language)
        duration = duration_of(node.get("ceterms:estimatedDuration"))
        weeks = (
            max(1, round(duration.weeks)) if duration and duration.calendar else None
        )
        hours = duration.hours if duration and not duration.calendar else None
        if hours is None and amount is not None:
            hours = amount.hours
        modes = [
            MODES.get(
                re.sub(r"[^a-z]", "", (code or label or "").rsplit(":", 1)[-1].lower())
            )
            for code, label in concepts(node.get("ceterms:deliveryType"))
        ]
        mode = next((m for m in modes if m), "online")
        subjects = labels(node.get("ceterms:subject"), self.language) + texts(
            node.get("ceterms:keyword"), self.language
        )
        levels = labels(node.get("ceterms:audienceLevelType"), self.language)
        course = CourseRecord(
            provider=owner.slug,
            external_id=external,
            title=name,
            description=self._text(node, "ceterms:description"),
            subjects=tuple(dict.fromkeys(subjects)),
            level_label=levels[0] if levels else None,
            notional_hours=hours,
            weeks=weeks,
            credits=amount.value if amount else None,
            credit_source="stated" if amount else None,
            credit_unit=amount.unit if amount else None,
            languages=tuple(dict.fromkeys(texts(node.get("ceterms:inLanguage")))),
            mode=mode,
            url=self._text(node, "ceterms:subjectWebpage"),
            institute=self._institute(node, owner),
            has_certificate=None,
            identifiers=self._identifiers(node, external),
            source_url=source_url,
            raw=node,
        )
        out: list[Record] = [course]
        fee, currency = fee_of(node.get("ceterms:estimatedCost"))
        if fee is not None:
            status = [
                label for _, label in concepts(node.get("ceterms:lifeCycleStatusType"))
            ]
            out.append(
                OfferingRecord(
                    provider=owner.slug,
                    course_external_id=external,
                    external_id=f"{external}/offering",
                    fee_minor=fee,
                    currency=currency,
                    mode=mode,
                    status=(status[0] or "").lower() or None if status else None,
                    url=next(
                        iter(as_list(node.get("ceterms:availableOnlineAt"))), None
                    ),
                    source_url=source_url,
                    raw=node.get("ceterms:estimatedCost"),
                )
            )
        return out

    def _pathway(
        self,
        node: Mapping[str, Any],
        external: str,
        name: str,
        owner: ProviderRecord,
        source_url: str | None,
    ) -> PathwayRecord:
        refs = [k for k in map(self.key_of, as_list(node.get("ceterms:hasPart"))) if k]
        parts = _group(
            "all_of",
            [
                {"type": "course", "ref": ref, "target": "learning_opportunity"}
                for ref in refs
            ],
            f"every part of {name}",
        )
        required = self.requirement(node)
        amount = credits_of(node.get("ceterms:creditValue"), self.language)
        return PathwayRecord(
            provider=owner.slug,
            external_id=external,
            title=name,
            kind=local_type(dict(node)),
            description=self._text(node, "ceterms:description"),
            course_refs=tuple(dict.fromkeys(refs)),
            requirement=_group("all_of", [t for t in (parts, required) if t], None),
            credits=round(amount.ncrf, 2) if amount and amount.ncrf else None,
            url=self._text(node, "ceterms:subjectWebpage"),
            source_url=source_url,
            raw=node,
        )

    def _programme(
        self,
        node: Mapping[str, Any],
        external: str,
        name: str,
        owner: ProviderRecord,
        source_url: str | None,
    ) -> ProgrammeRecord:
        amount = credits_of(node.get("ceterms:creditValue"), self.language)
        duration = duration_of(node.get("ceterms:estimatedDuration"))
        return ProgrammeRecord(
            institution=owner.slug,
            institution_name=owner.name,
            external_id=external,
            name=name,
            award_kind=snake(local_type(dict(node))),
            requirement=self.requirement(node),
            credits=round(amount.ncrf, 2) if amount and amount.ncrf else None,
            duration_years=round(duration.years, 3) if duration else None,
            url=self._text(node, "ceterms:subjectWebpage"),
            source_url=source_url,
            raw=node,
        )


def _group(
    kind: str, children: list[dict[str, Any]], description: str | None
) -> dict[str, Any] | None:
    """A group node; a lone child stands for itself, no children for nothing."""
    if not children:
        return None
    if len(children) == 1:
        child = dict(children[0])
        if description and "description" not in child:
            child["description"] = description
        return child
    node: dict[str, Any] = {"type": kind, "rule": RULE, "children": children}
    if description:
        node["description"] = description
    return node
