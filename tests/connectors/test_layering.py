"""`connectors/` never imports `app/` (DESIGN.md layout): checked, not hoped."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import connectors
from tests.connectors.conftest import ROOT


def test_no_connector_module_imports_the_app() -> None:
    modules = [
        info.name for info in pkgutil.walk_packages(connectors.__path__, "connectors.")
    ]
    assert "connectors.swayam" in modules and "connectors.simulator.swayam" in modules
    # A fresh interpreter: this test process has imported app already.
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] == 'app')\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ""
