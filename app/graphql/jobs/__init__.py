"""Connector jobs over GraphQL: start a sync (queued for a worker), read runs."""
