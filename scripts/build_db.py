#!/usr/bin/env python3
"""Build data/plans.sqlite from data/sources/ (the same as `whodoes build`).

    python scripts/build_db.py [--sources DIR] [--out PATH] [--units FILE] [--jobs N] [--no-cache]

Documents are parsed by --jobs worker processes (default: one per core) and kept in a
parse cache beside the database (.plans.sqlite.parse-cache): a document whose bytes,
metadata, curated data and reader are unchanged is not parsed again (--no-cache: parse all,
keep nothing).

Exit codes: 0 built, 2 the build failed (one line naming the file; the previous
database is left in place), 130 interrupted (Ctrl-C; the previous database is
unchanged).  No traceback (WHODOES_DEBUG=1 shows one for an unexpected error).
Sources may be UTF-8 (with or without BOM), UTF-16 or GB18030/GBK; an empty or
undecodable source fails the build, a source with no task rows is a warning.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout without installing

try:
    from whodoes.build.pipeline import BuildError, build, unchanged  # noqa: E402
except ImportError as _e:  # run with a Python that lacks the build dependencies
    sys.stderr.write(
        f"whodoes build: cannot build: {_e}; run it with the environment whodoes is installed in "
        "(pip install -e .), e.g. .venv/bin/python scripts/build_db.py\n"
    )
    sys.exit(2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=Path, default=ROOT / "data" / "sources")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "plans.sqlite")
    ap.add_argument("--units", type=Path, default=None, help="curated units file (default: data/units.toml)")
    ap.add_argument("--jobs", "-j", type=int, default=None, help="worker processes that parse (default: one per core)")
    ap.add_argument("--no-cache", action="store_true", help="parse every document; no parse cache")
    args = ap.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        ap.error("--jobs must be 1 or more")
    try:
        report = build(args.sources, args.out, args.units, jobs=args.jobs, cache=not args.no_cache)
    except BuildError as e:
        print(f"whodoes build: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"whodoes build: interrupted; {unchanged(args.out)}", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - a bug: one line, unless WHODOES_DEBUG asks for the traceback
        if os.environ.get("WHODOES_DEBUG"):
            raise
        text = " ".join(str(e).split())[:200]
        print(
            f"whodoes build: internal error: {type(e).__name__}: {text}; {unchanged(args.out)} "
            "(WHODOES_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 2
    for d in report.documents:
        print(f"{d.id}: {d.rows} task rows ({d.encoding}{', traditional' if d.traditional else ''})")
    for n in report.notes:
        print(f"note: {n}", file=sys.stderr)
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(
        f"{report.rows} task rows, {report.units} units from {len(report.documents)} documents "
        f"in {report.seconds:.2f} s -> {report.out} ({report.parsed} parsed, "
        f"{len(report.documents) - report.parsed} from the parse cache)"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # outside the build: nothing was written
        sys.exit(130)
