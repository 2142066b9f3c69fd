"""Issue 13: unit queries and the units each must answer with, never the wrong one.

One table of queries, checked against the shipped database and against a database with two
added district plans (tests/fixtures/unseen: 北碚区, written 区XX, and 巫山县, written 县XX in
traditional characters), built here exactly as ``whodoes add`` builds them.  Each row: the
query, the units it must answer with (label "name (jurisdiction)"), and how they were found
(matched_by); ``None`` = no answer: exit 1, nothing on stdout, "did you mean" on stderr.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest

from conftest import NOT_PLANS, ROOT, SHIPPED, WHODOES, clean_env
from whodoes.query import api as query
from whodoes.query import db, resolve

ALL_CGJ = {"城市管理局 (两江新区)", "城市管理局 (武隆区)", "城市管理局 (重庆市)"}
ALL_GZJ = {"规划自然资源局 (两江新区)", "规划自然资源局 (武隆区)", "规划自然资源局 (重庆市)"}

# query -> (units, matched_by) on the shipped database
SHIPPED_TABLE = {
    # the examples
    "武隆区环保局": ({"生态环境局 (武隆区)"}, "predecessor"),
    "市环保局": ({"生态环境局 (重庆市)"}, "predecessor"),
    "国土局": (ALL_GZJ, "predecessor"),
    "规资局": (ALL_GZJ, "short form"),
    "城管局": (ALL_CGJ, "short form"),
    "发改委": ({"发展改革委 (武隆区)", "发展改革委 (重庆市)"}, "short form"),
    "住建委": ({"住房城乡建委 (武隆区)", "住房城乡建委 (重庆市)"}, "short form"),
    "经信委": ({"经济信息委 (武隆区)", "经济信息委 (重庆市)"}, "short form"),
    "人社局": ({"人力社保局 (武隆区)", "人力社保局 (重庆市)"}, "short form"),
    "卫健委": ({"卫生健康委 (武隆区)", "卫生健康委 (重庆市)"}, "short form"),
    "应急局": ({"应急管理局 (两江新区)"}, "short form"),
    "水务局": None,
    "江北区城管局": None,
    "环保部": None,
    "城管句": None,
    # the existing behaviour
    "生态环境分局": ({"生态环境分局 (两江新区)"}, "exact"),
    "環保分局": ({"生态环境分局 (两江新区)"}, "traditional"),
    "huanbaofenju": ({"生态环境分局 (两江新区)"}, "pinyin"),
    "hbfj": ({"生态环境分局 (两江新区)"}, "pinyin"),
    "环保分局": ({"生态环境分局 (两江新区)"}, "predecessor"),
    "国土分局": ({"规划自然资源局 (两江新区)"}, "predecessor"),
    # our own
    "生态环境局": (
        {"生态环境局 (重庆市)", "生态环境局 (武隆区)", "生态环境局 (云阳县)", "生态环境分局 (两江新区)"},
        "exact",
    ),
    "环保局": (
        {"生态环境局 (重庆市)", "生态环境局 (武隆区)", "生态环境局 (云阳县)", "生态环境分局 (两江新区)"},
        "predecessor",
    ),
    "武隆城管局": ({"城市管理局 (武隆区)"}, "short form"),
    "两江国土局": ({"规划自然资源局 (两江新区)"}, "predecessor"),
    "市城管局": ({"城市管理局 (重庆市)"}, "short form"),
    "县环保局": ({"生态环境局 (云阳县)"}, "predecessor"),
    "安监局": ({"应急管理局 (两江新区)"}, "predecessor"),
    "文旅委": ({"文化旅游委 (武隆区)", "文化旅游委 (重庆市)"}, "short form"),
    "旅游局": ({"文化旅游委 (武隆区)", "文化旅游委 (重庆市)"}, "predecessor"),
    "卫计委": ({"卫生健康委 (武隆区)", "卫生健康委 (重庆市)"}, "predecessor"),
    "农委": ({"农业农村委 (武隆区)", "农业农村委 (重庆市)"}, "predecessor"),
    "工商局": ({"市场监管局 (两江新区)", "市场监管局 (重庆市)"}, "predecessor"),
    "发展和改革委员会": ({"发展改革委 (武隆区)", "发展改革委 (重庆市)"}, "exact"),
    "公安局": ({"公安局 (重庆市)", "公安局 (武隆区)", "公安分局 (两江新区)"}, "exact"),
    "市场监管局": ({"市场监管局 (两江新区)", "市场监管局 (重庆市)"}, "exact"),
    "城管委": (ALL_CGJ, "predecessor"),
    "巫山县城管局": None,  # a place with no plan in the shipped database
    "水务分局": None,
}

BEIBEI = "beibei-2023-jialing-water-clauses.txt"
WUSHAN = "wushan-2021-shoreline-traditional.txt"

# on the database with the 北碚区 and 巫山县 plans added: what changes
ADDED_TABLE = {
    "城管局": (ALL_CGJ | {"城市管理局 (北碚区)"}, "short form"),
    "北碚区环保局": ({"生态环境局 (北碚区)"}, "predecessor"),
    "北碚城管局": ({"城市管理局 (北碚区)"}, "short form"),
    "巫山环保局": ({"生态环境局 (巫山县)"}, "predecessor"),
    "巫山县城管局": None,  # 巫山县 has a plan now, but it names no 城市管理局
    "江北区城管局": None,
    "区生态环境局": ({"生态环境局 (武隆区)", "生态环境局 (北碚区)"}, "exact"),
    "县生态环境局": ({"生态环境局 (云阳县)", "生态环境局 (巫山县)"}, "exact"),
    "市环保局": ({"生态环境局 (重庆市)"}, "predecessor"),
    "发改委": ({"发展改革委 (武隆区)", "发展改革委 (重庆市)", "发展改革委 (巫山县)"}, "short form"),
    "住建委": ({"住房城乡建委 (武隆区)", "住房城乡建委 (重庆市)", "住房城乡建委 (北碚区)"}, "short form"),
    "国土局": (ALL_GZJ | {"规划自然资源局 (北碚区)", "规划自然资源局 (巫山县)"}, "predecessor"),
    "公安局": ({"公安局 (重庆市)", "公安局 (武隆区)", "公安分局 (两江新区)", "公安局 (北碚区)"}, "exact"),
    "公安分局": ({"公安分局 (两江新区)", "公安局 (北碚区)"}, "exact"),  # 北碚区 writes 区公安分局
    "蔡家岗街道": ({"蔡家岗街道 (北碚区)"}, "exact"),
    "水务局": None,
    "城管句": None,
}


def labels(res) -> set[str]:
    return {u.label for u in res.units}


def check(conn, q, expected):
    res = resolve.resolve(conn, q)
    if expected is None:
        assert not res.units, f"{q} -> {labels(res)}"
        assert res.suggestions, f"{q}: no suggestions"
        return res
    units, how = expected
    assert labels(res) == units, q
    assert {u.matched_by for u in res.units} == (how if isinstance(how, set) else {how}), q
    return res


@pytest.mark.parametrize("q,expected", SHIPPED_TABLE.items(), ids=list(SHIPPED_TABLE))
def test_shipped(conn, q, expected):
    check(conn, q, expected)


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    """The shipped plans plus the 北碚区 and 巫山县 plans, built with no metadata for them."""
    from whodoes.build.pipeline import build

    folder = tmp_path_factory.mktemp("added")
    sources = folder / "sources"
    shutil.copytree(ROOT / "data" / "sources", sources, ignore=NOT_PLANS)
    for name in (BEIBEI, WUSHAN):
        shutil.copy(ROOT / "tests" / "fixtures" / "unseen" / name, sources / name)
    out = folder / "plans.sqlite"
    build(sources, out, ROOT / "data" / "units.toml")
    c = db.connect(out)
    yield out, c
    c.close()


@pytest.mark.parametrize("q,expected", ADDED_TABLE.items(), ids=list(ADDED_TABLE))
def test_added_district(added, q, expected):
    check(added[1], q, expected)


def test_added_plans_are_of_their_districts(added):
    docs = {d["id"]: d["jurisdiction"] for d in query.list_documents(added[1])}
    assert docs["beibei-2023-jialing-water-clauses"] == "北碚区"
    assert docs["wushan-2021-shoreline-traditional"] == "巫山县"


def test_no_plan_of_a_place_is_said(conn):
    res = resolve.resolve(conn, "江北区城管局")
    assert res.no_plan == "江北区" and "no plan of 江北区" in res.describe()
    # the suggestions: the 城市管理局 of the jurisdictions that have plans
    assert set(res.suggestions[:3]) == ALL_CGJ


def test_suggestions_prefer_the_nearest_body_type(conn):
    res = resolve.resolve(conn, "城管句")
    assert set(res.suggestions[:3]) == ALL_CGJ


def test_added_units_have_their_types_and_nothing_is_unknown(added):
    units = query.list_units(added[1], where="北碚区")
    by_name = {u["name"]: u for u in units}
    assert by_name["生态环境局"]["type"] == "生态环境局"
    assert by_name["公安局"]["type"] == "公安局"  # written 区公安分局
    assert by_name["蔡家岗街道"]["type"] == "街道办事处"
    assert query.list_units(added[1], unknown=True) == []
    groups = {u["name"] for u in units if u["kind"] == "collective"}
    assert {"各镇街", "相关镇街"} <= groups


def test_units_of_a_type_in_every_jurisdiction(added):
    rows = query.list_units(added[1], body_type="生态环境局")
    assert {(r["name"], r["jurisdiction"]) for r in rows} == {
        ("生态环境局", "重庆市"),
        ("生态环境分局", "两江新区"),
        ("生态环境局", "武隆区"),
        ("生态环境局", "云阳县"),
        ("生态环境局", "北碚区"),
        ("生态环境局", "巫山县"),
    }
    beibei = next(r for r in rows if r["jurisdiction"] == "北碚区")
    n = (
        added[1]
        .execute(
            """SELECT count(DISTINCT tu.task_id) FROM task_units tu JOIN units u ON u.id = tu.unit_id
            WHERE u.key = '北碚区/生态环境局' AND tu.role = 'lead'"""
        )
        .fetchone()[0]
    )
    assert beibei["leads"] == n > 0


def test_compare_side_by_side(added):
    type_, rows = query.compare_type(added[1], "环保局")
    assert type_ == "生态环境局"
    assert {r["jurisdiction"] for r in rows} == {"重庆市", "两江新区", "武隆区", "云阳县", "北碚区", "巫山县"}
    for r in rows:
        assert r["leads"] >= len(r["lead_tasks"]) and r["supports"] >= len(r["support_tasks"])


# -- the command line -------------------------------------------------------------------------


def run(*args, db=None):
    cmd = [*WHODOES, *args] + (["--db", str(db)] if db else [])
    return subprocess.run(cmd, capture_output=True, env=clean_env(), timeout=60)


@pytest.mark.parametrize("q", [q for q, e in SHIPPED_TABLE.items() if e is None])
def test_no_answer_exits_1_with_did_you_mean(q):
    p = run("unit", q, "-f", "csv")
    assert p.returncode == 1 and p.stdout == b""
    err = p.stderr.decode()
    assert "did you mean: " in err and len(err.strip().splitlines()) == 1
    if q.startswith(("江北区", "巫山县")):
        assert f"no plan of {q[:3]} in the database" in err


def test_fuzzy_answers_only_with_fuzzy_and_every_row_says_so():
    p = run("unit", "城管句", "--fuzzy", "-f", "csv")
    assert p.returncode == 0
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode(), newline="")))
    assert rows and {r["matched_by"] for r in rows} == {"fuzzy"}
    assert "a guess" in p.stderr.decode()


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "markdown", "table"])
def test_every_format_carries_matched_by(fmt):
    p = run("unit", "发改委", "-f", fmt)
    assert p.returncode == 0
    out = p.stdout.decode()
    if fmt in ("csv", "tsv"):
        rows = list(csv.DictReader(io.StringIO(out, newline=""), delimiter="," if fmt == "csv" else "\t"))
        assert {r["matched_by"] for r in rows} == {"short form"}
    elif fmt == "json":
        assert {r["matched_by"] for r in json.loads(out)} == {"short form"}
    elif fmt == "jsonl":
        assert {json.loads(line)["matched_by"] for line in out.splitlines()} == {"short form"}
    else:
        assert "short form" in out and ("matched_by" in out or "[short form]" in out)


def test_xlsx_carries_matched_by(tmp_path):
    # the unit spreadsheet is the printable ledger: one sheet per unit, and its filters line
    # says how the query found that unit
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "u.xlsx"
    assert run("unit", "国土局", "-o", str(out)).returncode == 0
    book = openpyxl.load_workbook(out)
    assert len(book.worksheets) == 3  # 规划自然资源局 of 重庆市, 两江新区, 武隆区
    for sheet in book.worksheets:
        assert "matched_by：predecessor" in sheet.cell(row=2, column=1).value


def test_units_type_and_unknown_on_the_command_line(added):
    p = run("units", "--type", "环保局", "-f", "csv", db=added[0])
    assert p.returncode == 0
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode(), newline="")))
    assert {r["type"] for r in rows} == {"生态环境局"} and len(rows) == 6
    p = run("units", "--unknown", "-f", "csv", db=added[0])
    assert p.returncode == 1 and p.stdout == b""
    p = run("units", "--type", "宇宙飞船局", "-f", "csv")
    assert p.returncode == 1 and "no body type" in p.stderr.decode()


def test_compare_on_the_command_line():
    p = run("unit", "城管局", "--compare", "-f", "csv")
    assert p.returncode == 0
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode(), newline="")))
    assert {(r["jurisdiction"], r["unit"]) for r in rows} == {
        (j, "城市管理局") for j in ("两江新区", "武隆区", "重庆市")
    }


def test_shipped_database_is_the_one_tested():
    assert SHIPPED.exists()


# on the shipped database with three real pages added (tests/fixtures/real), none of which prints
# its jurisdiction in metadata: 渝中区 and 大足区 (read from a government named in the text) and
# 重庆市 (from the place its units name)
REAL_PAGES = [
    "cq-yuzhong-2023-work-report-tasks.txt",
    "cq-dazu-2024-work-report-overfulfilled.txt",
    "cq-city-2018-food-safety-tasks.txt",
]
REAL_ADDED_TABLE = {
    # 渝中区's page writes 区发改委 and 区规资局: as written there ("exact"), a short form elsewhere
    "渝中区发改委": ({"发展改革委 (渝中区)"}, "exact"),
    "发改委": ({"发展改革委 (武隆区)", "发展改革委 (重庆市)", "发展改革委 (渝中区)"}, {"exact", "short form"}),
    "规资局": (ALL_GZJ | {"规划自然资源局 (渝中区)"}, {"exact", "short form"}),
    "大足区经信委": ({"经济信息委 (大足区)"}, "short form"),
    "渝中区税务局": ({"税务局 (渝中区)"}, "exact"),
    "食药监局": ({"市场监管局 (两江新区)", "市场监管局 (重庆市)"}, "predecessor"),  # 市食品药品监管局 of 2018
    "经发局": None,  # 大足区's 经开区经发局 is its own zone's, unknown: never 重庆经开区's
    "渝中区城管局": None,  # 渝中区 has a plan now, but it names no 城市管理局
    "水务局": None,
    "江北区城管局": None,
}


@pytest.fixture(scope="module")
def real_added(tmp_path_factory):
    from whodoes.build.pipeline import build

    folder = tmp_path_factory.mktemp("real-added")
    sources = folder / "sources"
    shutil.copytree(ROOT / "data" / "sources", sources, ignore=NOT_PLANS)
    for name in REAL_PAGES:
        shutil.copy(ROOT / "tests" / "fixtures" / "real" / name, sources / name)
    out = folder / "plans.sqlite"
    build(sources, out, ROOT / "data" / "units.toml")
    c = db.connect(out)
    yield c
    c.close()


@pytest.mark.parametrize("q,expected", REAL_ADDED_TABLE.items(), ids=list(REAL_ADDED_TABLE))
def test_real_pages_added(real_added, q, expected):
    check(real_added, q, expected)
