"""Building the database: atomic replacement, failures, interrupts, kill -9, encodings,
readers during a rebuild, memory.

Builds run through ``scripts/build_db.py`` and the installed ``whodoes build`` in
subprocesses (both must behave the same), and through ``whodoes.build.pipeline.build`` in process
where the point is the rows written.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import WHODOES, as_on_a_terminal, clean_env
from whodoes.build import store
from whodoes.build.pipeline import BuildError, build

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"
SHIPPED = ROOT / "data" / "plans.sqlite"
SCRIPT = ROOT / "scripts" / "build_db.py"
PLANS = sorted(SOURCES.glob("*.txt"))
DOC_2018 = "liangjiang-2018-green-development-action-plan"

pytestmark = pytest.mark.skipif(not SHIPPED.exists() or not PLANS, reason="data/plans.sqlite or data/sources missing")


BUILDERS = {"build_db.py": [sys.executable, str(SCRIPT)], "whodoes build": [*WHODOES, "build"]}


def run_build(builder: str, sources: Path, out: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*BUILDERS[builder], "--sources", str(sources), "--out", str(out)],
        capture_output=True,
        env=clean_env(),
        cwd="/",
        timeout=600,
        **kw,
    )


def query(*args) -> subprocess.CompletedProcess:
    return subprocess.run([*WHODOES, *args], capture_output=True, env=clean_env(), cwd="/", timeout=120)


def copy_sources(dest: Path, *, metadata: bool = True) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for p in PLANS:
        shutil.copy(p, dest / p.name)
    if metadata and (SOURCES / "metadata.toml").exists():
        shutil.copy(SOURCES / "metadata.toml", dest / "metadata.toml")
    return dest


def many_sources(dest: Path, copies: int) -> Path:
    """``copies`` copies of every real source, with distinct names (hard links where possible)."""
    dest.mkdir(parents=True, exist_ok=True)
    for i in range(copies):
        for p in PLANS:
            target = dest / f"c{i:04d}-{p.name}"
            try:
                os.link(p, target)
            except OSError:
                shutil.copy(p, target)
    return dest


def shipped_copy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "plans.sqlite"
    shutil.copy2(SHIPPED, db)
    return db


PROGRESS = re.compile(r"^(whodoes: )?\[\d+/\d+\] ")  # `whodoes build`'s progress, one line per document


def message_lines(err: str) -> list[str]:
    """stderr without the progress lines."""
    return [line for line in err.splitlines() if not PROGRESS.match(line)]


def one_line(p: subprocess.CompletedProcess) -> str:
    """The one line saying what went wrong (progress lines before it aside)."""
    err = p.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    lines = message_lines(err)
    assert len(lines) == 1, err
    return lines[0]


def wait_for_temp(out: Path, proc: subprocess.Popen, timeout: float = 120.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = store.temp_files(out)
        if found:
            return found[0]
        assert proc.poll() is None, f"the build ended before its temporary file appeared: {proc.returncode}"
        time.sleep(0.01)
    raise AssertionError("no temporary file appeared")


def docs_csv(db: Path) -> bytes:
    """The documents a database holds, without the file column (a path beside the database)."""
    p = query("docs", "--db", str(db), "-f", "tsv")
    assert p.returncode == 0, p.stderr
    return b"\n".join(line.rsplit(b"\t", 1)[0] for line in p.stdout.splitlines())


@pytest.fixture(scope="module")
def big_sources(tmp_path_factory):
    """1000 plan files (200 copies of the 5 real ones): a build that takes long enough to interrupt."""
    return many_sources(tmp_path_factory.mktemp("big") / "sources", 200)


# ----------------------------------------------------------------------------------------------
# kill -9 and Ctrl-C in the middle of a build


@pytest.mark.parametrize(
    "delay",
    [
        pytest.param(0.0, id="as the temp file appears"),
        pytest.param(1.5, id="1.5 s later", marks=pytest.mark.stress),  # the same guarantee, later: a stress trial
    ],
)
def test_kill_9_mid_build_leaves_the_old_database_byte_for_byte(tmp_path, big_sources, delay):
    db = shipped_copy(tmp_path / "db")
    before = db.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--sources", str(big_sources), "--out", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=clean_env(),
    )
    try:
        temp = wait_for_temp(db, proc)
        time.sleep(delay)
        assert proc.poll() is None, "the build finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert db.read_bytes() == before  # byte for byte
    assert docs_csv(db) == docs_csv(SHIPPED)  # and still answers
    # the killed build's temporary file is left behind; queries never open it ...
    assert store.temp_files(db) == [temp]
    assert query("unit", "城管局", "--db", str(db), "-f", "csv").returncode == 0
    # ... and the next build beside the same target removes it
    small = copy_sources(tmp_path / "small")
    p = run_build("build_db.py", small, db)
    assert p.returncode == 0, p.stderr
    assert store.temp_files(db) == []
    assert sorted(os.listdir(db.parent)) == ["plans.sqlite"]
    assert docs_csv(db) == docs_csv(SHIPPED)


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_ctrl_c_mid_build_exits_130_and_leaves_the_old_database(tmp_path, big_sources, builder):
    db = shipped_copy(tmp_path / "db")
    before = db.read_bytes()
    proc = subprocess.Popen(
        [*BUILDERS[builder], "--sources", str(big_sources), "--out", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
        preexec_fn=as_on_a_terminal,
    )
    try:
        wait_for_temp(db, proc)
        time.sleep(0.5)
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    err_text = err.decode("utf-8", "replace")
    assert proc.returncode == 130, err_text
    assert "Traceback" not in err_text
    lines = message_lines(err_text)
    assert (
        len(lines) == 1
        and "interrupted" in lines[0]
        and "the previous database" in lines[0]
        and "unchanged" in lines[0]
    )
    assert db.read_bytes() == before
    assert sorted(os.listdir(db.parent)) == ["plans.sqlite"]  # the temporary file was removed


# ----------------------------------------------------------------------------------------------
# a failing build: one line naming the file, exit 2, the old database byte for byte

BAD_SOURCES = {
    "empty": ("zz-bad.txt", b"", "empty file"),
    "white space only": ("zz-bad.txt", b" \r\n\t\n", "empty file"),
    "BOM only": ("zz-bad.txt", b"\xef\xbb\xbf", "empty file"),
    "undecodable bytes": (
        "zz-bad.txt",
        b"\x80\xff\xfe\x81 abc \xff\x80\n" * 20,
        "not text in UTF-8, UTF-16 or GB18030",
    ),
    "damaged UTF-8": ("zz-bad.txt", None, "invalid byte"),
    "binary with NUL bytes": ("zz-bad.txt", b"\x00\x01\x02\x03PK\x05" * 100, "not"),
    "UTF-16 BOM, odd length": ("zz-bad.txt", b"\xff\xfe" + "河长制\n".encode("utf-16-le") + b"\x00", "UTF-16"),
}


def _damaged_utf8() -> bytes:
    data = bytearray((SOURCES / f"{DOC_2018}.txt").read_bytes())
    data[5001] = 0xFF
    return bytes(data)


# Every bad source through `whodoes build`; through build_db.py (the same build, its own
# messages) two of them in the default selection, all of them with the stress tests.
BAD_SOURCE_RUNS = [
    pytest.param(
        case,
        builder,
        id=f"{case}-{builder}",
        marks=[pytest.mark.stress] if builder == "build_db.py" and case not in ("empty", "damaged UTF-8") else [],
    )
    for builder in BUILDERS
    for case in BAD_SOURCES
]


@pytest.mark.parametrize("case, builder", BAD_SOURCE_RUNS)
def test_unusable_source_fails_the_build_naming_the_file(tmp_path, case, builder):
    name, content, words = BAD_SOURCES[case]
    sources = copy_sources(tmp_path / "sources")
    (sources / name).write_bytes(_damaged_utf8() if content is None else content)
    db = shipped_copy(tmp_path / "db")
    before = db.read_bytes()
    p = run_build(builder, sources, db)
    assert p.returncode == 2
    err = one_line(p)
    assert name in err and words in err, err
    assert "previous database" in err and "unchanged" in err, err
    assert p.stdout == b""
    assert db.read_bytes() == before
    assert sorted(os.listdir(db.parent)) == ["plans.sqlite"]


# build_db.py's one-line failures are in the default selection through the bad sources above;
# these six more of them run with the stress tests
@pytest.mark.parametrize(
    "builder", [pytest.param(b, marks=[pytest.mark.stress] if b == "build_db.py" else []) for b in BUILDERS]
)
def test_other_build_failures_are_one_line(tmp_path, builder):
    db = shipped_copy(tmp_path / "db")
    before = db.read_bytes()
    # two files with one id
    dup = copy_sources(tmp_path / "dup")
    shutil.copy(dup / f"{DOC_2018}.txt", dup / f"{DOC_2018}.md")
    # a broken metadata.toml
    badmeta = copy_sources(tmp_path / "badmeta")
    (badmeta / "metadata.toml").write_text("[[document]\nfile = \n", encoding="utf-8")
    # nothing to build from
    (tmp_path / "none").mkdir()
    cases = [
        (dup, db, [f"{DOC_2018}.txt", f"{DOC_2018}.md", "rename one"]),
        (badmeta, db, ["metadata.toml", "not valid TOML"]),
        (tmp_path / "none", db, ["no plan files"]),
        (tmp_path / "missing", db, ["no such folder"]),
        (SOURCES, tmp_path / "db", ["is a folder"]),
    ]
    for sources, out, words in cases:
        p = run_build(builder, sources, out)
        assert p.returncode == 2, p.stderr
        err = one_line(p)
        for w in words:
            assert w in err, (w, err)
        assert db.read_bytes() == before
        assert sorted(os.listdir(db.parent)) == ["plans.sqlite"]
    # no previous database: the message says none was written, and none appears
    fresh = tmp_path / "fresh" / "plans.sqlite"
    p = run_build(builder, tmp_path / "none", fresh)
    assert p.returncode == 2 and "no database was written" in one_line(p)
    assert not fresh.exists()


def _load_script():
    spec = importlib.util.spec_from_file_location("build_db_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_bug_in_the_build_is_one_line_and_debug_shows_the_traceback(tmp_path, monkeypatch, capsys):
    import whodoes.build.parse.document as reader
    from whodoes.cli import app as cli

    def broken(*a, **k):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(reader, "parse_document", broken)  # whodoes.parsed.parse_plan calls it
    monkeypatch.delenv("WHODOES_DEBUG", raising=False)
    db = shipped_copy(tmp_path / "db")
    before = db.read_bytes()
    args = ["--sources", str(SOURCES), "--out", str(db)]
    script = _load_script()
    for main, argv in ((cli.main, ["build", *args]), (script.main, args)):
        rc = main(argv)
        out, err = capsys.readouterr()
        assert rc == 2, err
        assert err.count("\n") == 1 and "internal error" in err and "RuntimeError: boom second line" in err, err
        assert "unchanged" in err and "WHODOES_DEBUG=1" in err
        assert db.read_bytes() == before and sorted(os.listdir(db.parent)) == ["plans.sqlite"]
    monkeypatch.setenv("WHODOES_DEBUG", "1")
    for main, argv in ((cli.main, ["build", *args]), (script.main, args)):
        with pytest.raises(RuntimeError, match="boom"):
            main(argv)
    assert db.read_bytes() == before and sorted(os.listdir(db.parent)) == ["plans.sqlite"]


def test_failed_integrity_check_leaves_the_old_database(tmp_path, monkeypatch):
    def bad_check(self):
        raise store.StoreError("integrity check of the new database failed: *** in database main ***")

    monkeypatch.setattr(store.Writer, "_check", bad_check)
    db = shipped_copy(tmp_path / "db")
    before = db.read_bytes()
    with pytest.raises(BuildError, match="integrity check.*previous database .* is unchanged"):
        build(SOURCES, db)
    assert db.read_bytes() == before
    assert sorted(os.listdir(db.parent)) == ["plans.sqlite"]


def test_unwritable_target_is_a_build_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(BuildError, match="cannot write.*no database was written"):
        build(SOURCES, blocker / "sub" / "plans.sqlite")


# ----------------------------------------------------------------------------------------------
# encodings: the same rows from every encoding, the encoding reported

ENCODINGS = {
    "gb18030": "gb18030",
    "utf-8-sig": "utf-8-sig",
    "utf-16": "utf-16",
    "utf-16-le": "utf-16-le",
    "utf-16-be": "utf-16-be",
}


def table_rows(db: Path) -> dict[str, list]:
    c = sqlite3.connect(db)
    try:
        out = {}
        for table in ("tasks", "task_units", "units", "unit_names", "chars_t2s"):
            out[table] = c.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        cols = [r[1] for r in c.execute("PRAGMA table_info(documents)") if r[1] not in ("sha256", "encoding")]
        out["documents"] = c.execute(f"SELECT {', '.join(cols)} FROM documents ORDER BY ordinal").fetchall()
        return out
    finally:
        c.close()


@pytest.fixture(scope="module")
def utf8_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("utf8")
    db = folder / "plans.sqlite"
    report = build(copy_sources(folder / "sources"), db)
    assert report.notes == []
    return db, table_rows(db)


@pytest.mark.lowest
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_every_encoding_builds_the_same_rows_as_utf8(tmp_path, utf8_build, encoding):
    _, expected = utf8_build
    sources = copy_sources(tmp_path / "sources")
    for p in PLANS:
        text = p.read_text(encoding="utf-8")
        (sources / p.name).write_bytes(text.encode(encoding))
        assert (sources / p.name).read_bytes() != p.read_bytes()
    db = tmp_path / "plans.sqlite"
    report = build(sources, db)
    assert table_rows(db) == expected
    assert expected["tasks"]
    c = sqlite3.connect(db)
    assert {r[0] for r in c.execute("SELECT encoding FROM documents")} == {ENCODINGS[encoding]}
    c.close()
    assert report.notes == [f"{p.name}: read as {ENCODINGS[encoding]}" for p in PLANS]
    assert {d.encoding for d in report.documents} == {ENCODINGS[encoding]}


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_gb18030_copy_through_the_commands(tmp_path, utf8_build, builder):
    """A GB18030 copy of one source (saved by a Windows office PC) beside the others."""
    _, expected = utf8_build
    sources = copy_sources(tmp_path / "sources")
    src = sources / f"{DOC_2018}.txt"
    src.write_bytes(src.read_text(encoding="utf-8").encode("gb18030"))
    db = tmp_path / "plans.sqlite"
    p = run_build(builder, sources, db)
    assert p.returncode == 0, p.stderr
    err = p.stderr.decode("utf-8")
    assert f"note: {DOC_2018}.txt: read as gb18030" in err and "Traceback" not in err
    assert table_rows(db) == expected
    if builder == "build_db.py":
        line = next(x for x in p.stdout.decode("utf-8").splitlines() if x.startswith(f"{DOC_2018}:"))
        assert line.endswith("task rows (gb18030)"), line
    v = query("docs", "-v", "-f", "csv", "--db", str(db))
    assert v.returncode == 0 and b"gb18030" in v.stdout


# ----------------------------------------------------------------------------------------------
# a source with no task rows: a warning naming it, the build succeeds


@pytest.mark.lowest
@pytest.mark.parametrize("builder", list(BUILDERS))
def test_source_without_task_rows_is_reported_by_name(tmp_path, builder):
    sources = copy_sources(tmp_path / "sources")
    (sources / "zz-notes.txt").write_text("关于会议安排的说明\n\n请各位同事准时参加。\n谢谢。\n", encoding="utf-8")
    db = shipped_copy(tmp_path / "db")
    p = run_build(builder, sources, db)
    assert p.returncode == 0, p.stderr
    err = p.stderr.decode("utf-8")
    assert any(
        line.startswith(("warning: zz-notes.txt: no task rows", "whodoes: warning: zz-notes.txt: no task rows"))
        for line in err.splitlines()
    ), err
    c = sqlite3.connect(db)
    assert c.execute("SELECT task_count FROM documents WHERE id = 'zz-notes'").fetchone() == (0,)
    assert c.execute("SELECT count(*) FROM documents").fetchone()[0] == len(PLANS) + 1
    c.close()


# ----------------------------------------------------------------------------------------------
# readers during a rebuild: old data or new data, never an error


READER_COMMANDS = [
    ["docs", "-f", "csv"],
    ["task", "河长制", "-f", "csv"],
    ["export", "-f", "jsonl"],
    ["unit", "城管局", "-f", "csv"],
]


def read_all(db: Path, rounds: int = 1) -> list[tuple[list[str], subprocess.CompletedProcess]]:
    """Every reader command ``rounds`` times, all at once (one thread each)."""
    results: list[tuple[list[str], subprocess.CompletedProcess]] = []
    lock = threading.Lock()

    def reader(cmd):
        p = query(*cmd, "--db", str(db))
        with lock:
            results.append((cmd, p))

    threads = [threading.Thread(target=reader, args=(cmd,)) for _ in range(rounds) for cmd in READER_COMMANDS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(results) == len(threads), "a reader did not finish"
    return results


def test_queries_during_a_rebuild_all_succeed_with_old_or_new_data(tmp_path):
    """A fixed number of readers at three moments of a rebuild, each one's answer exact:

    * the build frozen (SIGSTOP) while it writes its temporary file: the old data;
    * the build let go (SIGCONT) with readers started at once, racing the replacement: for
      each, the old data or the new, never an error or a mixture;
    * after the build: the new data."""
    db = shipped_copy(tmp_path / "db")
    sources = many_sources(tmp_path / "sources", 3)  # 15 plans: different data from the shipped 5
    old = {tuple(c): query(*c, "--db", str(db)).stdout for c in READER_COMMANDS}
    inode = db.stat().st_ino
    build_proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--sources", str(sources), "--out", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=clean_env(),
        start_new_session=True,
    )
    try:
        wait_for_temp(db, build_proc)
        os.killpg(build_proc.pid, signal.SIGSTOP)  # frozen mid-build: it cannot replace the file now
        frozen = read_all(db)
        os.killpg(build_proc.pid, signal.SIGCONT)
        racing = read_all(db, rounds=2)
        assert build_proc.wait(timeout=600) == 0, build_proc.stderr.read()
    finally:
        if build_proc.poll() is None:
            os.killpg(build_proc.pid, signal.SIGCONT)
            build_proc.kill()
            build_proc.wait()
    assert db.stat().st_ino != inode  # the database was replaced
    new = {tuple(c): query(*c, "--db", str(db)).stdout for c in READER_COMMANDS}
    assert all(new[k] != old[k] for k in (("docs", "-f", "csv"), ("export", "-f", "jsonl")))
    after = read_all(db)
    for phase, results, allowed in (
        ("frozen", frozen, (old,)),
        ("racing", racing, (old, new)),
        ("after", after, (new,)),
    ):
        for cmd, p in results:
            err = p.stderr.decode("utf-8", "replace")
            assert p.returncode == 0 and "Traceback" not in err, (phase, cmd, err)
            assert any(p.stdout == answers[tuple(cmd)] for answers in allowed), (phase, cmd, "not the expected data")


def test_an_open_connection_keeps_reading_the_old_database_through_a_rebuild(tmp_path):
    """A reader that opened the database before the rename keeps reading the old file
    (its inode), consistently, and a new connection sees the new one."""
    from whodoes.query import api as q

    db = shipped_copy(tmp_path / "db")
    conn = q.connect(db)
    before = [r["id"] for r in q.list_documents(conn)]
    hits_before = [r["id"] for r in q.search_tasks(conn, "河长制").rows]
    build(many_sources(tmp_path / "sources", 2), db)
    assert [r["id"] for r in q.list_documents(conn)] == before
    assert [r["id"] for r in q.search_tasks(conn, "河长制").rows] == hits_before
    assert [r["id"] for r in q.export_tasks(conn).rows] == list(range(1, len(q.export_tasks(conn).rows) + 1))
    conn.close()
    fresh = q.connect(db)
    assert len(q.list_documents(fresh)) == 2 * len(PLANS)
    fresh.close()


# ----------------------------------------------------------------------------------------------
# memory: does not grow with the corpus


def _max_rss_kib(sources: Path, out: Path) -> int:
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--sources", str(sources), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=clean_env(),
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0
    return usage.ru_maxrss


@pytest.mark.stress  # a build of 200 plans
@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4")
def test_build_memory_does_not_grow_with_the_corpus(tmp_path):
    """40 times the plans (60 MB of database) cost the builder no more than a few MB of extra memory:
    rows are written document by document, never held for the whole corpus."""
    small = _max_rss_kib(many_sources(tmp_path / "small", 1), tmp_path / "small.sqlite")
    big = _max_rss_kib(many_sources(tmp_path / "big", 40), tmp_path / "big.sqlite")
    # the big database holds 40 times the task rows (its size grows less: every database also
    # holds the fixed catalogue of body types and places, the readings of the GB2312 characters
    # and the counts of the plans' phrases, which the copies repeat)
    tasks = [
        sqlite3.connect(tmp_path / f"{n}.sqlite").execute("SELECT count(*) FROM tasks").fetchone()[0]
        for n in ("small", "big")
    ]
    assert tasks[1] == 40 * tasks[0] > 0
    assert (tmp_path / "big.sqlite").stat().st_size > 15 * (tmp_path / "small.sqlite").stat().st_size
    assert big - small < 30 * 1024, (small, big)


# ----------------------------------------------------------------------------------------------
# store.Writer on its own


def test_stale_temp_files_are_removed_but_not_a_running_builds(tmp_path):
    out = tmp_path / "plans.sqlite"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".plans.sqlite.{dead.pid}.abcd1234.tmp"
    mine = tmp_path / f".plans.sqlite.{os.getpid()}.efgh5678.tmp"
    old_style = tmp_path / ".plans.sqlite.k2j3h4g5.tmp"
    fresh_old_style = tmp_path / ".plans.sqlite.zz99yy88.tmp"
    other = tmp_path / ".other.sqlite.1.x.tmp"
    for p in (stale, mine, old_style, fresh_old_style, other):
        p.write_bytes(b"x")
    os.utime(old_style, (time.time() - 7200, time.time() - 7200))
    assert set(store.temp_files(out)) == {stale, mine, old_style, fresh_old_style}
    assert set(store.remove_stale(out)) == {stale, old_style}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (mine, fresh_old_style, other))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_killed_build_not_yet_reaped_is_not_running(tmp_path):
    """kill -9 leaves a zombie until its parent reaps it; its temporary file is stale all the same."""
    out = tmp_path / "plans.sqlite"
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        temp = tmp_path / f".plans.sqlite.{child.pid}.abcd1234.tmp"
        temp.write_bytes(b"x")
        assert store.remove_stale(out) == []  # running: kept
        child.send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child.pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert store.remove_stale(out) == [temp]  # a zombie: removed
    finally:
        child.kill()
        child.wait()


def test_writer_keeps_the_permissions_and_follows_a_symlink(tmp_path):
    real = shipped_copy(tmp_path / "real")
    real.chmod(0o640)
    link = tmp_path / "link.sqlite"
    link.symlink_to(real)
    build(SOURCES, link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert (real.stat().st_mode & 0o777) == 0o640
    assert docs_csv(link) == docs_csv(SHIPPED)


def test_abort_removes_the_temp_file_and_keeps_the_target(tmp_path):
    db = shipped_copy(tmp_path)
    before = db.read_bytes()
    with pytest.raises(ValueError):
        with store.Writer(db) as w:
            assert w.tmp_path.exists() and w.tmp_path.parent == db.parent
            raise ValueError("stop")
    assert sorted(os.listdir(tmp_path)) == ["plans.sqlite"]
    assert db.read_bytes() == before


# ----------------------------------------------------------------------------------------------
# a folder the builder may not write (as root permissions do not bite: run as nobody)


def test_read_only_folder_fails_the_build_in_one_line(tmp_path):
    import tempfile

    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("tests run as root and setpriv is not available: permissions would not bite")
        prefix = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        probe = subprocess.run([*prefix, *WHODOES, "--version"], capture_output=True, timeout=60)
        if probe.returncode != 0:
            pytest.skip("cannot run whodoes as nobody here")
    else:
        prefix = []
    folder = Path(tempfile.mkdtemp(prefix="whodoes-ro-"))
    try:
        db = folder / "plans.sqlite"
        shutil.copy(SHIPPED, db)
        before = db.read_bytes()
        folder.chmod(0o555)
        for builder in BUILDERS:
            p = subprocess.run(
                [*prefix, *BUILDERS[builder], "--sources", str(SOURCES), "--out", str(db)],
                capture_output=True,
                env=clean_env(),
                cwd="/",
                timeout=600,
            )
            assert p.returncode == 2, p.stderr
            err = one_line(p)
            assert "cannot write" in err and "Permission denied" in err and "unchanged" in err, err
            assert db.read_bytes() == before and sorted(os.listdir(folder)) == ["plans.sqlite"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)
