"""At home in its ecosystem (issue 8): Datasette, spreadsheets, shell completion, build
progress, the stats chart.

The Datasette tests run ``datasette`` itself (skipped only where Datasette is not installed;
the test extra installs it); xlsx needs xlsxwriter and openpyxl (also in the test extra).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import WHODOES, clean_env, importtime_command, serving
from whodoes.cli import app as cli
from whodoes.cli import complete, progress
from whodoes.output import render
from whodoes.query import api as query
from whodoes.web import serve as web

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "plans.sqlite"
METADATA = ROOT / "data" / "datasette-metadata.json"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")


def whodoes(*args, env=None, cwd="/"):
    p = subprocess.run([*WHODOES, *map(str, args)], capture_output=True, env=env or clean_env(), cwd=cwd, timeout=300)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def ro():
    conn = sqlite3.connect(f"file:{SHIPPED}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def containing(term: str) -> list[int]:
    hay = "coalesce(category,'')||char(31)||coalesce(title,'')||char(31)||coalesce(text,'')||char(31)||coalesce(detail,'')"
    return [r[0] for r in ro().execute(f"SELECT id FROM tasks WHERE instr({hay}, ?) > 0 ORDER BY id", (term,))]


# ----------------------------------------------------------------------------------------------
# Datasette

needs_datasette = pytest.mark.skipif(web.datasette_version() is None, reason="datasette not installed")


@pytest.fixture(scope="module")
def site():
    """The base URL of one ``whodoes serve`` on the shipped database, for the module's pages
    after the first (a ``whodoes serve --get`` starts Datasette for one page)."""
    with serving(SHIPPED) as base:
        yield base


def page_of(site: str, path: str) -> str:
    with urllib.request.urlopen(site + path, timeout=120) as r:
        assert r.status == 200, path
        return r.read().decode("utf-8")


def datasette_get(path: str, *extra) -> tuple[int, str]:
    exe = BIN / "datasette"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "datasette"]
    p = subprocess.run([*cmd, str(SHIPPED), *extra, "--get", path], capture_output=True, timeout=300, env=clean_env())
    return p.returncode, p.stdout.decode("utf-8")


def q(text: str) -> str:
    return urllib.parse.quote(text)


@needs_datasette
def test_datasette_get_the_flat_view():
    code, out = datasette_get("/plans/task_rows.json?_shape=array&_size=max")
    assert code == 0, out
    rows = json.loads(out)
    conn = ro()
    assert [r["id"] for r in rows] == [
        r[0]
        for r in conn.execute(
            "SELECT t.id FROM tasks t JOIN documents d ON d.id = t.document_id ORDER BY d.ordinal, t.ordinal"
        )
    ]
    first = rows[0]
    assert set(first) >= {
        "id",
        "document",
        "jurisdiction",
        "period",
        "task",
        "lead",
        "support",
        "source_file",
        "source_line",
    }
    lead = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM task_units WHERE task_id = ? AND role = 'lead' ORDER BY position", (first["id"],)
        )
    ]
    assert first["lead"] == "、".join(lead)


@needs_datasette
def test_datasette_search_for_haimian_chengshi():
    expected = containing("海绵城市")
    assert expected
    # the search box of the tasks table (the FTS table sqlite-utils made)
    code, out = datasette_get(f"/plans/tasks.json?_search={q('海绵城市')}&_shape=array&_col=id&_size=max")
    assert code == 0, out
    assert sorted(r["id"] for r in json.loads(out)) == expected
    # and of the flat view, with the metadata that points it at that index
    code, out = datasette_get(
        f"/plans/task_rows.json?_search={q('海绵城市')}&_shape=array&_size=max", "--metadata", str(METADATA)
    )
    assert code == 0, out
    rows = json.loads(out)
    assert sorted(r["id"] for r in rows) == expected
    assert all("海绵城市" in (r["task"] or "") + (r["title"] or "") + (r["category"] or "") for r in rows)


@needs_datasette
def test_whodoes_serve_get_with_facets_labels_and_sources(site):
    code, out, err = whodoes(
        "serve",
        "--get",
        f"/plans/task_units_flat.json?_facet=unit&_facet=role&role=lead&unit={q('城市管理局')}&_size=max",
    )
    assert code == 0, err
    data = json.loads(out)
    expected = (
        ro()
        .execute(
            """SELECT count(*) FROM task_units tu JOIN units u ON u.id = tu.unit_id
            WHERE u.name = '城市管理局' AND tu.role = 'lead'"""
        )
        .fetchone()[0]
    )
    assert data["filtered_table_rows_count"] == expected > 0
    facets = data["facet_results"]
    facets = facets.get("results", facets)  # Datasette 1.0 nests them
    assert {"unit", "role"} <= set(facets)
    # facets configured for the flat view, and the Chinese column labels on the page (the same
    # site, running)
    page = page_of(site, "/plans/task_units_flat")
    assert "牵头" in page and "原文写法" in page and "facet" in page.lower()
    # the database page lists the source of every document
    page = page_of(site, "/plans")
    for d in ro().execute("SELECT title, file, sha256 FROM documents"):
        assert d["file"] in page and d["sha256"][:16] in page
    # search on the view, as CSV
    out = page_of(site, f"/plans/task_rows.csv?_search={q('海绵城市')}&_col=document&_size=max")
    assert len(out.strip().splitlines()) == 1 + len(containing("海绵城市"))


@needs_datasette
def test_canned_unit_query_knows_short_forms(site):
    rows = json.loads(page_of(site, f"/plans/unit_tasks.json?name={q('城管局')}&_shape=array&_size=max"))
    ids = {r["task_id"] for r in rows}
    res = query.tasks_for_unit(query.connect(str(SHIPPED)), "城管局")
    assert ids == {r["id"] for r in res.rows}


def test_the_metadata_describes_what_the_database_has():
    meta = json.loads(METADATA.read_text(encoding="utf-8"))
    db = meta["databases"]["plans"]
    conn = ro()
    objects = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    for table, t in db["tables"].items():
        assert table in objects, table
        cols = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        for c in t.get("columns", {}):
            assert c in cols, (table, c)
        for c in t.get("facets", []):
            assert c in cols, (table, c)
        if "fts_table" in t:
            assert t["fts_table"] in objects and t["fts_pk"] in cols
    for name in ("task_rows", "task_units_flat", "documents", "tasks", "units", "unit_names", "task_units"):
        assert db["tables"][name]["columns"], name
    # Chinese column labels
    assert db["tables"]["task_rows"]["columns"]["lead"].startswith("牵头单位")
    for sql in (qq["sql"] for qq in db["queries"].values()):
        conn.execute("EXPLAIN " + sql, {p: "城管局" for p in web.named_params(sql)})


def test_serve_runs_datasette_read_only_on_localhost(monkeypatch, capsys):
    seen = {}

    def fake(args):
        seen["args"] = args
        meta = args[args.index("--metadata") + 1]
        seen["meta"] = json.loads(Path(meta).read_text(encoding="utf-8"))
        return 0

    monkeypatch.setattr(web, "datasette_version", lambda: "0.65")
    monkeypatch.setattr(web, "_run_datasette", fake)
    assert cli.main(["serve", "--db", str(SHIPPED)]) == 0
    args = seen["args"]
    assert args[0] == "serve" and args[args.index("-i") + 1] == str(SHIPPED)
    assert args[args.index("-h") + 1] == "127.0.0.1" and args[args.index("-p") + 1] == "8001"
    assert "read-only" in capsys.readouterr().err
    meta = seen["meta"]["databases"]["plans"]
    assert "sha256" in meta["description_html"] and "liangjiang-2018" in meta["tables"]["documents"]["description_html"]
    # another database: the metadata follows its name
    assert cli.main(["serve", "--db", str(SHIPPED), "--port", "0", "--host", "0.0.0.0"]) == 0


def test_serve_metadata_for_another_database_name(tmp_path, monkeypatch):
    other = tmp_path / "mine.sqlite"
    shutil.copyfile(SHIPPED, other)
    seen = {}
    monkeypatch.setattr(web, "datasette_version", lambda: "0.65")
    monkeypatch.setattr(
        web,
        "_run_datasette",
        lambda args: (
            seen.update(meta=json.loads(Path(args[args.index("--metadata") + 1]).read_text(encoding="utf-8"))) or 0
        ),
    )
    assert cli.main(["serve", "--db", str(other)]) == 0
    assert set(seen["meta"]["databases"]) == {"mine"}


def test_datasette_1_gets_a_config_file():
    meta = json.loads(METADATA.read_text(encoding="utf-8"))
    m, c = web.split_config(meta)
    assert c["databases"]["plans"]["tables"]["task_rows"]["facets"]
    assert "facets" not in m["databases"]["plans"]["tables"]["task_rows"]
    assert m["databases"]["plans"]["tables"]["task_rows"]["columns"]
    assert "unit_tasks" in c["databases"]["plans"]["queries"]


def test_serve_without_datasette_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr(web, "datasette_version", lambda: None)
    assert cli.main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install" in err and "datasette" in err.lower()


def test_serve_bad_port(monkeypatch, capsys):
    monkeypatch.setattr(web, "datasette_version", lambda: "0.65")
    assert cli.main(["serve", "--port", "http"]) == 2
    assert "--port" in capsys.readouterr().err


def test_the_unit_view_has_a_row_per_link():
    conn = ro()
    n = conn.execute("SELECT count(*) FROM task_units").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM task_units_flat").fetchone()[0] == n
    row = conn.execute("SELECT * FROM task_units_flat WHERE as_written = '环保分局' LIMIT 1").fetchone()
    assert row["unit"] == "生态环境分局" and row["role"] in ("lead", "support")


# ----------------------------------------------------------------------------------------------
# xlsx


def test_xlsx_holds_the_same_rows_as_the_csv(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("xlsxwriter")
    # (unit writes the printable ledger to xlsx instead: tests/output/test_ledger.py)
    for args in (["export"], ["due", "--as-of", "2020-01-01", "--within", "1y"], ["task", "海绵城市"]):
        x, c = tmp_path / "out.xlsx", tmp_path / "out.csv"
        code, _, err = whodoes(*args, "-o", x)
        assert code == 0, err
        code, _, err = whodoes(*args, "-o", c)
        assert code == 0, err
        ws = openpyxl.load_workbook(x).active
        got = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        want = list(csv.reader(io.StringIO(c.read_text(encoding="utf-8"), newline="")))
        assert got == want, args
        assert len(got) > 1


def test_xlsx_is_a_real_spreadsheet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("xlsxwriter")
    x = tmp_path / "tasks.xlsx"
    code, _, err = whodoes("export", "--format", "xlsx", "-o", x)
    assert code == 0, err
    ws = openpyxl.load_workbook(x).active
    header = [c.value for c in ws[1]]
    assert header[:4] == ["id", "uid", "document", "document_title"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    task = header.index("task") + 1

    def width(column):  # openpyxl groups equal neighbouring columns into one dimension
        return next(d.width for d in ws.column_dimensions.values() if d.min <= column <= d.max)

    assert width(task) >= 40  # wide Chinese text gets a wide, wrapped column
    assert ws.cell(row=2, column=task).alignment.wrap_text
    assert width(1) < 15 and not ws.cell(row=2, column=1).alignment.wrap_text
    assert isinstance(ws["A2"].value, int)


def test_xlsx_never_to_a_terminal_and_needs_xlsxwriter(tmp_path, monkeypatch, capsys):
    code, out, err = whodoes("export", "--format", "xlsx")
    assert code == 2 and out == "" and "-o" in err and err.count("\n") == 1
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)  # as if not installed
    assert cli.main(["export", "-o", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "xlsxwriter" in err and "pip install" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_display_width_counts_chinese_double():
    assert render.display_width("abc") == 3
    assert render.display_width("城管局") == 6
    assert render.display_width("“十四五”") == 10


# ----------------------------------------------------------------------------------------------
# shell completion


class Ctx:
    def __init__(self, **params):
        self.params = params
        self.parent = None


def test_completing_cheng_lists_units_starting_with_cheng():
    items = complete.complete_unit(Ctx(), "城")
    names = [v for v, _help in items]
    assert names and all(n.startswith("城") for n in names)
    assert {"城市管理局", "城管局"} <= set(names)
    expected = {
        r[0]
        for r in ro().execute(
            """SELECT name FROM unit_names WHERE name LIKE '城%'
           UNION SELECT t.name FROM type_names t JOIN units u ON u.type = t.type WHERE t.name LIKE '城%'"""
        )
    }
    assert set(names) == expected
    assert names[0] == "城市管理局"  # canonical names first
    helps = dict(items)
    assert "两江新区" in helps["城管局"] and "武隆区" in helps["城管局"]


def test_completion_of_documents_and_jurisdictions():
    docs = [v for v, _ in complete.complete_doc(Ctx(), "liang")]
    assert docs == [r[0] for r in ro().execute("SELECT id FROM documents WHERE id LIKE 'liang%' ORDER BY ordinal")]
    assert [v for v, _ in complete.complete_where(Ctx(), "武")] == ["武隆区"]
    # --db typed earlier on the line is used; a database that cannot be opened completes nothing
    assert complete.complete_unit(Ctx(db=str(SHIPPED)), "城")
    assert complete.complete_unit(Ctx(db="/nonexistent/x.sqlite"), "城") == []


def test_typer_completion_through_the_shell_protocol():
    env = clean_env(_WHODOES_COMPLETE="complete_bash", COMP_WORDS="whodoes unit 城", COMP_CWORD="2")
    code, out, err = whodoes(env=env)
    assert code == 0, err
    assert set(out.split()) == {v for v, _ in complete.complete_unit(Ctx(), "城")}
    env = clean_env(_WHODOES_COMPLETE="complete_bash", COMP_WORDS="whodoes task 水 --doc wu", COMP_CWORD="4")
    code, out, err = whodoes(env=env)
    assert code == 0 and out.split() == ["wulong-2019-two-mountains-base-plan"]
    env = clean_env(_WHODOES_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS="whodoes unit 城")
    code, out, err = whodoes(env=env)
    assert code == 0 and "城市管理局" in out and "两江新区" in out  # zsh shows what each name is


# the first line of each shell's script that only that shell's script has
SCRIPT_MARKS = {
    "bash": "COMP_WORDS=",
    "zsh": "#compdef whodoes",
    "fish": "complete --command whodoes",
    "powershell": "Register-ArgumentCompleter",
    "pwsh": "Register-ArgumentCompleter",
}


@pytest.mark.parametrize("shell", sorted(SCRIPT_MARKS))
def test_show_completion_prints_the_script_of_the_shell_named(shell):
    """Whatever shell runs the tests (none, under CI): the script of the shell named."""
    code, out, err = whodoes("--show-completion", shell, env=clean_env(SHELL="/bin/bash"))
    assert code == 0, err
    assert SCRIPT_MARKS[shell] in out and "_WHODOES_COMPLETE" in out
    others = {m for s, m in SCRIPT_MARKS.items() if m != SCRIPT_MARKS[shell]}
    assert not any(m in out for m in others), out[:200]


def test_show_completion_of_an_unknown_shell_is_a_usage_error():
    code, out, err = whodoes("--show-completion", "tcsh")
    assert code == 2 and out == "" and err.count("\n") == 1 and "bash, zsh, fish" in err


def test_the_shell_is_taken_from_shell_when_no_parent_process_names_one(monkeypatch):
    monkeypatch.setitem(sys.modules, "shellingham", None)  # as if not installed
    monkeypatch.setenv("SHELL", "/usr/bin/zsh")
    assert complete.detect_shell() == "zsh"
    monkeypatch.setenv("SHELL", "/bin/tcsh")
    assert complete.detect_shell() is None


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_install_completion_writes_the_script_and_loads_it_once(tmp_path, shell):
    env = clean_env(HOME=str(tmp_path))
    for _ in range(2):
        code, out, err = whodoes("--install-completion", shell, env=env)
        assert code == 0 and f"{shell} completion written to" in out, err
    where, rc, line = complete.INSTALL[shell]
    assert SCRIPT_MARKS[shell] in (tmp_path / where).read_text(encoding="utf-8")
    if rc:
        assert (tmp_path / rc).read_text(encoding="utf-8").count(line) == 1  # appended once


# ----------------------------------------------------------------------------------------------
# build progress


def test_build_logs_one_plain_line_per_document_when_not_on_a_terminal(tmp_path):
    out = tmp_path / "p.sqlite"
    code, stdout, err = whodoes("build", "--out", out)
    assert code == 0, err
    n = ro().execute("SELECT count(*) FROM documents").fetchone()[0]
    lines = [ln for ln in err.splitlines() if ln.startswith("whodoes: [")]
    assert len(lines) == n and lines[0].startswith("whodoes: [1/") and "task rows" in lines[0]
    assert "\x1b[" not in err and "━" not in err
    assert stdout.startswith(f"{ro().execute('SELECT count(*) FROM tasks').fetchone()[0]} task rows")


class TTY(io.StringIO):
    def isatty(self):
        return True


def test_build_progress_on_a_terminal_is_a_rich_bar():
    stream = TTY()
    with progress.BuildProgress(stream) as p:
        p.start(2)
        p.document("a", 3, 1)
        p.document("b", 1, 2)
    text = stream.getvalue()
    assert "building" in text and "2/2" in text and "a: 3 task rows" in text and "b: 1 task row" in text
    assert "whodoes: [" not in text


# ----------------------------------------------------------------------------------------------
# stats


def test_stats_counts_leads_and_supports_per_jurisdiction():
    code, out, err = whodoes("stats", "--format", "csv", "--top", "3")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    conn = ro()
    for r in rows:  # each level on its own: tasks, and key projects
        for level, column in (("task", "tasks"), ("project", "projects")):
            n = conn.execute(
                """SELECT count(DISTINCT tu.task_id) FROM task_units tu JOIN units u ON u.id = tu.unit_id
                    JOIN tasks t ON t.id = tu.task_id WHERE u.key = ? AND tu.role = ? AND t.level = ?""",
                (r["key"], r["role"], level),
            ).fetchone()[0]
            assert int(r[column]) == n
    assert all(r["kind"] == "body" for r in rows)
    per = {}
    for r in rows:
        per.setdefault((r["jurisdiction"], r["role"]), []).append(int(r["tasks"]))
    assert all(v == sorted(v, reverse=True) for v in per.values())
    assert all(int(r["rank"]) <= 3 for r in rows)  # more than 3 rows only where units tie (test_i18n: ties kept)
    assert ("两江新区", "lead") in per and ("两江新区", "support") in per
    top = max(
        r[0]
        for r in conn.execute(
            """SELECT count(DISTINCT tu.task_id) FROM task_units tu JOIN units u ON u.id = tu.unit_id
            JOIN tasks t ON t.id = tu.task_id
            WHERE u.jurisdiction = '两江新区' AND u.kind = 'body' AND tu.role = 'lead' AND t.level = 'task'
            GROUP BY u.id"""
        )
    )
    assert per[("两江新区", "lead")][0] == top


def test_stats_chart_on_a_terminal():
    code, out, err = whodoes(
        "stats", "--where", "两江新区", "--top", "3", "--all", "--format", "table", env=clean_env(COLUMNS="100")
    )
    assert code == 0, err
    # the roles named with the plans' own labels (两江新区's plans say 牵头单位 and 责任单位)
    assert "两江新区" in out and "lead 责任/牵头" in out and "support 配合" in out and "█" in out and " *" in out
    assert "武隆区" not in out


@pytest.mark.parametrize(
    "args, word",
    [
        (["--top", "0"], "--top"),
        (["--top", "x"], "--top"),
        (["--role", "boss"], "--role"),
        (["--where", "北京"], "两江新区"),
    ],
)
def test_stats_usage_errors(args, word):
    code, out, err = whodoes("stats", *args)
    assert code == 2 and out == "" and word in err and err.count("\n") == 1


def test_stats_csv_and_completion_stay_off_the_heavy_imports():
    cmd = importtime_command()
    heavy = {"rich", "typer", "sqlite_utils", "opencc", "pypinyin", "datasette", "xlsxwriter", "rapidfuzz"}
    p = subprocess.run([*cmd, "stats", "--format", "csv"], capture_output=True, env=clean_env(), timeout=120)
    assert p.returncode == 0, p.stderr
    names = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in p.stderr.decode().splitlines()
        if line.startswith("import time:")
    }
    assert not heavy & names, heavy & names
    env = clean_env(_WHODOES_COMPLETE="complete_bash", COMP_WORDS="whodoes unit 城", COMP_CWORD="2")
    p = subprocess.run(cmd, capture_output=True, env=env, timeout=120)
    names = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in p.stderr.decode().splitlines()
        if line.startswith("import time:")
    }
    assert not {"sqlite_utils", "opencc", "pypinyin", "datasette", "xlsxwriter"} & names


@pytest.mark.parametrize(
    "args",
    [
        ["stats", "-f", "csv"],
        ["stats", "--all", "--top", "2", "--role", "lead", "-f", "json"],
        ["stats", "-w", "武隆", "-f", "tsv"],
    ],
)
def test_stats_fast_path_and_typer_agree(args):
    fast = whodoes(*args)
    slow = whodoes(*args, env=clean_env(WHODOES_NO_FAST="1"))
    assert fast == slow and fast[0] == 0
