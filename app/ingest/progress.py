"""Progress of a run: a bar on a terminal, a log line now and then otherwise.

Logs and CI capture stderr; a bar there would be carriage-return noise, so
without a TTY the run reports every few seconds as plain lines instead.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Protocol

from app.ingest.tally import Tally

log = logging.getLogger("app.ingest")


class Progress(Protocol):
    def page(self, number: int, total: int | None, tally: Tally) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    def page(self, number: int, total: int | None, tally: Tally) -> None:
        pass

    def close(self) -> None:
        pass


class LogProgress:
    def __init__(self, source: str, every_s: float = 5.0) -> None:
        self.source = source
        self.every_s = every_s
        self._last = time.monotonic()

    def page(self, number: int, total: int | None, tally: Tally) -> None:
        now = time.monotonic()
        if now - self._last < self.every_s:
            return
        self._last = now
        of = f"/{total}" if total else ""
        log.info(
            "sync %s: page %d, %d%s records (%d new, %d updated, %d unchanged)",
            self.source,
            number,
            tally.seen,
            of,
            tally.created,
            tally.updated,
            tally.unchanged,
        )

    def close(self) -> None:
        pass


class BarProgress:
    def __init__(self, source: str) -> None:
        from tqdm import tqdm

        self._bar: Any = tqdm(desc=f"sync {source}", unit=" rec", file=sys.stderr)

    def page(self, number: int, total: int | None, tally: Tally) -> None:
        if total and self._bar.total != total:
            self._bar.total = total
        self._bar.update(tally.seen - self._bar.n)
        self._bar.set_postfix(
            page=number, new=tally.created, upd=tally.updated, refresh=False
        )

    def close(self) -> None:
        self._bar.close()


def for_terminal(source: str, quiet: bool = False) -> Progress:
    if quiet:
        return NoProgress()
    if sys.stderr.isatty():
        return BarProgress(source)
    return LogProgress(source)
