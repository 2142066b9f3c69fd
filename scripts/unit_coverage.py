#!/usr/bin/env python3
"""Print, per plan, the share of written unit names the catalogues resolve (issue 13).

Builds the given plan files (default: three groups of plans of districts that are not shipped:
tests/fixtures/unseen/*.txt, the real pages of tests/fixtures/real/*.txt, and the held-out real
pages ho-*.txt, which are only scored, never tuned on) into a temporary database exactly as
`whodoes add` would (no metadata: the jurisdiction is inferred from the text), with
data/units.toml and data/bodies.toml, and prints whodoes.build.units.coverage's table: per plan the
document id, resolved/total distinct written names and the share, then the overall figure and
the plans under 95 %.  Or, with --db, reports on an existing database.

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
from whodoes.build.units.coverage import overall, plan_coverage, report  # noqa: E402


def default_groups() -> dict[str, list[Path]]:
    real = sorted((ROOT / "tests" / "fixtures" / "real").glob("*.txt"))
    return {
        "unseen": sorted((ROOT / "tests" / "fixtures" / "unseen").glob("*.txt")),
        "real": [p for p in real if not p.name.startswith("ho-")],
        "held-out (scored only)": [p for p in real if p.name.startswith("ho-")],
    }


def build_plans(plans: list[Path], folder: Path) -> Path:
    sources = folder / "sources"
    sources.mkdir()
    for p in plans:
        shutil.copy(p, sources / p.name)
    out = folder / "plans.sqlite"
    build(sources, out, ROOT / "data" / "units.toml")
    return out


def measure(plans: list[Path], title: str) -> list:
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(build_plans(plans, Path(tmp)))
        found = plan_coverage(conn)
        conn.close()
    print(f"== {title}\n{report(found, title)}\n")
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("plans", nargs="*", type=Path, help="plan files (default: the unseen, real and held-out fixtures)")
    ap.add_argument("--db", type=Path, help="report on this database instead of building one")
    args = ap.parse_args()
    if args.db:
        conn = sqlite3.connect(args.db)
        print(report(plan_coverage(conn), str(args.db)))
        conn.close()
        return 0
    groups = {"plans": args.plans} if args.plans else default_groups()
    found = [p for title, plans in groups.items() if plans for p in measure(plans, title)]
    if len(groups) > 1:
        print(overall(found, "all groups"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
