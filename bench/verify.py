"""Credential verification throughput, and the time to import 1,000 credentials.

    .venv/bin/python bench/verify.py [--count 300] [--imports 1000]

Verifies OB 3.0 credentials signed with eddsa-rdfc-2022 (did:key issuers, so no
network) in one warmed process, then imports credentials into a fresh SQLite
database the way `credgraph import` does. Prints the figures; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from app.credentials import dataintegrity  # noqa: E402
from app.credentials.fetch import Response  # noqa: E402
from app.credentials.signing import Signer, signer_for  # noqa: E402


class NoNetwork:
    async def get(self, url: str) -> Response:
        raise AssertionError(f"the benchmark must not fetch {url}")


def credential(signer: Signer, i: int) -> dict:
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": signer.issuer_id,
            "type": ["Profile"],
            "name": "Bench University",
        },
        "validFrom": "2024-01-15T00:00:00Z",
        "name": f"Course {i}",
        "credentialSubject": {
            "id": f"did:example:learner{i}",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"https://bench.example/achievements/{i}",
                "type": ["Achievement"],
                "name": f"Course {i}",
                "description": "A benchmark course",
                "criteria": {"narrative": "Passed the exam"},
                "creditsAvailable": 4,
            },
        },
    }
    return dataintegrity.sign(
        document,
        signer.private_key,
        signer.verification_method,
        created=datetime(2024, 1, 15, tzinfo=UTC),
    )


async def bench_verify(count: int) -> tuple[float, float]:
    from app.credentials.verify import verify_document

    signer = signer_for(Ed25519PrivateKey.generate())
    documents = [credential(signer, i) for i in range(count + 20)]
    fetcher = NoNetwork()
    for document in documents[:20]:  # warm: pyld caches processed contexts
        await verify_document(document, fetcher=fetcher)
    start, cpu = time.perf_counter(), time.process_time()
    for document in documents[20:]:
        report = await verify_document(document, fetcher=fetcher)
        assert report.verdict.value == "valid", report.to_dict()
    # CPU time too: on a shared machine wall time says more about the neighbours
    cpu_ms = (time.process_time() - cpu) / count * 1000
    return count / (time.perf_counter() - start), cpu_ms


async def bench_import(count: int) -> float:
    from app.credentials.store import import_credential
    from app.db.connection import open_database
    from app.db.migrate import apply_migrations
    from app.db.models.learners import Credential, Learner

    signer = signer_for(Ed25519PrivateKey.generate())
    documents = [credential(signer, i) for i in range(count)]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{tmp}/bench.db"
        await apply_migrations(url)
        async with open_database(url):
            learner = await Learner.create(apaar_id="123456789012")
            start = time.perf_counter()
            for document in documents:
                await import_credential(learner, document, fetcher=NoNetwork())
            elapsed = time.perf_counter() - start
            assert await Credential.all().count() == count
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="credentials to verify")
    parser.add_argument(
        "--imports", type=int, default=1000, help="credentials to import"
    )
    args = parser.parse_args()
    rate, cpu_ms = asyncio.run(bench_verify(args.count))
    print(
        f"verify: {rate:.0f} OB 3.0 eddsa-rdfc-2022 verifications/s "
        f"({cpu_ms:.1f} ms CPU each; {args.count} credentials, one warmed process; "
        "target >= 100/s)"
    )
    if args.imports:
        seconds = asyncio.run(bench_import(args.imports))
        print(
            f"import: {args.imports} credentials in {seconds:.1f} s "
            f"({args.imports / seconds:.0f}/s, SQLite file, verify + match + store)"
        )


if __name__ == "__main__":
    main()
