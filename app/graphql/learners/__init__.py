"""The private learner graph: profile, credentials, ledger, balance, awards,
eligibility and plans, and the mutations that change them."""
