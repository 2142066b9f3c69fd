"""The bad-input battery: every class of bad input of issue 6, run through the installed
``whodoes`` command in subprocesses.

Every case must end with exit code 0 (legitimate results), 1 (no results) or 2 (usage or
data error), with one short line on stderr that says what happened, and never a traceback.
The query cases all run against one copy of the shipped database; the last test checks
that its bytes and mtime did not change and that no -journal/-wal/-shm file appeared
(queries never write).

The closing table of what the user sees is printed by ``python tests/cli/test_battery.py``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import WHODOES, clean_env

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "plans.sqlite"
DOC_2018 = "liangjiang-2018-green-development-action-plan"

pytestmark = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")


def run(*args, env=None, prefix=()):
    return subprocess.run([*prefix, *WHODOES, *args], capture_output=True, env=env or clean_env(), cwd="/", timeout=120)


def check(p, codes=(0, 1, 2), words=()):
    """The battery's contract; returns stderr as text."""
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Traceback" not in out, err
    assert "internal error" not in err, err
    assert p.returncode in codes, (p.returncode, err)
    lines = err.splitlines()
    if p.returncode != 0:
        assert len(lines) == 1, err  # exactly one line says what is wrong
        assert lines[0].startswith("whodoes: ") and len(lines[0]) < 400, err
        assert p.stdout == b"", out[:200]
    else:
        assert len(lines) <= 1, err  # at most the line saying how the query was understood
    for w in words:
        assert w in err, (w, err)
    return err


@pytest.fixture(scope="module")
def db_dir(tmp_path_factory):
    """One copy of the shipped database, alone in its folder; every query case reads it."""
    folder = tmp_path_factory.mktemp("battery")
    db = folder / "plans.sqlite"
    shutil.copy2(SHIPPED, db)
    before = (db.read_bytes(), db.stat().st_mtime_ns)
    yield folder, db, before


def assert_untouched(folder: Path):
    assert sorted(os.listdir(folder)) == ["plans.sqlite"]  # no -journal, -wal, -shm


# ----------------------------------------------------------------------------------------------
# queries: any string is a query

QUERIES = {
    # empty and blank -> 2 "empty query"
    "empty": ("", (2,), ["empty query"]),
    "blank": ("   ", (2,), ["empty query"]),
    "tab and newlines": ("\t\n\r\n", (2,), ["empty query"]),
    "only control characters": ("\x01\x02\x1b\x7f", (2,), ["empty query"]),
    # very long -> 2 "too long"
    "10,000 characters CJK": ("河" * 10000, (2,), ["too long", "10000"]),
    "10,000 characters ASCII": ("a" * 10000, (2,), ["too long"]),
    "10,000 characters mixed": ("河长制 OR 1=1 " * 770, (2,), ["too long"]),
    # SQL syntax
    "percent": ("%", (0, 1), []),
    "underscore": ("_", (0, 1), []),
    "sql quote": ("'", (0, 1), []),
    "sql injection": ("' OR 1=1 --", (0, 1), []),
    "sql drop": ("'; DROP TABLE tasks; --", (0, 1), []),
    "sql like": ("河%制", (0, 1), []),
    "backslash": ("\\", (0, 1), []),
    # FTS5 syntax
    "fts double quote": ('"', (0, 1), []),
    "fts star": ("*", (0, 1), []),
    "fts prefix": ("河长*", (0, 1), []),
    "fts AND": ("AND", (0, 1), []),
    "fts OR": ("OR", (0, 1), []),
    "fts NOT": ("NOT", (0, 1), []),
    "fts NEAR(": ("NEAR(", (0, 1), []),
    "fts NEAR group": ("NEAR(河长 制, 2)", (0, 1), []),
    "fts phrase injection": ('河长制" OR "水', (0, 1), []),
    "fts column filter": ("text:河长制", (0, 1), []),
    "fts caret": ("^河长制", (0, 1), []),
    "fts parentheses": ("(河长制) AND (", (0, 1), []),
    "fts braces": ("{text title}: 河长制", (0, 1), []),
    "fts plus minus": ("+河长制 -水", (0, 1), []),
    # control characters, odd white space
    "bell": ("\x07", (1, 2), []),
    "escape sequence": ("\x1b[31m河长制\x1b[0m", (0, 1), []),
    "backspace inside": ("河\x08长制", (0, 1), []),
    "DEL": ("\x7f河长制", (0, 1), []),
    "line separator": ("河长制\u2028水质", (0, 1), []),
    "zero-width space": ("河\u200b长制", (0, 1), []),
    "BOM character": ("\ufeff河长制", (0, 1), []),
    "NBSP": ("河长制\u00a0", (0, 1), []),
    "right-to-left mark": ("\u202e河长制", (0, 1), []),
    # emoji
    "emoji": ("🙂", (1,), []),
    "emoji with text": ("河长制🙂", (0, 1), []),
    "emoji ZWJ sequence": ("👨\u200d👩\u200d👧", (1,), []),
    "flag": ("🇨🇳", (1,), []),
    # mixed scripts
    "greek cyrillic CJK": ("Ελληνικά河长制Кириллица", (0, 1), []),
    "arabic": ("العربية", (1,), []),
    "devanagari": ("हिन्दी", (1,), []),
    "hangul": ("한국어", (1,), []),
    "full-width latin": ("ＣＧＪ", (0, 1), []),
    "combining accents": ("e\u0301\u0302", (0, 1), []),
    "traditional": ("河長制", (0,), []),
    "CJK extension B": ("𠀀𠀁", (1,), []),
    "private use": ("\ue000\uf8ff", (1, 2), []),
    "punctuation only": ("、、。", (0, 1), []),
    "digits": ("2020", (0, 1), []),
    "one character": ("水", (0, 1), []),
    "looks like an option value": ("--", (0, 1, 2), []),
}


@pytest.mark.parametrize("cmd", ["task", "unit"])
@pytest.mark.parametrize("name", list(QUERIES))
def test_query_battery(name, cmd, db_dir):
    folder, db, _ = db_dir
    q, codes, words = QUERIES[name]
    if cmd == "unit" and codes == (0,):
        codes = (0, 1)  # a text that finds tasks need not name a unit
    p = (
        run(cmd, "--db", str(db), "-f", "csv", "--", q)
        if q.startswith("-")
        else run(cmd, q, "--db", str(db), "-f", "csv")
    )
    check(p, codes, words)
    assert_untouched(folder)


@pytest.mark.parametrize(
    "raw",
    [b"\xff", b"\xe6\xb2", b"\xe6\xb2\xb3\xff\xe9\x95\xbf", b"\xc0\x80", b"\xed\xa0\x80"],
    ids=["ff", "cut UTF-8", "bad byte inside", "overlong NUL", "surrogate"],
)
@pytest.mark.parametrize("cmd", ["task", "unit"])
def test_query_battery_undecodable_argv(raw, cmd, db_dir):
    """Bytes that are not UTF-8 on the command line (a terminal in another locale)."""
    folder, db, _ = db_dir
    p = subprocess.run(
        [
            os.fsencode(WHODOES[0]),
            *[a.encode() for a in WHODOES[1:]],
            cmd.encode(),
            raw,
            b"--db",
            os.fsencode(db),
            b"-f",
            b"csv",
        ],
        capture_output=True,
        env=clean_env(),
        timeout=120,
    )
    check(p)
    assert_untouched(folder)


def test_show_battery(db_dir):
    folder, db, _ = db_dir
    for arg, codes, words in [
        ("abc", (2,), ["whole number"]),
        ("", (2,), ["whole number"]),
        ("1.5", (2,), ["whole number"]),
        ("0", (1,), ["ids run from"]),
        ("-1", (1, 2), []),
        ("99999999999999999999999999", (1,), ["ids run from"]),
        ("1; DROP TABLE tasks", (2,), ["whole number"]),
        ("١", (2,), ["whole number"]),
        ("１", (2,), ["whole number"]),
    ]:
        p = run("show", "--db", str(db), "--", arg) if arg.startswith("-") else run("show", arg, "--db", str(db))
        check(p, codes, words)
    assert_untouched(folder)


# ----------------------------------------------------------------------------------------------
# options: a one-line message naming the accepted values, exit 2

OPTIONS = {
    "--year abc": (["unit", "城管局", "--year", "abc"], ["--year", "2018"]),
    "--year 1800": (["unit", "城管局", "--year", "1800"], ["--year 1800", "cover"]),
    "--year 3000": (["task", "河长制", "--year", "3000"], ["cover"]),
    "--year empty": (["task", "河长制", "--year", ""], ["--year"]),
    "--year 2020.5": (["task", "河长制", "--year", "2020.5"], ["--year"]),
    "--year huge": (["task", "河长制", "--year", "9" * 40], ["--year"]),
    "--year full-width digits": (["task", "河长制", "--year", "２０２０"], ["--year"]),
    "--format xml": (["task", "河长制", "--format", "xml"], ["--format", "csv", "jsonl"]),
    "--format empty": (["task", "河长制", "--format", ""], ["csv"]),
    "--format xlsx without -o": (["task", "河长制", "--format", "xlsx"], ["-o"]),
    "--limit -1": (["task", "河长制", "--limit", "-1"], ["--limit", "positive"]),
    "--limit 0": (["task", "河长制", "--limit", "0"], ["positive"]),
    "--limit abc": (["unit", "城管局", "--limit", "abc"], ["positive"]),
    "--limit 1e3": (["unit", "城管局", "--limit", "1e3"], ["positive"]),
    "--where unknown": (["unit", "城管局", "--where", "北京"], ["两江新区", "武隆区"]),
    "--where empty": (["unit", "城管局", "--where", ""], ["两江新区"]),
    "--where SQL": (["task", "河长制", "--where", "' OR 1=1 --"], ["两江新区"]),
    "--role boss": (["unit", "城管局", "--role", "boss"], ["lead, support, any"]),
    "--doc unknown": (["unit", "城管局", "--doc", "nothing"], ["--doc", DOC_2018]),
    "--doc empty": (["task", "河长制", "--doc", ""], ["--doc"]),
    "unknown option": (["unit", "城管局", "--bogus"], ["--bogus"]),
    "option without value": (["unit", "城管局", "--year"], ["--year"]),
    "missing query": (["unit"], ["QUERY"]),
    "two queries": (["unit", "城管局", "城建局"], ["城建局"]),
    "unknown command": (["nosuchcommand"], ["nosuchcommand"]),
    "-o into a missing folder": (
        ["task", "河长制", "-o", "/nonexistent/folder/out.csv"],
        ["cannot write", "no such folder"],
    ),
    "-o onto a folder": (["task", "河长制", "-o", "/tmp"], ["cannot write", "folder"]),
}


@pytest.mark.parametrize("name", list(OPTIONS))
def test_option_battery(name, db_dir):
    folder, db, _ = db_dir
    args, words = OPTIONS[name]
    check(run(*args[:1], "--db", str(db), *args[1:]), (2,), words)
    assert_untouched(folder)


def test_legit_odd_option_values_answer(db_dir):
    """Values that look odd but are valid: a huge --limit, --role in capitals, --where short form."""
    folder, db, _ = db_dir
    for args in (
        ["task", "河长制", "--limit", "9" * 30],
        ["unit", "城管局", "--role", " LEAD "],
        ["unit", "城管局", "--where", "武隆"],
        ["task", "河长制", "--year=2020"],
    ):
        check(run(*args, "--db", str(db), "-f", "csv"), (0,))
    assert_untouched(folder)


def test_no_arguments_prints_help_and_exits_2():
    p = run()
    assert p.returncode == 2 and b"Traceback" not in p.stderr + p.stdout
    assert b"Usage" in p.stdout or b"Usage" in p.stderr


# ----------------------------------------------------------------------------------------------
# databases: a one-line message that says what is wrong and how to rebuild, exit 2


def _sqlite(path: Path, *statements):
    c = sqlite3.connect(path)
    for s in statements:
        c.execute(s)
    c.commit()
    c.close()


def make_bad_databases(folder: Path) -> dict[str, tuple[Path, list[str]]]:
    data = SHIPPED.read_bytes()
    out: dict[str, tuple[Path, list[str]]] = {}

    def add(name, filename, content, words):
        path = folder / filename
        if content is not None:
            path.write_bytes(content)
        out[name] = (path, words)
        return path

    add("missing", "missing.sqlite", None, ["not found", "whodoes build"])
    add("empty file", "empty.sqlite", b"", ["empty", "whodoes build"])
    add("random bytes", "random.sqlite", os.urandom(8192), ["not an SQLite database", "whodoes build"])
    add("text file", "text.sqlite", "这不是数据库\n".encode() * 200, ["not an SQLite database", "whodoes build"])
    add("truncated to half", "half.sqlite", data[: len(data) // 2], ["truncated", "whodoes build"])
    add("truncated header", "header.sqlite", data[:50], ["truncated", "whodoes build"])
    add("header only", "page1.sqlite", data[:4096], ["truncated", "whodoes build"])
    v99 = add("user_version 99", "v99.sqlite", data, ["schema version is 99", "whodoes build"])
    _sqlite(v99, "PRAGMA user_version = 99")
    other = add("another application's database", "other.sqlite", None, ["not a whodoes database", "whodoes build"])
    _sqlite(other, "CREATE TABLE t (a)")  # user_version 0, no whodoes table
    lacking = add("tables missing", "lacking.sqlite", data, ["lacks table", "tasks", "whodoes build"])
    _sqlite(lacking, "DROP VIEW IF EXISTS task_rows", "DROP TABLE tasks_fts", "DROP TABLE tasks")
    wal = add("WAL mode", "wal.sqlite", data, ["WAL", "whodoes build"])
    _sqlite(wal, "PRAGMA journal_mode = WAL")
    for extra in ("-wal", "-shm"):
        Path(str(wal) + extra).unlink(missing_ok=True)
    schema = bytearray(data)
    schema[100:4096] = bytes(3996)  # the schema page zeroed
    add("damaged schema page", "schema.sqlite", bytes(schema), ["damaged", "whodoes build"])
    out["a folder"] = (folder, ["folder"])
    return out


BAD_DB_COMMANDS = [["unit", "城管局"], ["task", "河长制"], ["docs"], ["show", "1"], ["export"], ["units"]]


@pytest.fixture(scope="module")
def bad_databases(tmp_path_factory):
    return make_bad_databases(tmp_path_factory.mktemp("baddb"))


BAD_DB_NAMES = [
    "missing",
    "empty file",
    "random bytes",
    "text file",
    "truncated to half",
    "truncated header",
    "header only",
    "user_version 99",
    "another application's database",
    "tables missing",
    "WAL mode",
    "damaged schema page",
    "a folder",
]


@pytest.mark.parametrize("name", BAD_DB_NAMES)
def test_database_battery(name, bad_databases):
    path, words = bad_databases[name]
    before = path.read_bytes() if path.is_file() else None
    listing = sorted(os.listdir(path.parent))
    for args in BAD_DB_COMMANDS:
        check(run(*args, "--db", str(path)), (2,), words)
    check(run("docs", env=clean_env(WHODOES_DB=str(path))), (2,), words)  # the same through $WHODOES_DB
    if before is not None:
        assert path.read_bytes() == before  # not "repaired", not written
    assert sorted(os.listdir(path.parent)) == listing  # no journal or -wal/-shm beside it


def test_database_battery_corrupted_pages(tmp_path):
    """Pages in the middle overwritten (same size, valid header): whatever is asked, a
    result or a one-line error, never a traceback."""
    import random

    rnd = random.Random(6)
    data = bytearray(SHIPPED.read_bytes())
    start = len(data) // 2
    data[start : start + 64 * 4096] = bytes(rnd.randrange(256) for _ in range(64 * 4096))
    path = tmp_path / "corrupt.sqlite"
    path.write_bytes(bytes(data))
    codes = []
    for args in BAD_DB_COMMANDS + [
        ["task", "水质"],
        ["task", "hmcs"],
        ["task", "海棉城市"],
        ["unit", "cgj"],
        ["export", "--format", "jsonl"],
    ]:
        p = run(*args, "--db", str(path)) if "--format" in args else run(*args, "--db", str(path), "-f", "csv")
        err = check(p)
        if p.returncode == 2:
            assert "whodoes build" in err, err  # a damaged database says how to rebuild
        codes.append(p.returncode)
    assert 2 in codes  # the damage is found by some query


def test_database_with_text_that_is_not_utf8(tmp_path):
    """A cell holding bytes that are not UTF-8 (a damaged or foreign-written database)."""
    path = tmp_path / "plans.sqlite"
    shutil.copy(SHIPPED, path)
    _sqlite(path, "UPDATE tasks SET text = CAST(x'e6b2ff' AS TEXT) WHERE id = 1")
    check(run("show", "1", "--db", str(path)), (2,), ["not UTF-8", "whodoes build"])
    check(run("export", "--db", str(path), "-f", "csv"), (2,), ["not UTF-8", "whodoes build"])
    check(run("docs", "--db", str(path), "-f", "csv"), (0,))


def test_database_path_with_uri_characters(tmp_path):
    db = tmp_path / "copy #1?%20 (ü).sqlite"
    shutil.copy(SHIPPED, db)
    check(run("unit", "城管局", "--db", str(db), "-f", "csv"), (0,))
    check(run("docs", env=clean_env(WHODOES_DB=str(db))), (0,))


# -- permissions: as root they do not bite, so these run the command as nobody ------------------


def _unprivileged_prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("tests run as root and setpriv is not available: permissions would not bite")
    prefix = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    try:
        probe = subprocess.run([*prefix, *WHODOES, "--version"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        pytest.skip(f"cannot run whodoes as nobody: {e}")
    if probe.returncode != 0:
        pytest.skip(f"cannot run whodoes as nobody here: {probe.stderr.decode(errors='replace')[-200:]}")
    return prefix


@pytest.fixture
def open_folder():
    """A folder everyone may enter (tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="whodoes-battery-"))
    folder.chmod(0o755)
    yield folder
    for p in [folder, *folder.rglob("*")]:
        try:
            p.chmod(0o755 if p.is_dir() else 0o644)
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


def test_database_without_read_permission(open_folder):
    prefix = _unprivileged_prefix()
    db = open_folder / "plans.sqlite"
    shutil.copy(SHIPPED, db)
    db.chmod(0)
    for args in BAD_DB_COMMANDS[:3]:
        check(run(*args, "--db", str(db), prefix=prefix), (2,), ["cannot read database", "Permission denied"])


def test_database_in_a_folder_without_permission(open_folder):
    prefix = _unprivileged_prefix()
    sub = open_folder / "locked"
    sub.mkdir()
    shutil.copy(SHIPPED, sub / "plans.sqlite")
    sub.chmod(0)
    for args in BAD_DB_COMMANDS[:3]:
        check(run(*args, "--db", str(sub / "plans.sqlite"), prefix=prefix), (2,), ["permission denied"])


def test_read_only_folder_answers_and_leaves_no_journal(open_folder):
    prefix = _unprivileged_prefix()
    sub = open_folder / "ro"
    sub.mkdir()
    shutil.copy(SHIPPED, sub / "plans.sqlite")
    (sub / "plans.sqlite").chmod(0o444)
    sub.chmod(0o555)
    for args in BAD_DB_COMMANDS:
        check(run(*args, "--db", str(sub / "plans.sqlite"), "-f", "csv", prefix=prefix), (0,))
    assert sorted(os.listdir(sub)) == ["plans.sqlite"]
    assert stat.S_IMODE((sub / "plans.sqlite").stat().st_mode) == 0o444


# ----------------------------------------------------------------------------------------------
# queries never write


def test_queries_never_wrote_the_database(db_dir):
    """Last: after every case above (and a few ordinary queries), the database has the same
    bytes and mtime, and nothing appeared beside it."""
    folder, db, (data, mtime) = db_dir
    for args in (
        ["unit", "城管局"],
        ["task", "河长制"],
        ["export"],
        ["units"],
        ["docs", "-v"],
        ["show", "1"],
        ["task", "河長制", "--year", "2020"],
        ["unit", "cgj", "--where", "两江"],
    ):
        check(run(*args, "--db", str(db), "-f", "csv"), (0,))
    assert db.read_bytes() == data
    assert db.stat().st_mtime_ns == mtime
    assert_untouched(folder)


# ----------------------------------------------------------------------------------------------
# attacks (issue 14): outputs onto inputs, special files, huge numbers, crafted databases,
# odd serve options, odd files given to add.  Each is refused in one line, exit 2, and
# leaves every input as it was (tests/cli/test_attacks.py has the transaction, the timing and
# the terminal cases).

ATTACK_PLAN = "重庆市北碚区缙云山行动方案（2023—2025年）\n一、重点任务\n1．治理河道。（牵头单位：区水利局）\n"


def make_attacks(folder: Path) -> dict[str, tuple[list[str], dict, list[str]]]:
    """name -> (arguments, extra environment, words of the one-line message); exit 2, but the
    huge --limit and --top (0: they mean "all") and show's huge id (1: no such task)."""
    db = folder / "plans.sqlite"
    shutil.copy(SHIPPED, db)
    link = folder / "link.sqlite"
    link.symlink_to(db)
    sources = folder / "sources"
    sources.mkdir()
    (sources / "plan.txt").write_text(ATTACK_PLAN, encoding="utf-8")
    text = folder / "notes.txt"
    text.write_text("my notes\n", encoding="utf-8")
    fifo = folder / "fifo.sqlite"
    os.mkfifo(fifo)
    fifo_plan = folder / "fifo.txt"
    os.mkfifo(fifo_plan)
    blob = folder / "blob.sqlite"
    shutil.copy(SHIPPED, blob)
    _sqlite(blob, "UPDATE tasks SET text = x'e6b2b3ff00' WHERE id = 1")
    endless = folder / "endless.sqlite"
    shutil.copy(SHIPPED, endless)
    _sqlite(
        endless,
        "DROP VIEW task_rows",
        "DROP VIEW task_units_flat",
        "ALTER TABLE documents RENAME TO d0",
        "CREATE VIEW documents AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT d0.* FROM n, d0",
    )
    shape = folder / "shape.json"
    shape.write_text('{"databases": ["plans"]}', encoding="utf-8")
    plan = folder / "new.txt"
    plan.write_text(ATTACK_PLAN, encoding="utf-8")
    huge = "9" * 5000
    d, s_ = str(db), str(sources)
    return {
        "-o onto the database": (["export", "--db", d, "-o", d], {}, ["database being read"]),
        "-o through a symlink to the database": (["docs", "--db", d, "-o", str(link)], {}, ["database being read"]),
        "-o onto $WHODOES_DB (a symlink)": (["docs", "-o", d], {"WHODOES_DB": str(link)}, ["database being read"]),
        "-o into the sources": (["docs", "--db", d, "-o", str(sources / "x.csv")], {}, ["sources folder"]),
        "-o onto another SQLite database": (["docs", "--db", d, "-o", str(blob), "-f", "csv"], {}, ["SQLite database"]),
        "build --out onto a text file": (
            ["build", "--sources", s_, "--out", str(text)],
            {},
            ["not a whodoes database", "--force"],
        ),
        "add --db onto a source plan": (
            ["add", str(plan), "--sources", s_, "--db", str(sources / "plan.txt")],
            {},
            ["not a whodoes database"],
        ),
        "a FIFO as --db": (["docs", "--db", str(fifo)], {}, ["FIFO"]),
        "/dev/zero as --db": (["docs", "--db", "/dev/zero"], {}, ["device"]),
        "-o /dev/full": (["docs", "--db", d, "-o", "/dev/full", "-f", "csv"], {}, ["No space left"]),
        "xlsx -o /dev/full": (["docs", "--db", d, "-o", "/dev/full", "-f", "xlsx"], {}, ["No space left"]),
        "--limit of 5,000 digits": (["task", "河长制", "--db", d, "--limit", huge, "-f", "csv"], {}, []),  # exit 0
        "--top of 5,000 digits": (["stats", "--db", d, "--top", huge, "-f", "csv"], {}, []),  # exit 0
        "show id of 5,000 digits": (["show", huge, "--db", d], {}, ["ids run from"]),  # exit 1
        "--year of 5,000 digits": (["unit", "城管局", "--db", d, "--year", huge], {}, ["--year", "cover"]),
        "BLOB task text, --format json": (["show", "1", "--db", str(blob), "-f", "json"], {}, ["binary data"]),
        "a view that never ends": (
            ["docs", "--db", str(endless), "-f", "csv"],
            {"WHODOES_QUERY_SECONDS": "1"},
            ["was stopped"],
        ),
        "serve --get abc": (["serve", "--db", d, "--get", "abc"], {}, ["--get", "/"]),
        "serve --metadata /dev/zero": (["serve", "--db", d, "--metadata", "/dev/zero"], {}, ["device"]),
        "serve --metadata of the wrong shape": (
            ["serve", "--db", d, "--metadata", str(shape), "--get", "/"],
            {},
            ["'databases'"],
        ),
        "add a folder": (["add", str(folder), "--sources", s_, "--db", d], {}, ["is a folder"]),
        "add a FIFO": (["add", str(fifo_plan), "--sources", s_, "--db", d], {}, ["FIFO"]),
        "add a device": (["add", "/dev/null", "--sources", s_, "--db", d], {}, ["device"]),
        "add with DEL in --title": (
            ["add", str(plan), "--sources", s_, "--db", d, "--title", "方案\x7f"],
            {},
            ["control character"],
        ),
        "add over --max-size": (
            ["add", str(plan), "--sources", s_, "--db", d, "--max-size", "0.00001"],
            {},
            ["--max-size"],
        ),
    }


@pytest.fixture(scope="module")
def attacks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attacks")
    cases = make_attacks(folder)
    before = {
        p.name: p.read_bytes()
        for p in [*folder.iterdir(), *(folder / "sources").iterdir()]
        if p.is_file() and not p.is_symlink()
    }
    yield folder, cases
    after = {
        p.name: p.read_bytes()
        for p in [*folder.iterdir(), *(folder / "sources").iterdir()]
        if p.is_file() and not p.is_symlink()
    }
    assert after == before  # no attack changed an input


@pytest.mark.parametrize(
    "name",
    [
        "-o onto the database",
        "-o through a symlink to the database",
        "-o onto $WHODOES_DB (a symlink)",
        "-o into the sources",
        "-o onto another SQLite database",
        "build --out onto a text file",
        "add --db onto a source plan",
        "a FIFO as --db",
        "/dev/zero as --db",
        "-o /dev/full",
        "xlsx -o /dev/full",
        "--limit of 5,000 digits",
        "--top of 5,000 digits",
        "show id of 5,000 digits",
        "--year of 5,000 digits",
        "BLOB task text, --format json",
        "a view that never ends",
        "serve --get abc",
        "serve --metadata /dev/zero",
        "serve --metadata of the wrong shape",
        "add a folder",
        "add a FIFO",
        "add a device",
        "add with DEL in --title",
        "add over --max-size",
    ],
)
def test_attack_battery(name, attacks):
    folder, cases = attacks
    args, env, words = cases[name]
    codes = (0,) if name.startswith(("--limit", "--top")) else (1,) if name.startswith("show") else (2,)
    check(run(*args, env=clean_env(**env)), codes, words)


def test_stdout_on_a_full_disk_is_one_line():
    with open("/dev/full", "wb") as full:
        p = subprocess.run(
            [*WHODOES, "export", "--db", str(SHIPPED), "-f", "csv"],
            stdout=full,
            stderr=subprocess.PIPE,
            env=clean_env(),
            cwd="/",
            timeout=120,
        )
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 2 and err.count("\n") == 1 and "cannot write to standard output" in err, err


# ----------------------------------------------------------------------------------------------
# the table for the closing note: python tests/cli/test_battery.py


def _table() -> None:  # pragma: no cover - a report, not a test
    tmp = Path(tempfile.mkdtemp(prefix="whodoes-battery-table-"))
    db = tmp / "plans.sqlite"
    shutil.copy(SHIPPED, db)
    rows = []
    for name, (q, _, _) in QUERIES.items():
        p = (
            run("task", q, "--db", str(db), "-f", "csv")
            if not q.startswith("-")
            else run("task", "--db", str(db), "--", q)
        )
        rows.append((f"task: {name}", p))
    for name, (args, _) in OPTIONS.items():
        rows.append((name, run(*args[:1], "--db", str(db), *args[1:])))
    bad = tmp / "bad"
    bad.mkdir()
    for name, (path, _) in make_bad_databases(bad).items():
        rows.append((f"db: {name}", run("unit", "城管局", "--db", str(path))))
    attack = tmp / "attacks"
    attack.mkdir()
    for name, (args, env, _) in make_attacks(attack).items():
        rows.append((f"attack: {name}", run(*args, env=clean_env(**env))))
    for name, p in rows:
        err = p.stderr.decode("utf-8", "replace").strip().replace(str(tmp), "…")
        print(f"| {name} | {p.returncode} | {err[:160].replace('|', '/')} |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover
    _table()
