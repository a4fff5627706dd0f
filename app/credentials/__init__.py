"""Learner credentials: detect, verify, map into the graph, and export a signed CLR.

Formats: Open Badges 2.0 (hosted, signed, baked), Open Badges 3.0 / W3C VC with
Data Integrity proofs, VC-JWT, and CLR 2.0. `verify.verify_document` is the entry
point; it never raises for a bad credential, only for something that is not one
(`errors.NotACredential`).
"""
