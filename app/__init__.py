"""credgraph: a GraphQL credential aggregator for stackable micro-credentials."""
