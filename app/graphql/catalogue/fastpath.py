"""A direct path for the hottest query shape: a page of courses.

Executing a 50-course page through graphql-core costs several hundred field
executions, most of a request's time (TECH-NOTES §5). A document that is only
`courses(first, after, orderBy)` selecting scalar fields of the courses, their
provider and their offerings, with cursors and page info, is answered here by
the same keyset page, loaders and types, serialised with the schema's own
scalars, without graphql-core's executor. Anything else — another field, a
filter, a fragment, a directive, an alias inside the page, a bad argument —
returns None and takes the general path, which also produces every error.
tests/graphql/test_catalogue_fastpath.py proves both paths answer the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import strawberry
from graphql import (
    EnumValueNode,
    FieldNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    IntValueNode,
    NamedTypeNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
    parse,
)
from strawberry import relay

from app.graphql.catalogue.filters import filter_courses
from app.graphql.catalogue.loaders import (
    COURSE_FIELDS,
    OfferingsByCourse,
    ProviderById,
)
from app.graphql.catalogue.ordering import (
    CourseOrder,
    CourseOrderField,
    OrderDirection,
    sort_keys,
)
from app.graphql.catalogue.types import (
    Course,
    Offering,
    Provider,
    RowNode,
    next_first,
    row_plan,
)
from app.graphql.context import Context
from app.graphql.errors import ApiError
from app.graphql.pagination import DEFAULT_PAGE, keyset_page, validate_first

# A leaf: (response key, GraphQL field name). A relation: its sub-selection.
Selection = tuple[str, str, "tuple[Selection, ...] | None"]


@dataclass(frozen=True)
class Plan:
    root_key: str
    arguments: tuple[tuple[str, ValueNode], ...]
    page: tuple[Selection, ...]  # selections of the connection


_ARGUMENTS = {"first": "Int", "after": "String", "orderBy": None}
_RELATIONS = {"provider": "Provider", "offerings": "Offering"}


class _NotFast(Exception):
    pass


def _leaves(schema: GraphQLSchema, type_name: str, node: SelectionSetNode) -> tuple:
    out = []
    object_type = schema.get_type(type_name)
    for selection in node.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            raise _NotFast
        name = selection.name.value
        field = object_type.fields.get(name)  # type: ignore[union-attr]
        if field is None or selection.arguments or name.startswith("__"):
            raise _NotFast
        if selection.alias:
            raise _NotFast  # aliases are counted by a limit the general path applies
        key = name
        if type_name == "Course" and name in _RELATIONS:
            if selection.selection_set is None:
                raise _NotFast
            sub = _leaves(schema, _RELATIONS[name], selection.selection_set)
            out.append((key, name, sub))
        elif is_leaf_type(get_named_type(field.type)) and not selection.selection_set:
            out.append((key, name, None))
        else:
            raise _NotFast
    return _unique(out)


def _unique(selections: list) -> tuple:
    # graphql merges a field selected twice (`provider { name } provider
    # { slug }`); this path does not, so it leaves such documents alone
    if len({key for key, _, _ in selections}) != len(selections):
        raise _NotFast
    return tuple(selections)


def _page(schema: GraphQLSchema, node: SelectionSetNode) -> tuple:
    out = []
    for selection in node.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            raise _NotFast
        name = selection.name.value
        if selection.alias:
            raise _NotFast
        key = name
        sub = selection.selection_set
        if name == "edges" and sub is not None:
            edge = []
            for item in sub.selections:
                if not isinstance(item, FieldNode) or item.directives or item.alias:
                    raise _NotFast
                item_key = item.name.value
                if item.name.value == "cursor" and item.selection_set is None:
                    edge.append((item_key, "cursor", None))
                elif item.name.value == "node" and item.selection_set is not None:
                    edge.append(
                        (
                            item_key,
                            "node",
                            _leaves(schema, "Course", item.selection_set),
                        )
                    )
                else:
                    raise _NotFast
            out.append((key, "edges", _unique(edge)))
        elif name == "pageInfo" and sub is not None:
            out.append((key, "pageInfo", _leaves(schema, "PageInfo", sub)))
        else:
            raise _NotFast
    return _unique(out)


@lru_cache(maxsize=256)
def plan_for(
    schema: GraphQLSchema, query: str, operation_name: str | None, max_tokens: int
) -> Plan | None:
    """The plan of a document of the fast shape, or None."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return None
    if len(document.definitions) != 1:
        return None
    operation = document.definitions[0]
    if (
        not isinstance(operation, OperationDefinitionNode)
        or operation.operation is not OperationType.QUERY
        or operation.directives
        or (operation_name is not None and operation.name is None)
        or (operation.name and operation_name not in (None, operation.name.value))
        or len(operation.selection_set.selections) != 1
    ):
        return None
    variables: dict[str, str] = {}
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None or not isinstance(
            definition.type, NamedTypeNode
        ):
            return None
        variables[definition.variable.name.value] = definition.type.name.value
    root = operation.selection_set.selections[0]
    if (
        not isinstance(root, FieldNode)
        or root.name.value != "courses"
        or root.directives
        or root.selection_set is None
    ):
        return None
    arguments = []
    used: set[str] = set()
    for argument in root.arguments or ():
        name = argument.name.value
        if name not in _ARGUMENTS:
            return None
        value = argument.value
        if isinstance(value, VariableNode):
            if variables.get(value.name.value) != _ARGUMENTS[name]:
                return None
            used.add(value.name.value)
        arguments.append((name, value))
    if used != set(variables):
        return None  # an unused variable is an error the general path reports
    try:
        page = _page(schema, root.selection_set)
    except _NotFast:
        return None
    key = root.alias.value if root.alias else "courses"
    return Plan(key, tuple(arguments), page)


def _size(selections: tuple) -> int:
    """The cost of selections as the cost rule counts it (limits.py)."""
    return sum(1 + (_size(sub) if sub else 0) for _, _, sub in selections)


def _within_limits(plan: Plan, first: ValueNode, context: Context) -> bool:
    """The general path's depth and cost limits would let this document through
    (the shape is at most 5 deep: courses.edges.node.provider.name)."""
    limits = context.settings.limits
    if isinstance(first, IntValueNode):
        multiplier = max(0, min(int(first.value), limits.max_first))
    elif isinstance(first, VariableNode):
        multiplier = limits.max_first
    else:
        multiplier = DEFAULT_PAGE
    return (
        limits.max_depth >= 5 and 1 + multiplier * _size(plan.page) <= limits.max_cost
    )


def _order(value: ValueNode) -> CourseOrder | None:
    if isinstance(value, NullValueNode):
        return None
    if not isinstance(value, ObjectValueNode):
        raise _NotFast
    fields = {f.name.value: f.value for f in value.fields}
    field, direction = fields.pop("field", None), fields.pop("direction", None)
    if fields or not isinstance(field, EnumValueNode):
        raise _NotFast
    if direction is not None and not isinstance(direction, EnumValueNode):
        raise _NotFast
    try:
        return CourseOrder(
            field=CourseOrderField[field.value],
            direction=OrderDirection[direction.value] if direction else None,
        )
    except KeyError:
        raise _NotFast from None


def _argument(value: ValueNode, variables: dict[str, Any]) -> Any:
    if isinstance(value, VariableNode):
        return variables.get(value.name.value)
    if isinstance(value, NullValueNode):
        return None
    if isinstance(value, IntValueNode):
        return int(value.value)
    if isinstance(value, StringValueNode):
        return value.value
    raise _NotFast


def _serializer(graphql_type: Any) -> Callable[[Any], Any]:
    """How a value of this type is written, as graphql-core writes it."""
    if isinstance(graphql_type, GraphQLNonNull):
        return _serializer(graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        inner = _serializer(graphql_type.of_type)
        return lambda value: None if value is None else [inner(v) for v in value]
    leaf = graphql_type.serialize
    return lambda value: None if value is None else leaf(value)


_TYPES: dict[str, type[RowNode]] = {
    "Course": Course,
    "Provider": Provider,
    "Offering": Offering,
}
# One step of writing an object: ("id", key) | ("relation", key, name, sub)
# | ("leaf", key, column, conversion, serializer).
Step = tuple[Any, ...]


@lru_cache(maxsize=256)
def _steps(schema: strawberry.Schema, type_name: str, selections: tuple) -> tuple:
    """How to write these selections of a type straight from its row: the
    value `from_row` would give the field (its column, converted), serialised.
    Building every field of every object to read two of them was a tenth of
    a page's time."""
    cls = _TYPES[type_name]
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    python_names = {
        schema.config.name_converter.get_graphql_name(f): f.python_name
        for f in definition.fields
        if f.base_resolver is None
    }
    columns = {name: (column, convert) for name, column, convert in row_plan(cls)}
    fields = schema._schema.get_type(type_name).fields  # type: ignore[union-attr]
    steps: list[Step] = []
    for key, name, sub in selections:
        if name == "id":
            steps.append(("id", key))
        elif sub is not None:
            steps.append(("relation", key, name, sub))
        else:
            column, convert = columns[python_names[name]]
            steps.append(("leaf", key, column, convert, _serializer(fields[name].type)))
    return tuple(steps)


def _object(
    schema: strawberry.Schema,
    type_name: str,
    row: dict[str, Any],
    selections: tuple,
    relation: Callable[[str, dict[str, Any], tuple], Any] | None,
) -> dict:
    out: dict[str, Any] = {}
    for step in _steps(schema, type_name, selections):
        kind, key = step[0], step[1]
        if kind == "leaf":
            value = row[step[2]]
            out[key] = step[4](step[3](value) if step[3] else value)
        elif kind == "id":
            out[key] = str(relay.GlobalID(type_name, str(row["id"])))
        else:
            assert relation is not None
            out[key] = relation(step[2], row, step[3])
    return out


async def answer(
    schema: strawberry.Schema,
    context: Context,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> dict[str, Any] | None:
    """The response of a fast-shape document, or None for the general path."""
    limits = context.settings.limits
    plan = plan_for(schema._schema, query, operation_name, limits.max_tokens)
    if plan is None:
        return None
    variables = variables or {}
    try:
        arguments = {name: value for name, value in plan.arguments}
        first_node = arguments.get("first", NullValueNode())
        if not _within_limits(plan, first_node, context):
            return None
        first = _argument(first_node, variables)
        after = _argument(arguments.get("after", NullValueNode()), variables)
        order = _order(arguments.get("orderBy", NullValueNode()))
        if not isinstance(first, int | None) or isinstance(first, bool):
            return None
        if not isinstance(after, str | None):
            return None
        keys, tag = sort_keys(order, searching=False)
        queryset, _ = filter_courses(None)
        page = await keyset_page(
            queryset,
            keys,
            first=validate_first(first, limits.max_first),
            after=after,
            fields=_course_columns(schema, plan),
            tag=tag,
        )
    except (_NotFast, ApiError):
        return None  # the general path answers, with its error
    return await _write(schema, context, plan, page)


async def _write(
    schema: strawberry.Schema, context: Context, plan: Plan, page: Any
) -> dict:
    node_selection = next(
        (sub for _, name, sub in _edge_items(plan) if name == "node"), ()
    )
    wanted = {name for _, name, _ in node_selection}
    if "provider" in wanted:
        await context.loader(ProviderById).load_many(
            list({r["provider_id"] for r in page.rows})
        )
    if "offerings" in wanted:
        await context.loader(OfferingsByCourse).load_many([r["id"] for r in page.rows])
    today = date.today()

    def relation(name: str, course: dict[str, Any], sub: tuple) -> Any:
        if name == "provider":
            row = (
                context.loader(ProviderById)
                .cache_map.get(course["provider_id"])
                .result()
            )
            return _object(schema, "Provider", row, sub, None)
        rows = context.loader(OfferingsByCourse).cache_map.get(course["id"]).result()
        return [
            _object(schema, "Offering", o, sub, None)
            for o in next_first(rows, today, _row_dates)
        ]

    connection: dict[str, Any] = {}
    for key, name, sub in plan.page:
        if name == "edges":
            edges = []
            for row, cursor in zip(page.rows, page.cursors, strict=True):
                edge: dict[str, Any] = {}
                for item_key, item, item_sub in sub:
                    if item == "cursor":
                        edge[item_key] = cursor
                    else:
                        edge[item_key] = _object(
                            schema, "Course", row, item_sub, relation
                        )
                edges.append(edge)
            connection[key] = edges
        else:
            info = {
                "hasNextPage": page.has_next_page,
                "hasPreviousPage": page.has_previous_page,
                "startCursor": page.cursors[0] if page.cursors else None,
                "endCursor": page.cursors[-1] if page.cursors else None,
            }
            connection[key] = {k: info[n] for k, n, _ in sub}
    return {"data": {plan.root_key: connection}}


@lru_cache(maxsize=256)
def _course_columns(schema: strawberry.Schema, plan: Plan) -> tuple[str, ...]:
    """The course columns this plan writes (and the keys its relations and
    cursors need): fetching all of them for a page of titles cost a tenth
    of the request in transfer and row building."""
    node = next((sub for _, name, sub in _edge_items(plan) if name == "node"), ())
    wanted = {"id", "provider_id"}
    for step in _steps(schema, "Course", node):
        if step[0] == "leaf":
            wanted.add(step[2])
    return tuple(c for c in COURSE_FIELDS if c in wanted)


def _row_dates(row: dict[str, Any]) -> tuple[date | None, date | None]:
    return row["start"], row["end"]


def _edge_items(plan: Plan) -> tuple:
    for _, name, sub in plan.page:
        if name == "edges":
            return sub
    return ()
