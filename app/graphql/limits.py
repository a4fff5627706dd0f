"""The cost limit: a validation rule that refuses a document whose worst-case
work is too large, before anything runs.

Every field costs 1; a field taking `first` multiplies the cost of what is
selected under it by `first` (a page of 100 courses with 10 fields each costs
about 1,000). The rule cannot see variable values — validation results are
cached per document (ValidationCache), whatever the variables — so
`first: $n` counts as the cap (`Limits.max_first`), and a missing `first` as
the default page. Depth, alias and token limits are strawberry's own
extensions (schema.py); all of them answer QUERY_TOO_COMPLEX (errors.py).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from app.graphql.pagination import DEFAULT_PAGE
from app.settings import Limits

COST_MESSAGE = "Query cost {cost} exceeds the maximum cost of {limit}."

# Fields whose resolver runs the credit engine: an evaluation allocates
# credits (max-flow / HiGHS, up to ~20 ms on a large record) and a plan solves
# an integer programme over the catalogue, so each is priced like a large page.
# With the default max_cost of 50,000 a request may ask for at most 10 plans.
FIELD_COSTS: dict[tuple[str, str], int] = {
    ("Learner", "plan"): 5_000,
    ("Learner", "eligibility"): 1_000,
    ("Learner", "pathwayProgress"): 1_000,
    # canonicalises and signs the whole record (RDFC over every nested credential)
    ("Learner", "clr"): 5_000,
    # each verifies a credential and may fetch keys, hosted assertions and status
    # lists (10 s timeout each): at most 10 a request, whatever the aliases
    ("Mutation", "importCredential"): 5_000,
    ("Mutation", "reverifyCredential"): 5_000,
}


def cost_rule(max_cost: int, max_first: int) -> type[ValidationRule]:
    """A ValidationRule class refusing operations that cost more than max_cost."""

    class QueryCost(ValidationRule):
        def enter_operation_definition(
            self, node: OperationDefinitionNode, *_: Any
        ) -> None:
            root = self.context.schema.get_root_type(node.operation)
            if root is None:
                return
            cost = _Coster(self.context, max_first).selection_set(
                node.selection_set, root
            )
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        COST_MESSAGE.format(cost=cost, limit=max_cost),
                        node,
                        extensions={"cost": cost, "maxCost": max_cost},
                    )
                )

    return QueryCost


class _Coster:
    def __init__(self, context: ValidationContext, max_first: int) -> None:
        self.context = context
        self.max_first = max_first
        self.in_fragments: set[str] = set()

    def selection_set(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = (
                    self.context.schema.get_type(condition.name.value)
                    if condition
                    else parent
                )
                total += self.selection_set(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.spread(selection)
        return total

    def spread(self, node: FragmentSpreadNode) -> int:
        name = node.name.value
        fragment = self.context.get_fragment(name)
        # cycles are another rule's error; this one must only not recurse forever
        if fragment is None or name in self.in_fragments:
            return 0
        self.in_fragments.add(name)
        try:
            target = self.context.schema.get_type(fragment.type_condition.name.value)
            return self.selection_set(fragment.selection_set, target)
        finally:
            self.in_fragments.discard(name)

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> int:
        definition = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(node.name.value)
        own = FIELD_COSTS.get((parent.name, node.name.value), 1) if parent else 1
        if definition is None or node.selection_set is None:
            return own
        child = self.selection_set(node.selection_set, get_named_type(definition.type))
        return own + self.multiplier(node, "first" in definition.args) * child

    def multiplier(self, node: FieldNode, paginated: bool) -> int:
        if not paginated:
            return 1
        for argument in node.arguments or ():
            if argument.name.value == "first":
                if isinstance(argument.value, IntValueNode):
                    return max(0, min(int(argument.value.value), self.max_first))
                return self.max_first  # a variable: the worst case
        return DEFAULT_PAGE


def validation_rules(limits: Limits) -> list[type[ASTValidationRule]]:
    """The depth, alias and cost rules, as classes made once per schema.

    strawberry's QueryDepthLimiter and MaxAliasesLimiter make a new rule class
    per instance, i.e. per request when passed as factories, and
    ValidationCache keys on the rule classes: with per-request classes it never
    hits and every request is validated again (about 12 ms for a page)."""
    return [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
        cost_rule(limits.max_cost, limits.max_first),
    ]
