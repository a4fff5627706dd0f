"""Mutations of the learner graph, one per module; `LearnerMutation` gathers them."""
