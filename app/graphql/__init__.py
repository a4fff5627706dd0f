"""The GraphQL API: one strawberry Schema, thin types over the domain."""
