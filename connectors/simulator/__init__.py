"""A loopback provider simulator: every provider format, generated or real data, faults.

Tests, the demo and bench/ point connectors at it instead of the internet:

    config = SimConfig(courses=5000, seed=1, faults="error500:p=0.1")
    async with Simulator(config) as sim:
        ...  # sim.url is http://127.0.0.1:<free port>; sim.state.hits counts requests

or from a shell: `credgraph simulate --port 8765 --courses 50000 --faults …`.

Layout: `server.py` holds the shared app (state, `respond()` which applies
request faults and conditional GET, the /_control endpoint), `faults.py` the
fault grammar, `data.py` the deterministic neutral catalogue, and one module
per provider format.

Adding a format (edx.py, coursera.py, ctdl.py, nptel.py…): create
`connectors/simulator/<name>.py` with

    PROVIDER = "edx"

    def register(app: web.Application, state: SimState) -> None:
        app.router.add_get("/api/v1/courses/", handler)

Render data from `data.course(i, state.config.seed)` (skip or alter records
per `data.fate(...)` for `state.generation`; apply
`state.plan.record_faults(PROVIDER, i, page)`), and answer every data request
through `server.respond(request, provider=PROVIDER, page=n, body=lambda: ...,
etag=...)` so faults, hit counts and 304s come for free. Drop caches in a
`state.on_change(...)` callback. Modules are discovered by name: no list to edit.
"""

from connectors.simulator.server import SimConfig, SimState, Simulator

__all__ = ["SimConfig", "SimState", "Simulator"]
