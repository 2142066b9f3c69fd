"""The query path imports only what it needs (issue 5): sqlite3 + stdlib (+ typer for help
and errors); never the build path (sqlite_utils, opencc, pypinyin, tomllib, whodoes.build.parse,
whodoes.build.pipeline ...); rich only to draw a table; rapidfuzz only when the exact, alias and
pinyin lookups miss; json/csv only for the formats that need them.

Checked in fresh interpreters: ``python -X importtime`` over the installed command, and
sys.modules after calling the query functions.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import clean_env, importtime_command

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "plans.sqlite"

pytestmark = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")

BUILD_ONLY = [
    "sqlite_utils",
    "opencc",
    "pypinyin",
    "rjieba",
    "whodoes.build.phrasebook",
    "tomllib",
    "rtoml",
    "tomli",
    "whodoes.build.parse",
    "whodoes.build.pipeline",
    "whodoes.build.store",
    "whodoes.build.cleanup",
    "whodoes.build.sources",
    "whodoes.build.infer",
    "whodoes.build.units.catalog",
    "whodoes.build.parse.split",
    "whodoes.build.units.bodies",
    "whodoes.build.units.coverage",
    "whodoes.build.document",
    "docx",
    "pdfplumber",
    "pdfminer",
    "pypdfium2",
    "openpyxl",
    "xlrd",
    "lxml",
    "charset_normalizer",
]
HEAVY = ["rich", "rapidfuzz", "pydantic", "typer", "click", "dataclasses", "pathlib", "csv", "json", "unicodedata"]


def imported(*args, env_extra=None):
    p = subprocess.run(
        [*importtime_command(), *args], capture_output=True, env=clean_env(**(env_extra or {})), cwd="/", timeout=120
    )
    names = set()
    other = []
    for line in p.stderr.decode("utf-8", "replace").splitlines():
        if line.startswith("import time:"):
            names.add(line.rsplit("|", 1)[1].strip())
        else:
            other.append(line)
    return p.returncode, names, "\n".join(other)


def top(names):
    return names | {n.split(".")[0] for n in names}


def test_unit_csv_imports_nothing_it_does_not_need():
    rc, names, err = imported("unit", "城管局", "--format", "csv")
    assert rc == 0, err
    mods = top(names)
    assert "sqlite3" in mods and "whodoes.query.api" in names
    for m in BUILD_ONLY + HEAVY:
        assert m not in mods, f"{m} imported by `whodoes unit 城管局 --format csv`"


@pytest.mark.parametrize(
    "args",
    [
        ["task", "河长制", "-f", "csv"],
        ["task", "水质", "-f", "tsv"],
        ["task", "海棉城市", "-f", "csv"],  # a homophone typo: the phrases and readings the build wrote
        ["task", "hmcs", "-f", "csv"],  # initials
        ["unit", "環保分局", "-f", "csv"],
        ["unit", "hbfj", "-f", "csv"],
        ["docs", "-f", "csv"],
        ["units", "-f", "csv"],
        ["show", "1", "-f", "csv"],
    ],
)
def test_other_queries_stay_lean(args):
    rc, names, err = imported(*args)
    assert rc == 0, err
    mods = top(names)
    for m in BUILD_ONLY + ["rich", "rapidfuzz", "pydantic", "typer"]:
        assert m not in mods, f"{m} imported by {args}"


def test_json_only_for_json():
    rc, names, _ = imported("task", "河长制", "-f", "jsonl")
    assert rc == 0 and "json" in names
    assert not {"rich", "typer", "csv"} & top(names)


def test_rich_only_for_a_table():
    rc, names, _ = imported("task", "河长制", "-f", "table")
    assert rc == 0 and "rich" in top(names)
    for m in BUILD_ONLY:
        assert m not in top(names)


def test_rapidfuzz_only_when_lookups_miss():
    rc, names, _ = imported("unit", "城关局", "--fuzzy", "-f", "csv")
    assert rc == 0 and "rapidfuzz" in top(names)
    for m in BUILD_ONLY + ["rich", "typer"]:
        assert m not in top(names)


def test_help_and_errors_go_through_typer_without_build_modules():
    # typer 0.2x coerces its own --help option through pydantic; keeping that out needed
    # typer's private API (issue 16 removed it), so help and usage errors may import it
    rc, names, _ = imported("unit", "--help", env_extra={"COLUMNS": "120"})
    assert rc == 0 and "typer" in top(names)
    for m in BUILD_ONLY:
        assert m not in top(names)
    rc, names, _ = imported("unit", "城管局", "--bogus")
    assert rc == 2
    for m in BUILD_ONLY:
        assert m not in top(names)


def test_chinese_messages_stay_lean():
    rc, names, err = imported("unit", "城管局", "--format", "csv", env_extra={"LANG": "zh_CN.UTF-8"})
    assert rc == 0, err
    assert "whodoes.i18n" in names
    for m in BUILD_ONLY + ["rich", "rapidfuzz", "typer", "pydantic", "babel"]:
        assert m not in top(names)


def test_query_functions_called_directly_import_no_build_modules():
    code = f"""
        import sys
        from whodoes.query import api as query
        conn = query.connect({str(SHIPPED)!r})
        assert query.tasks_for_unit(conn, "城管局", year=2020).rows
        assert query.search_tasks(conn, "河长制").rows
        assert query.search_tasks(conn, "水质").rows
        assert query.get_task(conn, 1)
        query.list_documents(conn); query.list_units(conn); query.export_tasks(conn)
        bad = {BUILD_ONLY + ["rich", "rapidfuzz", "typer", "pydantic"]!r}
        print(",".join(m for m in bad if m in sys.modules))
    """
    p = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == ""
