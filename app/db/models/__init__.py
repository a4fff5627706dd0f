"""Tortoise models of the learner graph, one module per domain."""
