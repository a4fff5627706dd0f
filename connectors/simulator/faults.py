"""Switchable faults: what can go wrong, when, and how often it did.

A fault is written `kind[:key=value]...`; several are joined with commas:

    error500:p=0.1                 500 on 10% of requests
    rate429:every=3:retry_after=1  429 with Retry-After: 1 on every 3rd request
    slow:delay=2:times=1           one response held 2 s (a timeout if the
                                   client waits less)
    html200:page=2:times=2         the first two requests for page 2 get an
                                   HTML error page with status 200
    truncate:p=0.05                a 200 whose JSON body is cut in half
    reset:every=10                 the connection is dropped without a reply
    malformed:every=100            every 100th record is broken (title, ncCode)
    duplicate:p=0.01               1% of records appear twice on their page

Triggers: `p` (probability, drawn from an RNG seeded by the simulator seed and
the fault's position, so a run is reproducible), `every` (the Nth, 2Nth…
matching request or record), neither (always); narrowed by `page`,
`provider` and `times` (at most that many). Request faults count each firing
in `FaultPlan.fired`, so tests can assert that retries really happened.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from connectors.simulator.data import unit

REQUEST_KINDS = frozenset(
    {"error500", "rate429", "slow", "html200", "truncate", "reset"}
)
RECORD_KINDS = frozenset({"malformed", "duplicate"})
_INT_KEYS = {"every", "page", "times", "retry_after"}
_FLOAT_KEYS = {"p", "delay"}


class FaultSyntaxError(ValueError):
    pass


@dataclass
class Fault:
    kind: str
    p: float | None = None
    every: int | None = None
    page: int | None = None
    provider: str | None = None
    times: int | None = None
    delay: float = 1.0
    retry_after: int = 1
    matched: int = 0  # requests or records this fault was considered for
    fired: int = 0

    def __str__(self) -> str:
        parts = [self.kind]
        for key in ("p", "every", "page", "provider", "times"):
            value = getattr(self, key)
            if value is not None:
                parts.append(f"{key}={value}")
        if self.kind == "slow":
            parts.append(f"delay={self.delay}")
        if self.kind == "rate429":
            parts.append(f"retry_after={self.retry_after}")
        return ":".join(parts)


def parse_faults(text: str | None) -> list[Fault]:
    """`error500:p=0.1,rate429:every=3` -> faults; bad specs raise FaultSyntaxError."""
    faults = []
    for spec in (text or "").split(","):
        spec = spec.strip()
        if not spec:
            continue
        kind, *params = spec.split(":")
        if kind not in REQUEST_KINDS | RECORD_KINDS:
            known = ", ".join(sorted(REQUEST_KINDS | RECORD_KINDS))
            raise FaultSyntaxError(f"unknown fault {kind!r} (known: {known})")
        fault = Fault(kind)
        for param in params:
            key, sep, value = param.partition("=")
            try:
                if not sep:
                    raise ValueError
                if key in _INT_KEYS:
                    setattr(fault, key, int(value))
                elif key in _FLOAT_KEYS:
                    setattr(fault, key, float(value))
                elif key == "provider":
                    fault.provider = value
                else:
                    raise FaultSyntaxError(f"{spec!r}: unknown parameter {key!r}")
            except ValueError as exc:
                if isinstance(exc, FaultSyntaxError):
                    raise
                raise FaultSyntaxError(f"{spec!r}: bad parameter {param!r}") from exc
        faults.append(fault)
    return faults


@dataclass
class FaultPlan:
    """The faults in force, deterministic given `seed` and the order of requests."""

    faults: list[Fault] = field(default_factory=list)
    seed: int = 0
    fired: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._rngs = [
            random.Random(f"{self.seed}:{i}") for i in range(len(self.faults))
        ]

    @classmethod
    def parse(cls, text: str | None, seed: int = 0) -> FaultPlan:
        return cls(parse_faults(text), seed)

    def describe(self) -> str:
        return ",".join(str(f) for f in self.faults)

    def request_fault(self, provider: str, page: int | None) -> Fault | None:
        """The fault (if any) that hits this request; the first that fires wins."""
        for fault, rng in zip(self.faults, self._rngs, strict=True):
            if fault.kind not in REQUEST_KINDS or not _scoped(fault, provider, page):
                continue
            fault.matched += 1
            if fault.p is not None:
                hit = rng.random() < fault.p
            elif fault.every is not None:
                hit = fault.matched % fault.every == 0
            else:
                hit = True
            if hit:
                fault.fired += 1
                self.fired[fault.kind] += 1
                return fault
        return None

    def record_faults(self, provider: str, index: int, page: int | None) -> set[str]:
        """The record faults that hit record `index` (decided by index, not order).

        Deciding by index keeps pre-rendered pages valid however the pages
        are requested; `times` and `fired` are not used for record faults.
        """
        kinds = set()
        for position, fault in enumerate(self.faults):
            if fault.kind not in RECORD_KINDS or not _scoped(fault, provider, page):
                continue
            if fault.p is not None:
                hit = unit(self.seed, "record", position, index) < fault.p
            elif fault.every is not None:
                hit = (index + 1) % fault.every == 0
            else:
                hit = True
            if hit:
                kinds.add(fault.kind)
        return kinds

    @property
    def has_record_faults(self) -> bool:
        return any(f.kind in RECORD_KINDS for f in self.faults)

    def counts(self) -> dict[str, object]:
        return {
            "fired": dict(self.fired),
            "faults": [
                {"spec": str(f), "matched": f.matched, "fired": f.fired}
                for f in self.faults
            ],
        }


def _scoped(fault: Fault, provider: str, page: int | None) -> bool:
    if fault.provider is not None and fault.provider != provider:
        return False
    if fault.page is not None and fault.page != page:
        return False
    return fault.times is None or fault.fired < fault.times
