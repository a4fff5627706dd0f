"""The connectors' compact digest set answers like a Python set of ints."""

from __future__ import annotations

import random

from connectors.digests import BUCKETS, DigestSet


def test_digest_set_agrees_with_a_set_across_signs_buckets_and_repeats() -> None:
    rng = random.Random(7)
    values = [rng.getrandbits(64) - 2**63 for _ in range(20_000)]
    # repeats, extremes, and digests that share a bucket (same low bits)
    values += values[:500] + [-(2**63), 2**63 - 1, 0, -1]
    values += [BUCKETS * k + 5 for k in range(-50, 50)]
    digests, expected = DigestSet(), set()
    for value in values:
        assert digests.add(value) == (value not in expected)
        expected.add(value)
    assert len(digests) == len(expected)
    assert all(value in digests for value in expected)
    absent = [rng.getrandbits(64) - 2**63 for _ in range(2_000)]
    assert not any(v in digests for v in absent if v not in expected)
