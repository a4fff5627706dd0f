"""The printed schema, exactly as committed in schema.graphql."""

from strawberry.printer import print_schema

from app.graphql.schema import get_schema


def schema_sdl() -> str:
    return print_schema(get_schema()) + "\n"
