"""`credgraph simulate`: the provider simulator on a loopback port, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

from app.cli import UsageError
from connectors.simulator import SimConfig, Simulator
from connectors.simulator.faults import FaultSyntaxError, parse_faults

FAULTS_HELP = (
    "comma-separated faults, each kind[:key=value...]; kinds: error500, rate429, "
    "slow, html200, truncate, reset, malformed, duplicate; keys: p (probability), "
    "every (Nth request or record), page, provider, times, delay (slow, seconds), "
    "retry_after (rate429, seconds). Example: 'error500:p=0.1,rate429:every=5'"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="serve simulated provider catalogues (with faults) on 127.0.0.1",
        description="Serve every simulated provider format from generated data "
        "(or the real SWAYAM sample) on a loopback port, with switchable faults, "
        "for tests, the demo and benchmarks. GET/POST /_control shows and changes "
        "the generation, faults and hit counts while it runs.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="port (default 8765; 0 for any)"
    )
    parser.add_argument(
        "--courses",
        type=int,
        default=1000,
        help="generated courses per provider (default 1000)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of data and faults (default 0)"
    )
    parser.add_argument("--faults", default=None, help=FAULTS_HELP)
    parser.add_argument(
        "--generation",
        type=int,
        default=0,
        help="data generation: each one changes and drops some records (default 0)",
    )
    parser.add_argument(
        "--swayam-sample",
        type=Path,
        default=None,
        metavar="PATH",
        help="serve this SWAYAM courseList JSON ({edges:[...]}) instead of "
        "generated SWAYAM courses",
    )
    parser.add_argument(
        "--samples",
        type=Path,
        default=None,
        metavar="DIR",
        help="the shared samples folder (../shared/samples): formats with real "
        "payloads (edX, Coursera, CTDL) serve those instead of generated data",
    )
    parser.set_defaults(func=handle)


def _config(args: argparse.Namespace) -> SimConfig:
    if args.courses < 0:
        raise UsageError("--courses must be 0 or more")
    try:
        parse_faults(args.faults)
    except FaultSyntaxError as exc:
        raise UsageError(f"--faults: {exc}") from exc
    if args.swayam_sample is not None and not args.swayam_sample.is_file():
        raise UsageError(f"--swayam-sample: no such file {args.swayam_sample}")
    if args.samples is not None and not args.samples.is_dir():
        raise UsageError(f"--samples: no such folder {args.samples}")
    return SimConfig(
        courses=args.courses,
        seed=args.seed,
        faults=args.faults,
        swayam_sample=args.swayam_sample,
        samples=args.samples,
        generation=args.generation,
    )


async def _serve(config: SimConfig, host: str, port: int) -> None:
    sim = Simulator(config)
    try:
        url = await sim.start(host, port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc}") from exc
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    faults = sim.state.plan.describe() or "none"
    # flush: a parent process (bench, demo) waits for this line to know the URL.
    print(f"simulator listening on {url} (faults: {faults})", flush=True)
    try:
        await stop.wait()
    finally:
        await sim.stop()


def handle(args: argparse.Namespace) -> int:
    config = _config(args)
    asyncio.run(_serve(config, args.host, args.port))
    return 0
