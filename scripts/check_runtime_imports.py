"""Import every module of kotae's runtime: run by the default install's Python (no extras),
it fails when something the product imports is missing from pyproject's default dependencies.

Issue 25: `index/lexical.py` imported scipy, which only the `dev` extra installs; CI installed
`dev`, so it stayed green while the README's first command never answered. The runtime is every
module of the one installed package, `kotae` (ingest/, index/, service/ and eval/ are installed
as kotae.ingest, …, through links in kotae/); the fitting scripts and studies live in `lab/`,
which is not the product. The optional backends
(sentence-transformers, Milvus) import their extras inside functions, so importing their modules
needs nothing extra; using them does, and says so.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kotae",)


def package_modules(package: str) -> list[str]:
    """Every module of ``package`` (and its subpackages), by name."""
    found = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
        found.append(info.name)
    return found


def main() -> int:
    sys.path.insert(0, str(ROOT))
    modules = [m for p in PACKAGES for m in package_modules(p)]
    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as e:  # report every module that fails, not only the first
            failed.append(f"{name}: {type(e).__name__}: {e}")
    if failed:
        print("runtime modules that do not import in this environment:", file=sys.stderr)
        print("\n".join(f"  {f}" for f in failed), file=sys.stderr)
        print(
            "Fix: add the missing package to [project].dependencies in pyproject.toml, or "
            "import it inside the function of the optional feature that needs it.",
            file=sys.stderr,
        )
        return 1
    print(f"{len(modules)} runtime modules import with the default dependencies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
