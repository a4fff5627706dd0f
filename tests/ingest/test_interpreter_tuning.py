"""A sync tunes the interpreter for itself (collector spacing, GIL switch
interval) and gives the process its own settings back, also when runs in
one process overlap (a job worker) or one fails."""

from __future__ import annotations

import gc
import sys

import pytest

from app.ingest.runner import (
    GC_YOUNG_THRESHOLD,
    SWITCH_INTERVAL_S,
    interpreter_tuned_for_sync,
)


def _tuned() -> bool:
    return gc.get_threshold()[
        0
    ] == GC_YOUNG_THRESHOLD and sys.getswitchinterval() == pytest.approx(
        SWITCH_INTERVAL_S
    )


def test_overlapping_runs_restore_the_settings_once_after_the_last() -> None:
    threshold, interval = gc.get_threshold(), sys.getswitchinterval()
    first = interpreter_tuned_for_sync()
    first.__enter__()
    assert _tuned()
    with pytest.raises(RuntimeError), interpreter_tuned_for_sync():
        first.__exit__(None, None, None)  # the first run ends; the second goes on
        assert _tuned()
        raise RuntimeError("the second run fails")
    assert gc.get_threshold() == threshold
    assert sys.getswitchinterval() == interval
