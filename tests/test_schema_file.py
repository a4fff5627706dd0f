"""schema.graphql is the printed schema, kept identical to the code."""

from app.graphql.sdl import schema_sdl
from tests.conftest import ROOT


def test_schema_graphql_is_current() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == schema_sdl(), (
        "schema.graphql is stale: refresh it with "
        "`.venv/bin/credgraph export-schema --output schema.graphql` and commit it"
    )
