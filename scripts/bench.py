#!/usr/bin/env python3
"""Benchmark whodoes: whole-process query times against the bare interpreter, and builds at scale.

    python scripts/bench.py [--runs 15] [--scale N] [--keep DIR] [--json FILE] [--profile]
    python scripts/bench.py --formats [FILE...]

Run it with the interpreter of the environment whodoes is installed in (.venv/bin/python):
queries run the installed console script found next to it (<venv>/bin/whodoes), in
subprocesses, with WHODOES_DB set; the floor is ``python -c "import sqlite3"``.

1. Queries (always): unit hit, unit miss (suggestions), task with 2 and 4 characters,
   csv output (piped) and table output on a terminal (under a pseudo-terminal).  All
   commands run interleaved round-robin, ``--runs`` rounds after one warm-up round;
   reported: median, p90 and the ratio of the median to the floor's median.
2. ``--scale N``: writes a synthetic corpus N times today's size (scripts/synth.py: the
   real plans plus N-1 varied copies), builds it with scripts/build_db.py in a
   subprocess at two sizes (N/10 and N; the real sources as a baseline), and reports
   MB of source per second, task rows per second, peak memory (that process's
   ru_maxrss), database size; then the same queries on the big database, interleaved
   with those on the shipped one.  The big database holds the shipped plans unchanged,
   so the queries also run scoped to their jurisdictions (``--where``), which returns
   exactly the shipped database's rows: the cost of a bigger database, apart from the
   cost of more results.
   ``--profile`` also runs the largest build under cProfile and prints where time goes.

3. ``--formats [FILE...]`` (alone): the build speed per file format: each file (default:
   the plan of tests/fixtures/formats in every format) is read into the document model,
   cleaned and parsed (what ``whodoes build`` does per document, without the database)
   in this process, repeatedly for at least a second after one warm-up; reported: MB of
   source a second by wall clock and by this process's CPU time (the second does not
   count other processes' load on a shared machine).
4. ``--adversarial`` (instead of the above): builds of adversarial plans (issue 14: 80 KB
   of parentheses, of full-width parentheses, of question marks, of blanks before （牵头）,
   3,000 task clauses on one line) against normal ones (the same 3,000 tasks one per line,
   the real sources): wall time, peak memory, database size and its ratio to the text.

No timing assertions anywhere in the test suite: numbers come from this script.
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import io
import json
import os
import platform
import pty
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
sys.path.insert(0, str(SCRIPTS))
sys.path.insert(0, str(ROOT / "src"))

SHIPPED_DB = ROOT / "data" / "plans.sqlite"
SOURCES = ROOT / "data" / "sources"
TTY_SIZE = (50, 160)  # rows, columns of the pseudo-terminal
MEMORY_GROWTH_LIMIT = 1.25  # peak RSS at the big scale / at the small one
MB = 1e6

# (name, argv after "whodoes", on a terminal, expected exit code, target ratio to the floor on the shipped db)
QUERIES = [
    ("unit hit, csv", ["unit", "城管局", "--format", "csv"], False, 0, 4.0),
    ("unit hit, table (tty)", ["unit", "城管局"], True, 0, 6.0),
    ("unit miss + suggestions", ["unit", "宇宙飞船局", "--format", "csv"], False, 1, None),
    ("task 2 chars, csv", ["task", "海绵", "--format", "csv"], False, 0, None),
    ("task 4 chars, csv", ["task", "海绵城市", "--format", "csv"], False, 0, 4.0),
    ("task 4 chars, table (tty)", ["task", "海绵城市"], True, 0, None),
    # forgiving search (issue 16): a homophone typo, initials, a miss with phrase suggestions
    ("task typo, csv", ["task", "海棉城市", "--format", "csv"], False, 0, None),
    ("task initials, csv", ["task", "hmcs", "--format", "csv"], False, 0, None),
    ("task miss + suggestions", ["task", "haimianchengshu", "--format", "csv"], False, 1, None),
]
# The jurisdictions of the shipped plans: on the scaled database, --where these gives
# exactly the shipped database's rows (the synthetic copies are elsewhere).
SHIPPED_WHERE = "两江新区,武隆区,云阳县,重庆市"
SCALE_TARGET = 1.5  # scaled median / shipped median


# ----------------------------------------------------------------------------------------------
# running one command


@dataclass
class Cmd:
    name: str
    db: str | None  # "shipped" | "scale N" | None for the floor
    argv: list[str]
    tty: bool = False
    expect: int = 0
    target: float | None = None  # ratio to the floor
    env: dict = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    rows: int | None = None
    out_bytes: int = 0
    out_lines: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name if self.db is None else f"{self.name} [{self.db}]"


PYCACHE: Path | None = None  # private bytecode cache of the timed processes (set in main)
_DROP_ENV = (
    "WHODOES_DB",
    "WHODOES_HOME",
    "COLUMNS",
    "LINES",
    "WHODOES_NO_FAST",
    "WHODOES_DEBUG",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPYCACHEPREFIX",
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONTRACEMALLOC",
    "PYTHONDEVMODE",
)


def _env(extra: dict) -> dict:
    """The environment of a timed process: bytecode cached in a private folder (written by the
    warm-up round), so that timings do not depend on stale or missing __pycache__ files of a
    checkout being edited, nor on PYTHONDONTWRITEBYTECODE."""
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
    if PYCACHE is not None:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
        env["WHODOES_HOME"] = str(PYCACHE.parent / "home")  # the builds' parse caches: in the work folder
    env.update(extra)
    return env


def run_piped(argv: list[str], env: dict) -> tuple[float, int, bytes, bytes]:
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL, env=env)
    t1 = time.perf_counter()
    return t1 - t0, p.returncode, p.stdout, p.stderr


def run_tty(argv: list[str], env: dict) -> tuple[float, int, bytes, bytes]:
    """Run with stdin, stdout and stderr on a pseudo-terminal (what a user at a terminal
    sees), the pager being ``head``: a reader who reads the first screen and quits."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", TTY_SIZE[0], TTY_SIZE[1], 0, 0))
    env = dict(env, TERM=env.get("TERM") or "xterm-256color", WHODOES_PAGER=f"head -n {TTY_SIZE[0]}")
    out = bytearray()
    t0 = time.perf_counter()
    try:
        p = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, start_new_session=True
        )
    finally:
        os.close(slave)
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not chunk:
            break
        out += chunk
    rc = p.wait()
    t1 = time.perf_counter()
    os.close(master)
    return t1 - t0, rc, bytes(out), b""


def _count_csv_rows(data: bytes) -> int | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    rows = list(csv.reader(io.StringIO(text)))
    return max(0, len(rows) - 1)


def run_once(cmd: Cmd, record: bool) -> None:
    runner = run_tty if cmd.tty else run_piped
    seconds, rc, out, err = runner(cmd.argv, cmd.env)
    said = (err or out).decode("utf-8", "replace")
    if rc != cmd.expect or "Traceback (most recent call last)" in said:
        msg = said.strip().splitlines()
        cmd.errors.append(f"exit {rc} (expected {cmd.expect}): {msg[-1] if msg else ''}"[:300])
    if not record:
        return
    cmd.times.append(seconds)
    cmd.out_bytes = len(out)
    cmd.out_lines = out.count(b"\n")
    if not cmd.tty and cmd.db is not None and "--format" in cmd.argv and "csv" in cmd.argv:
        cmd.rows = _count_csv_rows(out)
    elif cmd.tty and cmd.db is not None and rc == 0 and not any(c in out.decode("utf-8", "replace") for c in "│┃┏━"):
        cmd.errors.append("no table on the terminal (output does not look like a rich table)")


def time_round_robin(cmds: list[Cmd], runs: int, warmup: int = 1, progress: bool = True) -> None:
    """Every command once per round, the order rotated each round; the first ``warmup`` rounds are not recorded."""
    total = warmup + runs
    for r in range(total):
        shift = r % len(cmds)
        for cmd in cmds[shift:] + cmds[:shift]:
            run_once(cmd, record=r >= warmup)
        if progress:
            print(f"\r  round {r + 1}/{total}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def p90(xs: list[float]) -> float:
    if len(xs) < 2:
        return xs[0] if xs else float("nan")
    return statistics.quantiles(xs, n=10, method="inclusive")[-1]


# ----------------------------------------------------------------------------------------------
# builds


@dataclass
class Build:
    label: str
    scale: int
    sources: str
    db: str
    documents: int = 0
    source_bytes: int = 0
    rows: int = 0
    units: int = 0
    wall_s: float = 0.0
    build_s: float | None = None  # as the build reports it (without interpreter start-up)
    peak_rss_mb: float = 0.0
    db_bytes: int = 0
    returncode: int = 0
    error: str = ""

    @property
    def mb_per_s(self) -> float:
        return self.source_bytes / MB / self.wall_s if self.wall_s else float("nan")

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.wall_s if self.wall_s else float("nan")


def _maxrss_mb(ru) -> float:
    # Linux: kilobytes; macOS: bytes
    return ru.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def run_build(
    label: str,
    scale: int,
    sources: Path,
    out: Path,
    log: Path,
    extra: list[str] | None = None,
    keep_out: bool = False,
    home: Path | None = None,
) -> Build:
    """scripts/build_db.py in a subprocess: wall time and that process's peak RSS (os.wait4:
    the build and its worker processes, the largest of them).  ``extra``: more arguments
    (default ``--jobs 1 --no-cache``: one process, everything parsed).  ``home``: its own
    WHODOES_HOME (so that no build finds the caches of another: the parse cache, and the
    pinyin memo that --no-cache leaves on)."""
    b = Build(label, scale, str(sources), str(out))
    extra = ["--jobs", "1", "--no-cache"] if extra is None else extra
    files = [
        p
        for p in sources.iterdir()
        if p.is_file() and p.suffix.lower() in (".txt", ".md", ".text") and not p.name.startswith(".")
    ]
    b.documents = len(files)
    b.source_bytes = sum(p.stat().st_size for p in files)
    if out.exists() and not keep_out:
        out.unlink()
    argv = [sys.executable, str(SCRIPTS / "build_db.py"), "--sources", str(sources), "--out", str(out), *extra]
    with open(log, "wb") as f:
        t0 = time.perf_counter()
        env = _env({"WHODOES_HOME": str(home)} if home else {})
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        b.wall_s = time.perf_counter() - t0
    p.returncode = b.returncode = os.waitstatus_to_exitcode(status)
    b.peak_rss_mb = _maxrss_mb(ru)
    text = log.read_text("utf-8", "replace")
    m = re.search(r"(\d+) task rows, (\d+) units from (\d+) documents in ([\d.]+) s", text)
    if m:
        b.rows, b.units, b.build_s = int(m.group(1)), int(m.group(2)), float(m.group(4))
    if b.returncode != 0 or not out.exists():
        b.error = (text.strip().splitlines() or ["no output"])[-1][:300]
        return b
    b.db_bytes = out.stat().st_size
    import sqlite3

    conn = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
    b.rows = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
    conn.close()
    return b


def profile_build(sources: Path, out: Path, prof: Path, top: int = 25) -> str:
    argv = [
        sys.executable,
        "-m",
        "cProfile",
        "-o",
        str(prof),
        str(SCRIPTS / "build_db.py"),
        "--sources",
        str(sources),
        "--out",
        str(out),
    ]
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=_env({}))
    import pstats

    buf = io.StringIO()
    st = pstats.Stats(str(prof), stream=buf)
    st.strip_dirs()
    buf.write(f"-- by own time (tottime), top {top}\n")
    st.sort_stats("tottime").print_stats(top)
    buf.write(f"-- by cumulative time, top {top}\n")
    st.sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


# ----------------------------------------------------------------------------------------------
# report


def fmt_ms(s: float) -> str:
    return f"{s * 1000:.1f}"


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "**MISSED**")


def query_table(floor: Cmd, cmds: list[Cmd]) -> str:
    fm = median(floor.times)
    lines = [
        "| query | database | rows | median ms | p90 ms | × floor | target | |",
        "|---|---|---:|---:|---:|---:|---:|---|",
        f'| `python -c "import sqlite3"` (floor) | | | {fmt_ms(fm)} | {fmt_ms(p90(floor.times))} | 1.00 | | |',
    ]
    for c in cmds:
        m = median(c.times)
        ratio = m / fm
        ok = None if c.target is None else ratio <= c.target
        if c.errors:
            ok = None
            target = "see Problems"
        rows = "" if c.rows is None else str(c.rows)
        if not c.errors:
            target = "" if c.target is None else f"≤ {c.target:g}×"
        lines.append(
            f"| `whodoes {' '.join(c.argv[1:])}`{' (tty)' if c.tty else ''} | {c.db} | {rows} | {fmt_ms(m)} "
            f"| {fmt_ms(p90(c.times))} | {ratio:.2f} | {target} | {'**ERROR**' if c.errors else verdict(ok)} |"
        )
    return "\n".join(lines)


def scale_table(pairs: list[tuple[Cmd, Cmd, bool]]) -> str:
    lines = [
        "| query | rows shipped → scaled | shipped median ms | scaled median ms | scaled / shipped | target | |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for small, big, targeted in pairs:
        r = median(big.times) / median(small.times)
        failed = bool(small.errors or big.errors)
        rows = "" if small.rows is None and big.rows is None else f"{small.rows} → {big.rows}"
        lines.append(
            f"| `whodoes {' '.join(big.argv[1:])}`{' (tty)' if big.tty else ''} | {rows} | {fmt_ms(median(small.times))} "
            f"| {fmt_ms(median(big.times))} | {r:.2f} | {'≤ 1.5×' if targeted else ''} "
            f"| {'**ERROR**' if failed else (verdict(r <= SCALE_TARGET) if targeted else '')} |"
        )
    return "\n".join(lines)


def build_table(builds: list[Build]) -> str:
    lines = [
        "| corpus | documents | source MB | task rows | units | wall s | build s | MB/s | rows/s | peak RSS MB | DB MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b in builds:
        if b.error:
            lines.append(f"| {b.label} | {b.documents} | {b.source_bytes / MB:.1f} | build failed: {b.error} |")
            continue
        lines.append(
            f"| {b.label} | {b.documents} | {b.source_bytes / MB:.1f} | {b.rows} | {b.units} | {b.wall_s:.2f} "
            f"| {'' if b.build_s is None else f'{b.build_s:.2f}'} | {b.mb_per_s:.2f} | {b.rows_per_s:.0f} "
            f"| {b.peak_rss_mb:.0f} | {b.db_bytes / MB:.1f} |"
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# main


def find_whodoes() -> Path:
    exe = Path(sys.executable).parent / "whodoes"
    if exe.exists():
        return exe
    venv_python = ROOT / ".venv" / "bin" / "python"
    if (
        (ROOT / ".venv" / "bin" / "whodoes").exists()
        and venv_python.exists()
        and not os.environ.get("WHODOES_BENCH_REEXEC")
    ):
        # run again with the checkout's environment, so that whodoes sits next to sys.executable
        os.environ["WHODOES_BENCH_REEXEC"] = "1"
        os.execv(str(venv_python), [str(venv_python), str(Path(__file__).resolve()), *sys.argv[1:]])
    found = shutil.which("whodoes")
    if found:
        print(f"note: no whodoes next to {sys.executable}; using {found}", file=sys.stderr)
        return Path(found)
    raise SystemExit(
        f"bench: no whodoes console script next to {sys.executable}; run this with the interpreter "
        "of the environment whodoes is installed in (e.g. .venv/bin/python scripts/bench.py)"
    )


def query_cmds(whodoes: Path, db: Path, db_label: str, *, scoped: bool = False) -> list[Cmd]:
    cmds = []
    for name, args, tty, expect, target in QUERIES:
        if scoped:
            if expect != 0:
                continue  # a miss stays a miss; nothing to scope
            args = args + ["--where", SHIPPED_WHERE]
            name = name + ", scoped"
            target = None
        cmds.append(
            Cmd(
                name,
                db_label,
                [str(whodoes), *args],
                tty,
                expect,
                target if db_label == "shipped" else None,
                env=_env({"WHODOES_DB": str(db)}),
            )
        )
    return cmds


# the formats read directly (a .doc is LibreOffice's conversion, then a .docx: seconds, whatever its size)
FORMAT_FILES = sorted(
    p for p in (ROOT / "tests" / "fixtures" / "formats").glob("jiangjin-2023-yangtze-water*.*") if p.suffix != ".doc"
)


def bench_formats(files: list[Path], min_seconds: float = 1.0) -> list[dict]:
    """Read, clean and parse each file repeatedly; MB of source a second (wall and CPU)."""
    from whodoes.build.document.load import read_plan
    from whodoes.build.parse.document import parse_document

    out = []
    for path in files:

        def once(path=path):
            plan = read_plan(path)
            return parse_document(plan.prepared.lines, plan.prepared.tables)

        rows = len(once().rows)  # warm-up: imports, caches
        n, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - wall0 < min_seconds or n < 3:
            once()
            n += 1
        wall, cpu = (time.perf_counter() - wall0) / n, (time.process_time() - cpu0) / n
        size = path.stat().st_size
        out.append(
            {
                "file": path.name,
                "format": path.suffix[1:],
                "bytes": size,
                "rows": rows,
                "runs": n,
                "seconds_wall": wall,
                "seconds_cpu": cpu,
                "mb_s_wall": size / MB / wall,
                "mb_s_cpu": size / MB / cpu,
            }
        )
    return out


def print_formats(results: list[dict]) -> None:
    print("| file | format | KB | rows | ms (wall) | ms (CPU) | MB/s (wall) | MB/s (CPU) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['file']} | {r['format']} | {r['bytes'] / 1000:.0f} | {r['rows']} | {r['seconds_wall'] * 1000:.0f} | "
            f"{r['seconds_cpu'] * 1000:.0f} | {r['mb_s_wall']:.2f} | {r['mb_s_cpu']:.2f} |"
        )


ADV_HEAD = "重庆市北碚区生态环境保护行动方案（2023—2025年）\n一、重点任务\n"
ADV_UNITS = ["区生态环境局", "区城市管理局", "区水利局", "区住房城乡建委", "区规划自然资源局"]


def _clauses(n: int) -> list[str]:
    return [
        f"{i}.加强第{i}号河段水环境治理，完善排水管网建设（{ADV_UNITS[i % 5]}牵头，"
        f"{ADV_UNITS[(i + 1) % 5]}、{ADV_UNITS[(i + 2) % 5]}配合）。"
        for i in range(1, n + 1)
    ]


def adversarial_inputs() -> dict[str, str]:
    """name -> plan text: the attacks of issue 14 and the normal plans they are compared with."""
    return {
        "normal: 3,000 clauses, one per line": ADV_HEAD + "\n".join(_clauses(3000)) + "\n",
        "3,000 clauses on one line": ADV_HEAD + "".join(_clauses(3000)) + "\n",
        "80 KB of (": ADV_HEAD + "(" * 80_000 + "\n",
        "80 KB of （": ADV_HEAD + "（" * 27_000 + "\n",
        "80 KB of ?": ADV_HEAD + "河" + "?" * 80_000 + "\n",
        "80 KB of tabs before (牵头)": ADV_HEAD + "1.任务。\n区水利局" + "\t" * 80_000 + "x(牵头)\n",
    }


def adversarial(work: Path) -> str:
    """Build each adversarial plan alone (and the real sources); a markdown table."""
    builds = [run_build("real sources", 1, SOURCES, work / "real.sqlite", work / "real.log")]
    for n, (name, text) in enumerate(adversarial_inputs().items()):
        folder = work / f"adversarial-{n}"
        folder.mkdir(exist_ok=True)
        (folder / "plan.txt").write_text(text, encoding="utf-8")
        print(f"  building {name} ...", file=sys.stderr)
        builds.append(run_build(name, 1, folder, work / f"adversarial-{n}.sqlite", work / f"adversarial-{n}.log"))
    lines = [
        "| input | source KB | task rows | wall s | peak MB | database KB | database / text |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for b in builds:
        ratio = b.db_bytes / b.source_bytes if b.source_bytes else float("nan")
        lines.append(
            f"| {b.label} | {b.source_bytes / 1024:.0f} | {b.rows} | {b.wall_s:.2f} | {b.peak_rss_mb:.0f} | "
            f"{b.db_bytes / 1024:.0f} | {ratio:.1f}× |" + (f" failed: {b.error}" if b.error else "")
        )
    return "\n".join(lines)


ADD_PLAN = "重庆市北碚区河长制工作方案（2023—2025年）\n一、重点任务\n" + "".join(
    f"{i}.加强第{i}号河段水环境治理，完善排水管网建设（区水利局牵头，区生态环境局、区城市管理局配合）。\n"
    for i in range(1, 41)
)


def say(text: str) -> None:
    """A result as soon as it is known (the log of a long run shows what is done)."""
    print(text, flush=True)


def run_add(whodoes: Path, sources: Path, db: Path, work: Path, home: Path | None = None) -> dict:
    """``whodoes add`` of one new plan (40 tasks) to the database of ``sources``: wall time,
    peak RSS, whether it was added in place (``home``: the WHODOES_HOME of its build)."""
    plan = work / "beibei-2023-river-chief-plan.txt"
    plan.write_text(ADD_PLAN, encoding="utf-8")
    argv = [str(whodoes), "add", str(plan), "--sources", str(sources), "--db", str(db), "--jurisdiction", "北碚区"]
    t0 = time.perf_counter()
    env = _env({"WHODOES_HOME": str(home)} if home else {})
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    text = out.decode("utf-8", "replace")
    return {
        "wall_s": wall,
        "returncode": p.returncode,
        "in_place": "added in place" in text,
        "last_line": (text.strip().splitlines() or err.decode("utf-8", "replace").strip().splitlines() or [""])[-1],
    }


def scale_builds(scale: int, work: Path, whodoes: Path, builds: list, scaled: dict, profile: bool = False):
    """The builds of issue 18 at ``scale`` (and a tenth of it), each reported as it ends:
    serial and --jobs 2 (no cache: everything parsed), the big one again with its parse
    cache filled, then ``whodoes add`` of one plan to it.  Returns the big database."""
    import synth

    small, big = max(2, scale // 10), scale
    builds.append(run_build("real sources (1×), --jobs 1", 1, SOURCES, work / "scale-1.sqlite", work / "build-1.log"))
    corpora = {}
    for s in sorted({small, big}):
        t0 = time.perf_counter()
        corpus = synth.generate(s, work / f"corpus-{s}")
        corpora[s] = work / f"corpus-{s}"
        say(
            f"- corpus {s}×: {corpus.documents} documents, {corpus.bytes / MB:.1f} MB written in "
            f"{time.perf_counter() - t0:.0f} s"
        )
    runs = [
        (small, ["--jobs", "1", "--no-cache"], "--jobs 1"),
        (small, ["--jobs", "2", "--no-cache"], "--jobs 2"),
        (big, ["--jobs", "2"], "--jobs 2, filling the parse cache"),
        (big, ["--jobs", "1", "--no-cache"], "--jobs 1"),
    ]
    if small == big:
        runs = runs[2:]
    big_db = None
    for s, extra, mode in runs:
        cached = "cache" in mode
        db = work / f"scale-{s}-{'cached' if cached else 'jobs' + extra[1]}.sqlite"
        home = work / f"home-{len(builds)}"
        b = run_build(
            f"synthetic {s}×, {mode}", s, corpora[s], db, work / f"build-{s}-{len(builds)}.log", extra, home=home
        )
        builds.append(b)
        say(
            f"- build {b.label}: {b.wall_s:.1f} s, {b.rows} task rows, peak RSS {b.peak_rss_mb:.0f} MB, "
            f"database {b.db_bytes / MB:.0f} MB{'; FAILED: ' + b.error if b.error else ''}"
        )
        if cached and not b.error:
            big_db = db
            scaled["add"] = add = run_add(whodoes, corpora[s], db, work, home=home)
            say(
                f"- add of one plan to the {s}× database: {add['wall_s']:.2f} s (exit {add['returncode']}, "
                f"{'in place' if add['in_place'] else 'rebuilt'}): {add['last_line']}"
            )
    if profile and big_db is not None:
        say(
            "## Profile of the big build\n\n```\n"
            + profile_build(corpora[big], work / "profile.sqlite", work / "build.prof").rstrip()
            + "\n```\n"
        )
    return big_db


def build_notes(builds: list, scaled: dict) -> list[str]:
    """The issue-18 verdicts: --jobs 2 / --jobs 1, memory growth, add time, database size."""
    ok = [b for b in builds if not b.error and b.scale > 1]
    notes = []
    for s in sorted({b.scale for b in ok}):
        one = next((b for b in ok if b.scale == s and b.label.endswith("--jobs 1")), None)
        two = next((b for b in ok if b.scale == s and "--jobs 2" in b.label and "cache" not in b.label), None)
        two = two or next((b for b in ok if b.scale == s and "--jobs 2" in b.label), None)
        if one and two:
            r = one.wall_s / two.wall_s
            notes.append(
                f"{s}×: --jobs 2 builds in {two.wall_s:.1f} s against {one.wall_s:.1f} s with --jobs 1: "
                f"{r:.2f}× as fast (target ≥ 1.7×: {verdict(r >= 1.7)})"
            )
    serial = sorted((b for b in ok if b.label.endswith("--jobs 1")), key=lambda b: b.scale)
    if len(serial) >= 2:
        a, b = serial[0], serial[-1]
        growth = b.peak_rss_mb / a.peak_rss_mb
        notes.append(
            f"peak RSS (--jobs 1) {a.peak_rss_mb:.0f} MB at {a.scale}× and {b.peak_rss_mb:.0f} MB at "
            f"{b.scale}×: ×{growth:.2f} (target ≤ ×{MEMORY_GROWTH_LIMIT}: {verdict(growth <= MEMORY_GROWTH_LIMIT)})"
        )
    if "add" in scaled:
        add = scaled["add"]
        if add["returncode"] != 0:
            notes.append(f"add of one plan: **FAILED** (exit {add['returncode']}): {add['last_line']}")
        else:
            notes.append(
                f"add of one plan to the {ok[-1].scale if ok else '?'}× database: {add['wall_s']:.2f} s, "
                f"{'in place' if add['in_place'] else 'rebuilt'} (target ≤ 5 s: {verdict(add['wall_s'] <= 5)})"
            )
    return notes


def paging_note(cmds: list, label: str) -> str | None:
    """Does the terminal table of an unscoped query returning thousands of rows page? Rows
    (from the csv twin) against the lines written to the 50-line pseudo-terminal."""
    tty = next((c for c in cmds if c.tty and c.db == label and c.name.startswith("unit hit")), None)
    csv_twin = next((c for c in cmds if not c.tty and c.db == label and c.name.startswith("unit hit")), None)
    if tty is None or csv_twin is None or not tty.times:
        return None
    if tty.errors or csv_twin.errors:
        return f"paging of `whodoes {' '.join(tty.argv[1:])}` ({label}): not measured, the query failed (see Problems)"
    lines = tty.out_lines
    return (
        f"`whodoes {' '.join(tty.argv[1:])}` on a {TTY_SIZE[0]}-line terminal ({label}): {csv_twin.rows} rows; "
        f"{lines} lines written in {median(tty.times) * 1000:.0f} ms — "
        f"{'pages' if lines <= 3 * TTY_SIZE[0] else 'prints everything (no pager)'}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--formats",
        nargs="*",
        type=Path,
        default=None,
        metavar="FILE",
        help="only the build speed per file format (default files: tests/fixtures/formats)",
    )
    ap.add_argument(
        "--scale", type=int, default=0, help="also a synthetic corpus N times today's size (0: shipped database only)"
    )
    ap.add_argument("--runs", type=int, default=15, help="timed rounds of every query (default 15)")
    ap.add_argument("--keep", type=Path, default=None, help="keep corpora, databases and logs in DIR")
    ap.add_argument("--json", type=Path, default=None, help="save the numbers to FILE")
    ap.add_argument("--db", type=Path, default=None, help="the shipped database (default data/plans.sqlite)")
    ap.add_argument("--profile", action="store_true", help="with --scale: profile the largest build (cProfile)")
    ap.add_argument(
        "--adversarial", action="store_true", help="only: builds of adversarial plans against normal ones (issue 14)"
    )
    args = ap.parse_args(argv)
    if args.formats is not None:
        results = bench_formats(args.formats or FORMAT_FILES)
        print(
            f"# whodoes build speed per format\n\n{time.strftime('%Y-%m-%d %H:%M:%S')}, Python "
            f"{sys.version.split()[0]}, {platform.platform()}, {os.cpu_count()} CPUs\n"
        )
        print_formats(results)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
        return 0
    if args.adversarial:
        work = args.keep or Path(tempfile.mkdtemp(prefix="whodoes-bench-"))
        work.mkdir(parents=True, exist_ok=True)
        print("# whodoes: adversarial plans against normal ones\n")
        print(adversarial(work))
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.scale < 0:
        ap.error("--scale must be 0 or more")

    whodoes = find_whodoes()
    shipped = (args.db or SHIPPED_DB).resolve()
    if not shipped.exists():
        raise SystemExit(f"bench: no database at {shipped}; build it with scripts/build_db.py")
    work = args.keep or Path(tempfile.mkdtemp(prefix="whodoes-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    global PYCACHE
    PYCACHE = work / "pycache"
    results: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "whodoes": str(whodoes),
        "shipped_db": str(shipped),
        "runs": args.runs,
        "scale": args.scale,
    }
    print(
        f"# whodoes benchmark\n\n{results['when']}, Python {results['python']}, {results['platform']}, "
        f"{results['cpu_count']} CPUs; {args.runs} timed rounds (+1 warm-up), interleaved round-robin; "
        f"whodoes = {whodoes}; tables on a {TTY_SIZE[1]}×{TTY_SIZE[0]} pseudo-terminal; bytecode cached "
        f"in a private PYTHONPYCACHEPREFIX (filled by the warm-up round)\n"
    )
    try:
        builds: list[Build] = []
        big_db = None
        scaled: dict = {}
        if args.scale:
            big_db = scale_builds(args.scale, work, whodoes, builds, scaled, profile=args.profile)

        floor = Cmd("floor", None, [sys.executable, "-c", "import sqlite3"], env=_env({}))
        shipped_cmds = query_cmds(whodoes, shipped, "shipped")
        cmds = [floor] + shipped_cmds
        big_cmds: list[Cmd] = []
        scoped_small: list[Cmd] = []
        scoped_big: list[Cmd] = []
        if big_db:
            label = f"scale {args.scale}"
            big_cmds = query_cmds(whodoes, big_db, label)
            scoped_small = query_cmds(whodoes, shipped, "shipped", scoped=True)
            scoped_big = query_cmds(whodoes, big_db, label, scoped=True)
            cmds += big_cmds + scoped_small + scoped_big
        print(f"timing {len(cmds)} commands ...", file=sys.stderr)
        time_round_robin(cmds, args.runs)

        print("## Queries on the shipped database\n")
        print(query_table(floor, shipped_cmds))
        print()
        if big_db:
            print(f"## Queries on the scale-{args.scale} database (and scoped on both)\n")
            print(query_table(floor, big_cmds + scoped_small + scoped_big))
            print()
            print(f"### Scale {args.scale} against the shipped database\n")
            pairs = [(a, b, a.target is not None) for a, b in zip(shipped_cmds, big_cmds)]
            pairs += [(a, b, True) for a, b in zip(scoped_small, scoped_big)]
            print(scale_table(pairs))
            print(
                f'\n"scoped" adds `--where {SHIPPED_WHERE}`: on the big database that returns exactly the '
                "shipped database's rows (the synthetic copies are in other jurisdictions), so it measures the "
                "cost of a bigger database apart from the cost of more results.\n"
            )
        if builds:
            print("## Builds (scripts/build_db.py in a subprocess)\n")
            print(build_table(builds))
            notes = build_notes(builds, scaled)
            synthetic = [b for b in builds if not b.error and b.scale > 1]
            if synthetic:
                big = synthetic[-1]
                notes.append(
                    f"throughput at {big.scale}× ({big.label}): {big.mb_per_s:.2f} MB/s of source, "
                    f"{big.rows_per_s:.0f} task rows/s; database {big.db_bytes / MB:.0f} MB"
                )
            if big_db:
                note = paging_note(cmds, f"scale {args.scale}")
                if note:
                    notes.append(note)
            print()
            for n in notes:
                print(f"- {n}")
            print(
                "\nMB/s and rows/s are over the whole process (interpreter start-up included); "
                '"build s" is the build\'s own time as it reports it.\n'
            )
        problems = [f"{c.label}: {e}" for c in cmds for e in sorted(set(c.errors))]
        if problems:
            print("## Problems\n")
            for p in problems:
                print(f"- {p}")
            print()

        results["floor"] = {"median_s": median(floor.times), "p90_s": p90(floor.times), "times_s": floor.times}
        results["queries"] = [
            {
                "name": c.name,
                "database": c.db,
                "argv": c.argv[1:],
                "tty": c.tty,
                "rows": c.rows,
                "median_s": median(c.times),
                "p90_s": p90(c.times),
                "ratio_to_floor": median(c.times) / median(floor.times),
                "target_ratio": c.target,
                "times_s": c.times,
                "errors": sorted(set(c.errors)),
            }
            for c in cmds[1:]
        ]
        results["builds"] = [dict(asdict(b), mb_per_s=b.mb_per_s, rows_per_s=b.rows_per_s) for b in builds]
        results["add"] = scaled.get("add")
        if args.json:
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
            print(f"numbers saved to {args.json}", file=sys.stderr)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept corpora, databases and logs in {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
