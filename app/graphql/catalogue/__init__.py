"""The public catalogue: providers, courses, offerings."""
