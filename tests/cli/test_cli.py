"""The whodoes command end to end: the installed console script in subprocesses (every
format, every exit code), plus in-process runs of whodoes.cli.app.main for odd input."""

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import WHODOES, clean_env
from whodoes.cli import app as cli

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "plans.sqlite"
DOC_2018 = "liangjiang-2018-green-development-action-plan"
CSV_COLUMNS = ["id", "document", "jurisdiction", "period", "seq", "category", "task", "lead", "support", "source_line"]

pytestmark = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")


def run(*args, env=None, cwd=None, input=None):
    return subprocess.run(
        [*WHODOES, *args], capture_output=True, env=env or clean_env(), cwd=cwd or "/", timeout=120, input=input
    )


def text(b):
    return b.decode("utf-8")


def assert_one_line_error(p, *words):
    assert p.returncode == 2, (p.returncode, p.stderr)
    err = text(p.stderr)
    assert err.startswith("whodoes: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for w in words:
        assert w in err, (w, err)
    assert p.stdout == b""


# ----------------------------------------------------------------------------------------------
# what the issue says it must show


@pytest.mark.lowest
def test_task_hezhangzhi_every_row_with_its_lead_units():
    p = run("task", "河长制", "--format", "csv")
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(text(p.stdout), newline="")))
    conn = sqlite3.connect(f"file:{SHIPPED}?mode=ro", uri=True)
    expected = {
        i
        for (i,) in conn.execute(
            "SELECT id FROM tasks WHERE instr(coalesce(category,'')||'|'||coalesce(title,'')||'|'||coalesce(text,'')"
            "||'|'||coalesce(detail,''), '河长制') > 0"
        )
    }
    assert {int(r["id"]) for r in rows if r["match"] == "exact"} == expected
    for r in rows:
        leads = [
            n
            for (n,) in conn.execute(
                "SELECT name FROM task_units WHERE task_id = ? AND role = 'lead' ORDER BY position", (int(r["id"]),)
            )
        ]
        assert r["lead"] == "、".join(leads)
    assert "河长制" in text(p.stderr)  # how the query was understood


def test_task_csv_columns():
    p = run("task", "海绵城市", "--format", "csv")
    assert p.returncode == 0
    reader = csv.DictReader(io.StringIO(text(p.stdout), newline=""))
    rows = list(reader)
    assert rows and set(CSV_COLUMNS) <= set(reader.fieldnames)
    assert all("海绵" in r["task"] or "海绵" in r["category"] or r["match"] == "fuzzy" for r in rows)


def test_csv_is_the_default_when_piped():
    p = run("task", "海绵城市")
    assert p.stdout.decode().startswith("id,uid,document,")


def test_bom_file(tmp_path):
    out = tmp_path / "out.csv"
    p = run("task", "海绵城市", "--bom", "-o", str(out))
    assert p.returncode == 0 and p.stdout == b""
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,uid,document,")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows


def test_unit_shengtaihuanjingfenju_2020_csv():
    p = run("unit", "生态环境分局", "--year", "2020", "--format", "csv")
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(text(p.stdout), newline="")))
    assert rows
    assert {r["document"] for r in rows} == {DOC_2018}
    assert {r["as_written"] for r in rows} == {"环保分局"}
    assert {r["jurisdiction"] for r in rows} == {"两江新区"}
    assert {r["year"] for r in rows} == {"2020"}
    assert "target" in rows[0]
    conn = sqlite3.connect(f"file:{SHIPPED}?mode=ro", uri=True)
    expected = {
        (str(t), role)
        for t, role in conn.execute(
            "SELECT tu.task_id, tu.role FROM task_units tu JOIN tasks t ON t.id = tu.task_id "
            "WHERE t.document_id = ? AND tu.name = '环保分局'",
            (DOC_2018,),
        )
    }
    assert {(r["id"], r["role"]) for r in rows} == expected
    for r in rows:
        (targets,) = conn.execute("SELECT targets FROM tasks WHERE id = ?", (int(r["id"]),)).fetchone()
        want = json.loads(targets or "{}").get("2020")
        assert (r["target"] or None) == want


def test_unit_chengguanju_groups():
    p = run("unit", "城管局", "--format", "csv")
    assert p.returncode == 0
    rows = list(csv.DictReader(io.StringIO(text(p.stdout), newline="")))
    units = list(dict.fromkeys(r["unit"] for r in rows))
    assert set(units) == {"城市管理局 (两江新区)", "城市管理局 (武隆区)", "城市管理局 (重庆市)"}
    assert {r["matched_by"] for r in rows} == {"short form"}
    assert {r["document"] for r in rows if r["unit"] == "城市管理局 (两江新区)"} == {
        DOC_2018,
        "liangjiang-2021-ecological-protection-14th-plan",
    }
    assert {r["as_written"] for r in rows if r["unit"] == "城市管理局 (武隆区)"} == {"区城管局"}
    err = text(p.stderr)
    assert err.startswith("whodoes: 城管局") and "城市管理局 (两江新区), also written 城管局" in err


@pytest.mark.parametrize("q", ["環保分局", "huanbaofenju", "hbfj"])
def test_unit_traditional_and_pinyin(q):
    def rows(p):
        return list(csv.DictReader(io.StringIO(text(p.stdout), newline="")))

    base = run("unit", "环保分局", "-f", "csv", "-q")
    other = run("unit", q, "-f", "csv", "-q")
    assert other.returncode == 0 and other.stderr == b""
    # the same rows; only how the unit was found differs
    assert {r["matched_by"] for r in rows(base)} == {"predecessor"}
    assert {r["matched_by"] for r in rows(other)} == {"traditional" if q == "環保分局" else "pinyin"}
    strip = lambda rs: [{k: v for k, v in r.items() if k != "matched_by"} for r in rs]  # noqa: E731
    assert strip(rows(other)) == strip(rows(base))


@pytest.mark.lowest
def test_unit_no_match_exits_1_with_suggestions():
    p = run("unit", "不存在的单位名称")
    assert p.returncode == 1 and p.stdout == b""
    err = text(p.stderr)
    assert "no unit matches" in err and "did you mean:" in err and "Traceback" not in err


# ----------------------------------------------------------------------------------------------
# every format


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "jsonl", "markdown"])
def test_every_format(fmt):
    p = run("task", "河长制", "--format", fmt, env=clean_env(COLUMNS="120"))
    assert p.returncode == 0, p.stderr
    out = text(p.stdout)
    if fmt == "csv":
        assert list(csv.DictReader(io.StringIO(out, newline="")))
    elif fmt == "tsv":
        lines = out.splitlines()
        assert lines[0].split("\t")[:3] == ["id", "uid", "document"]
        assert all(len(line.split("\t")) == len(lines[0].split("\t")) for line in lines)
    elif fmt == "json":
        data = json.loads(out)
        assert isinstance(data, list) and isinstance(data[0]["lead"], list) and isinstance(data[0]["targets"], dict)
    elif fmt == "jsonl":
        data = [json.loads(line) for line in out.splitlines()]
        assert data and all(isinstance(d["support"], list) for d in data)
    elif fmt == "markdown":
        assert out.splitlines()[0].startswith("河长制")
        assert "| uid | seq | level |" in out
    else:
        lines = out.splitlines()
        assert lines[0].startswith("河长制: ")  # how the query was understood
        header = next(line for line in lines if line.startswith("┃ id "))  # a drawn table, its header row
        assert all(col in header for col in ("task", "lead", "support"))
        assert sum(line.startswith("│ ") for line in lines) >= 4  # its rows


@pytest.mark.lowest
def test_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("xlsxwriter")
    out = tmp_path / "t.xlsx"
    p = run("task", "河长制", "-o", str(out))
    assert p.returncode == 0, p.stderr
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]][:3] == ["id", "uid", "document"]
    p = run("task", "河长制", "--format", "xlsx")
    assert_one_line_error(p, "-o")


def test_export_jsonl_keys():
    p = run("export", "--format", "jsonl")
    assert p.returncode == 0
    lines = text(p.stdout).splitlines()
    conn = sqlite3.connect(f"file:{SHIPPED}?mode=ro", uri=True)
    assert len(lines) == conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
    first = json.loads(lines[0])
    for key in (
        "doc_sha256",
        "document",
        "seq",
        "section",
        "category",
        "title",
        "text",
        "targets",
        "lead",
        "support",
        "lead_label",
        "support_label",
        "inherited",
        "line",
        "id",
        "detail",
        "deadline",
        "commanders",
        "lead_canonical",
        "support_canonical",
        "location",
    ):
        assert key in first
    assert first["location"] == f"line {first['line']}"  # a text source: its line
    assert isinstance(first["targets"], dict) and isinstance(first["inherited"], list)


def test_show_docs_units():
    p = run("show", "1", "--format", "json")
    assert p.returncode == 0 and json.loads(p.stdout)["id"] == 1
    p = run("show", "1", "--format", "table")
    assert p.returncode == 0 and "source" in text(p.stdout)
    p = run("docs", "--format", "csv")
    assert p.returncode == 0 and text(p.stdout).startswith("id,title,jurisdiction,period,tasks")
    p = run("docs", "--verbose", "--format", "json")
    assert all(isinstance(d["layouts"], list) for d in json.loads(p.stdout))
    p = run("units", "--where", "两江新区", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text(p.stdout), newline="")))
    assert rows and {r["jurisdiction"] for r in rows} == {"两江新区"}
    kinds = [r["kind"] for r in rows]
    assert kinds == sorted(kinds, key=lambda k: k == "collective")


@pytest.mark.lowest
def test_help_version_and_a_usage_error():
    """What Typer answers (the fast path hands it --help and every command line it does not
    accept): also run by the lowest-versions job, with the lowest typer, click and rich allowed."""
    from whodoes import __version__

    for args in (["--help"], ["unit", "--help"]):
        p = run(*args, env=clean_env(COLUMNS="120"))
        assert p.returncode == 0 and p.stderr == b"", (args, p.stderr)
        out = text(p.stdout)
        assert f"Usage: whodoes {args[0] if args[0] != '--help' else ''}".rstrip() in " ".join(out.split()), out
        assert "Example" in out
    assert "QUERY" in text(run("unit", "--help").stdout)
    p = run("--version")
    assert p.returncode == 0 and text(p.stdout) == f"whodoes {__version__}\n"
    assert_one_line_error(run("unit"), "QUERY", "whodoes unit --help")
    assert_one_line_error(run("unit", "城管局", "--bogus"), "--bogus")


# Every command's help in one process (a process each took 8 s): whodoes.cli.app.main, which the
# console script calls, run on each command line; {command line: [exit code, what it printed]}.
EVERY_HELP = """
import contextlib, io, json, sys
from whodoes.cli import app
shown = {}
for args in [[name, "--help"] for name in app.COMMANDS] + [["--help"]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            code = app.main(args)
        except SystemExit as e:
            code = e.code
    shown[" ".join(args)] = [code, out.getvalue()]
sys.stdout.write(json.dumps(shown))
"""


@pytest.mark.lowest
def test_every_command_help_has_an_example():
    p = subprocess.run(
        [sys.executable, "-c", EVERY_HELP], capture_output=True, env=clean_env(COLUMNS="200"), cwd="/", timeout=120
    )
    assert p.returncode == 0, text(p.stderr)
    shown = json.loads(p.stdout)
    assert set(shown) == {f"{name} --help" for name in cli.COMMANDS} | {"--help"}
    for line, (code, out) in shown.items():
        assert code == 0, line
        assert "Example" in out, line


# ----------------------------------------------------------------------------------------------
# exit codes


@pytest.mark.lowest
@pytest.mark.parametrize(
    "args, words",
    [
        (["unit", "城管局", "--year", "abc"], ["--year", "2018"]),
        (["unit", "城管局", "--year", "1800"], ["--year", "cover"]),
        (["task", "河长制", "--format", "xml"], ["--format", "csv", "jsonl"]),
        (["task", "河长制", "--limit", "-1"], ["--limit", "positive"]),
        (["unit", "城管局", "--where", "北京"], ["两江新区", "武隆区"]),
        (["unit", "城管局", "--role", "boss"], ["lead, support, any"]),
        (["unit", "城管局", "--doc", "nothing"], ["--doc", DOC_2018]),
        (["unit", "城管局", "--bogus"], ["--bogus"]),
        (["unit"], ["QUERY"]),
        (["nosuchcommand"], ["nosuchcommand"]),
        (["task", ""], ["empty query"]),
        (["task", "   "], ["empty query"]),
        (["task", "河" * 10000], ["too long"]),
        (["show", "abc"], ["whole number"]),
    ],
)
def test_usage_errors_exit_2_with_one_line(args, words):
    assert_one_line_error(run(*args), *words)


def test_no_results_exit_1():
    p = run("task", "zzzzqqqq")
    assert p.returncode == 1 and p.stdout == b"" and "no task matches" in text(p.stderr)
    p = run("show", "999999")
    assert p.returncode == 1 and "ids run from" in text(p.stderr)
    p = run("task", "河长制", "--year", "2035")
    assert p.returncode == 1 and "without --year" in text(p.stderr)


@pytest.mark.parametrize("q", ['"', "'", "%", "_", "*", "AND", "OR", "NEAR(", '河长制" OR "x', "🙂", "\x07", "x" * 200])
def test_odd_queries_never_traceback(q):
    for cmd in ("task", "unit"):
        p = run(cmd, q, "-f", "csv")
        assert p.returncode in (0, 1, 2), (cmd, q, p.stderr)
        assert b"Traceback" not in p.stderr


def test_piping_into_head_ends_quietly(tmp_path):
    err = tmp_path / "err"
    cmd = " ".join(f"'{a}'" for a in WHODOES)
    p = subprocess.run(
        f"{cmd} export --format jsonl 2>{err} | head -n 1",
        shell=True,
        capture_output=True,
        env=clean_env(),
        timeout=120,
    )
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 1
    assert err.read_bytes() == b""
    p = subprocess.run(
        f"{cmd} export --format table 2>{err} | head -n 2",
        shell=True,
        capture_output=True,
        env=clean_env(),
        timeout=120,
    )
    assert err.read_bytes() == b""


# ----------------------------------------------------------------------------------------------
# choosing and checking the database


def test_db_option_and_environment(tmp_path):
    copy = tmp_path / "copy of plans #1?.sqlite"
    shutil.copy(SHIPPED, copy)
    p = run("docs", "--db", str(copy))
    assert p.returncode == 0
    p = run("docs", env=clean_env(WHODOES_DB=str(copy)))
    assert p.returncode == 0
    p = run("docs", env=clean_env(WHODOES_DB=str(tmp_path / "missing.sqlite")))
    assert_one_line_error(p, "not found", "whodoes build")


def broken_databases(tmp_path):
    out = {}
    out["missing"] = tmp_path / "missing.sqlite"
    (tmp_path / "empty.sqlite").write_bytes(b"")
    out["empty"] = tmp_path / "empty.sqlite"
    (tmp_path / "text.sqlite").write_text("这不是数据库\n" * 100, encoding="utf-8")
    out["not SQLite"] = tmp_path / "text.sqlite"
    data = SHIPPED.read_bytes()
    (tmp_path / "truncated.sqlite").write_bytes(data[: len(data) // 3])
    out["truncated"] = tmp_path / "truncated.sqlite"
    (tmp_path / "header.sqlite").write_bytes(data[:50])
    out["truncated header"] = tmp_path / "header.sqlite"
    v2 = tmp_path / "v2.sqlite"
    shutil.copy(SHIPPED, v2)
    c = sqlite3.connect(v2)
    c.execute("PRAGMA user_version = 3")
    c.commit()
    c.close()
    out["schema version"] = v2
    bare = tmp_path / "bare.sqlite"
    c = sqlite3.connect(bare)
    c.execute("CREATE TABLE t (a)")
    c.commit()
    c.close()
    out["other schema"] = bare
    out["folder"] = tmp_path
    return out


def test_broken_databases_exit_2_with_one_line(tmp_path):
    words = {
        "missing": "not found",
        "empty": "empty",
        "not SQLite": "not an SQLite",
        "truncated": "truncated",
        "truncated header": "truncated",
        "schema version": "schema version is 3",
        "other schema": "whodoes build",
        "folder": "folder",
    }
    for what, path in broken_databases(tmp_path).items():
        for args in (["unit", "城管局"], ["task", "河长制"], ["docs"], ["show", "1"]):
            p = run(*args, "--db", str(path))
            assert_one_line_error(p, words[what])
            assert "whodoes build" in text(p.stderr) or what == "folder"


def test_read_only_folder_still_answers(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "plans.sqlite"
    shutil.copy(SHIPPED, db)
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        p = run("unit", "城管局", "--db", str(db))
        assert p.returncode == 0, p.stderr
        assert sorted(os.listdir(folder)) == ["plans.sqlite"]  # no journal left behind
    finally:
        folder.chmod(0o755)


def test_queries_never_write_the_database(tmp_path):
    db = tmp_path / "plans.sqlite"
    shutil.copy(SHIPPED, db)
    before = db.read_bytes()
    for args in (["unit", "城管局"], ["task", "河长制"], ["export"], ["units"], ["docs"], ["show", "1"]):
        assert run(*args, "--db", str(db)).returncode == 0
    assert db.read_bytes() == before


# ----------------------------------------------------------------------------------------------
# a non-editable install, run from anywhere


@pytest.mark.stress  # a fresh virtual environment
def test_non_editable_install_finds_the_shipped_database(tmp_path):
    """pip install . (not -e) into a fresh venv: the database comes from <prefix>/share/whodoes."""
    src = tmp_path / "src-copy"
    (src / "src").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", src)
    readme = ROOT / "README.md"
    (src / "README.md").write_text(
        readme.read_text(encoding="utf-8") if readme.exists() else "whodoes\n", encoding="utf-8"
    )
    shutil.copytree(ROOT / "src" / "whodoes", src / "src" / "whodoes", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", src / "data", ignore=shutil.ignore_patterns("*.tmp*", "*-journal"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    # the new venv's own pip: never touches the environment running the tests
    p = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(src)], capture_output=True, timeout=600)
    if p.returncode != 0:
        pytest.skip(f"pip install failed here: {p.stderr.decode()[-300:]}")
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # typer, rich, rapidfuzz ...: borrow them from the environment running the tests
    Path(site, "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env = clean_env()
    p = subprocess.run(
        [str(venv / "bin" / "whodoes"), "unit", "城管局", "-f", "csv"],
        capture_output=True,
        env=env,
        cwd=str(tmp_path),
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert text(p.stdout).startswith("id,uid,document,")
    where = subprocess.run(
        [str(py), "-c", "import whodoes, whodoes.paths as p; print(whodoes.__file__); print(p.default_db())"],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        check=True,
    ).stdout.split("\n")
    assert where[0].startswith(site)
    assert where[1] == str(venv / "share" / "whodoes" / "plans.sqlite")


# ----------------------------------------------------------------------------------------------
# in process: the fast path and Typer agree; any text; interrupts


SAME = [
    ["unit", "城管局", "-f", "csv"],
    ["unit", "生态环境分局", "--year", "2020", "--format=csv", "--role", "lead"],
    ["unit", "城管局", "--where", "武隆", "-f", "jsonl", "-q"],
    ["unit", "--limit", "3", "城管局", "-f", "tsv"],
    ["task", "河长制", "-f", "json"],
    ["task", "海绵城市", "--exact", "-f", "markdown"],
    ["task", "水质", "--doc", "2018", "-f", "csv", "--bom"],
    ["show", "1", "-f", "csv"],
    ["docs", "-v", "-f", "csv"],
    ["units", "-w", "两江", "-f", "csv"],
    ["export", "-n", "5", "-f", "jsonl"],
    ["unit", "城管局", "--year", "abc"],
    ["unit", "xyzzy-nothing"],
    ["task", "河长制", "--format", "xml"],
]


def call(args, capsys, monkeypatch, fast=True):
    if fast:
        monkeypatch.delenv("WHODOES_NO_FAST", raising=False)
    else:
        monkeypatch.setenv("WHODOES_NO_FAST", "1")
    monkeypatch.delenv("WHODOES_DB", raising=False)
    rc = cli.main(args)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.lowest
@pytest.mark.parametrize("args", SAME, ids=[" ".join(a) for a in SAME])
def test_fast_path_and_typer_agree(args, capsys, monkeypatch):
    assert cli.fast_parse(args) is not None
    assert call(args, capsys, monkeypatch, fast=True) == call(args, capsys, monkeypatch, fast=False)


@pytest.mark.parametrize(
    "args",
    [
        ["unit", "--help"],
        ["unit", "-y2020", "x"],
        ["unit"],
        ["unit", "a", "b"],
        ["unit", "x", "--year"],
        ["unit", "--", "x"],
        ["build"],
        [],
        ["--version"],
        ["unit", "x", "--bom=1"],
        ["nosuch", "x"],
    ],
)
def test_fast_path_leaves_the_unusual_to_typer(args):
    assert cli.fast_parse(args) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=60), cmd=st.sampled_from(["task", "unit"]))
def test_any_text_is_a_query(q, cmd, capsys, monkeypatch):
    rc, out, err = call([cmd, q, "-f", "jsonl"], capsys, monkeypatch)
    assert rc in (0, 1, 2)
    assert "Traceback" not in err and "internal error" not in err
    if rc:
        assert out == "" and err.startswith("whodoes: ")


def test_keyboard_interrupt_exits_130_quietly(capsys, monkeypatch):
    from whodoes.query import api as query

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(query, "search_tasks", interrupted)
    for fast in (True, False):
        rc, out, err = call(["task", "河长制"], capsys, monkeypatch, fast=fast)
        assert rc == 130 and "Traceback" not in err


def test_internal_error_is_one_line(capsys, monkeypatch):
    from whodoes.query import api as query

    def broken(*a, **k):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(query, "search_tasks", broken)
    rc, out, err = call(["task", "河长制"], capsys, monkeypatch)
    assert rc == 2 and err.count("\n") == 1 and "internal error" in err and "boom" in err
