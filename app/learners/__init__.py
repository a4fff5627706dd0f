"""Database-side learner services: records for the credit engine, redemption,
the access log, export and erasure. No GraphQL here."""
