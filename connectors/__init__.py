"""Provider connectors: fetch and parse each provider's wire format.

Nothing here imports `app`: a connector yields the plain records of
`connectors.records`, and the app's ingestion turns them into rows.
"""
