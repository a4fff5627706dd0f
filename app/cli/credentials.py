"""`credgraph verify | import | export-clr | keygen`: learner credentials in and out."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from app.cli import EXIT_USAGE, UsageError
from app.credentials.errors import (
    CredentialError,
    NotACredential,
)
from app.credentials.fetch import default_fetcher
from app.credentials.report import Verdict
from app.credentials.sources import read_source

EXIT_FOR_VERDICT = {Verdict.VALID: 0, Verdict.INVALID: 1, Verdict.INDETERMINATE: 3}


def register(subparsers: argparse._SubParsersAction) -> None:
    verify = subparsers.add_parser(
        "verify",
        help="verify a credential file or URL and print a JSON report",
        description="Verify an Open Badge (2.0 hosted/signed/baked, 3.0), a W3C "
        "verifiable credential (Data Integrity or VC-JWT) or a CLR 2.0. Exit 0 valid, "
        "1 invalid, 3 indeterminate (something could not be checked), 2 not a "
        "credential.",
    )
    verify.add_argument(
        "source", metavar="FILE|URL", help="a file (JSON, JWT, PNG, SVG) or http(s) URL"
    )
    verify.add_argument(
        "--eu",
        action="store_true",
        help="add the EU micro-credential view (Council Recommendation Annex I)",
    )
    verify.set_defaults(func=_verify)

    imp = subparsers.add_parser(
        "import",
        help="verify credentials and store them for a learner",
        description="Verify each credential and store it as the learner's; the same "
        "credential imported twice is one record. Prints one JSON report per input. "
        "Exit 0 when all were stored, 1 when any was invalid or could not be "
        "imported, 2 when any input was not a credential or for bad usage (the "
        "others are still stored).",
    )
    imp.add_argument(
        "--learner",
        required=True,
        metavar="APAAR",
        help="the learner's 12-digit APAAR ID",
    )
    imp.add_argument("sources", nargs="+", metavar="FILE|URL")
    imp.set_defaults(func=_import)

    export = subparsers.add_parser(
        "export-clr",
        help="print the learner's record as a signed CLR 2.0 credential",
        description="Build a CLR 2.0 ClrCredential of the learner's valid credentials "
        "and awards, signed with the platform key (eddsa-rdfc-2022).",
    )
    export.add_argument("--learner", required=True, metavar="APAAR")
    export.add_argument(
        "--output", "-o", type=Path, help="write here instead of stdout"
    )
    export.set_defaults(func=_export)

    keygen = subparsers.add_parser(
        "keygen",
        help="write the platform's Ed25519 signing key",
        description="Create the Ed25519 key that signs exported records, at "
        "CREDGRAPH_SIGNING_KEY (default ./data/signing-key.pem); prints its did:key.",
    )
    keygen.add_argument("--force", action="store_true", help="replace an existing key")
    keygen.set_defaults(func=_keygen)


def _verify(args: argparse.Namespace) -> int:
    from app.credentials.verify import verify_document

    async def run() -> int:
        async with default_fetcher() as fetcher:
            try:
                data = await read_source(args.source, fetcher)
                report = await verify_document(data, fetcher=fetcher)
            except NotACredential as exc:
                print(f"credgraph verify: not a credential: {exc}", file=sys.stderr)
                return EXIT_USAGE
            except CredentialError as exc:
                raise UsageError(str(exc)) from None
        out = report.to_dict()
        if args.eu:
            from app.credentials.eu import annex_one

            out["eu_annex_i"] = annex_one(report.credential or {})
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return EXIT_FOR_VERDICT[report.verdict]

    return asyncio.run(run())


def _import(args: argparse.Namespace) -> int:
    from app.credentials.store import import_many

    try:
        return asyncio.run(import_many(args.learner, args.sources))
    except CredentialError as exc:
        raise UsageError(str(exc)) from None


def _export(args: argparse.Namespace) -> int:
    from app.credentials.store import export_learner_clr

    try:
        record = asyncio.run(export_learner_clr(args.learner))
    except CredentialError as exc:
        raise UsageError(str(exc)) from None
    text = json.dumps(record, indent=2, ensure_ascii=False)
    if args.output:
        args.output.write_text(text + "\n")
    else:
        print(text)
    return 0


def _keygen(args: argparse.Namespace) -> int:
    from app.credentials.signing import generate_key
    from app.settings import get_settings

    path = get_settings().signing_key
    if path.exists() and not args.force:
        raise UsageError(f"{path} exists; pass --force to replace it")
    did = generate_key(path)
    print(json.dumps({"key": str(path), "did": did}))
    return 0
