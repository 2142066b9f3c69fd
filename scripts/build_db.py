#!/usr/bin/env python3
"""Build data/plans.sqlite from data/sources/ (the same as `whodoes build`).

    python scripts/build_db.py [--sources DIR] [--out PATH] [--units FILE]

Exit codes: 0 built, 2 the build failed (the previous database is left in place).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout without installing

from whodoes.build import BuildError, build  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=Path, default=ROOT / "data" / "sources")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "plans.sqlite")
    ap.add_argument("--units", type=Path, default=None, help="curated units file (default: data/units.toml)")
    args = ap.parse_args(argv)
    try:
        report = build(args.sources, args.out, args.units)
    except BuildError as e:
        print(f"whodoes build: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("whodoes build: interrupted; the previous database is unchanged", file=sys.stderr)
        return 130
    for d in report.documents:
        print(f"{d.id}: {d.rows} task rows ({d.encoding}{', traditional' if d.traditional else ''})")
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"{report.rows} task rows, {report.units} units from {len(report.documents)} documents "
          f"in {report.seconds:.2f} s -> {report.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
