#!/usr/bin/env python3
"""Print, per plan, the share of written unit names the catalogues resolve (issue 13).

Builds the given plan files (default: tests/fixtures/unseen/*.txt and tests/fixtures/real/*.txt,
plans of districts that are not shipped) into a temporary database exactly as `whodoes add`
would (no metadata: the jurisdiction is inferred from the text), with data/units.toml and
data/bodies.toml, and prints whodoes.build.units.coverage's figures.  Or, with --db, reports on an
existing database.

    .venv/bin/python scripts/unit_coverage.py
    .venv/bin/python scripts/unit_coverage.py plan1.txt plan2.txt
    .venv/bin/python scripts/unit_coverage.py --db data/plans.sqlite
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from whodoes.build.pipeline import build  # noqa: E402
from whodoes.build.units.coverage import plan_coverage, report  # noqa: E402


def default_plans() -> list[Path]:
    plans = []
    for folder in ("unseen", "real"):
        plans += sorted((ROOT / "tests" / "fixtures" / folder).glob("*.txt"))
    return plans


def build_plans(plans: list[Path], folder: Path) -> Path:
    sources = folder / "sources"
    sources.mkdir()
    for p in plans:
        shutil.copy(p, sources / p.name)
    out = folder / "plans.sqlite"
    build(sources, out, ROOT / "data" / "units.toml")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("plans", nargs="*", type=Path, help="plan files (default: the unseen and real fixtures)")
    ap.add_argument("--db", type=Path, help="report on this database instead of building one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or build_plans(args.plans or default_plans(), Path(tmp))
        conn = sqlite3.connect(db)
        print(report(plan_coverage(conn)))
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
