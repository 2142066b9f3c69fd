"""Deadlines as dates (issue 15): every deadline cell and phrase of the fixtures read into a
due date and a kind, with the text kept as written; --overdue, --due-before/--due-after and
whodoes due on a database built from the fixtures."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import WHODOES, clean_env
from whodoes.build.deadlines import KINDS, deadline_of, parse_cell, parse_text

ROOT = Path(__file__).resolve().parents[2]
UNSEEN = ROOT / "tests" / "fixtures" / "unseen"

# every 完成时限 / 时间节点 cell of the fixtures (tests/fixtures/unseen/*.jsonl "deadline"),
# and the examples: cell -> (due, kind), read by hand
CELLS = {
    "2022年底前": ("2022-12-31", "date"),
    "2023年10月": ("2023-10-31", "date"),
    "2023年11月底": ("2023-11-30", "date"),
    "2023年12月": ("2023-12-31", "date"),
    "2023年12月底": ("2023-12-31", "date"),
    "2023年6月": ("2023-06-30", "date"),
    "2023年6月底前": ("2023-06-30", "date"),
    "2023年底前": ("2023-12-31", "date"),
    "2024年6月": ("2024-06-30", "date"),
    "2024年6月底前": ("2024-06-30", "date"),
    "2024年底前": ("2024-12-31", "date"),
    "2025年底前": ("2025-12-31", "date"),
    "持续推进": (None, "ongoing"),
    "长期坚持": (None, "ongoing"),
    "每年": (None, "yearly"),
    "每季度": (None, "quarterly"),
    "每月": (None, "monthly"),
    "2025年12月31日前": ("2025-12-31", "date"),
    "2024年第三季度": ("2024-09-30", "date"),
    "2023年上半年": ("2023-06-30", "date"),
    "2025年": ("2025-12-31", "target-year"),
    "2023-2025年": ("2025-12-31", "date"),
    "/": (None, "none"),
    "": (None, "none"),
}

# deadline phrases in task text (the fixtures' and the issue's): text -> (phrase kept, due, kind)
PHRASES = {
    "2023年底前完成重点企业治理": ("2023年底前", "2023-12-31", "date"),
    "到2025年，全区空气质量优良天数比率达到40%": ("到2025年", "2025-12-31", "target-year"),
    "对未经审批的项目依法拆除,2022年6月底前完成。": ("2022年6月底前", "2022-06-30", "date"),
    "到2024年底完成全部重点监管单位隐患排查。": ("2024年底", "2024-12-31", "date"),
    "建立考核制度，每季度通报运行情况。": ("每季度", None, "quarterly"),
    "每年创建1—2条市级美丽河湖": ("每年", None, "yearly"),
    "实现市场监管领域部门联合抽查常态化。": ("常态化", None, "ongoing"),
    "持续推进扰民突出餐饮油烟治理工作": ("持续推进", None, "ongoing"),
    "长期坚持河长巡河制度": ("长期坚持", None, "ongoing"),
    "2025年12月31日前完成验收": ("2025年12月31日前", "2025-12-31", "date"),
    "加快建设生态城市": (None, None, "none"),
    # from tests/fixtures/real
    "2023年1月15日前完成资金拨付": ("2023年1月15日前", "2023-01-15", "date"),
    "2022年10月底前完成整改": ("2022年10月底前", "2022-10-31", "date"),
    "2017年3月底前制定方案，2017年6月底前完成": ("2017年3月底前", "2017-03-31", "date"),
}
YEAR_IN = {"年内新增“一件事”主题套餐服务15项。": ("年内", 2022, "2022-12-31", "date")}


def run(*args):
    return subprocess.run([*WHODOES, *args], capture_output=True, env=clean_env(), cwd="/", timeout=120)


def fixture_cells() -> set[str]:
    cells = set()
    for path in UNSEEN.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("deadline"):
                cells.add(row["deadline"])
    return cells


def test_every_deadline_cell_of_the_fixtures_has_an_expected_date():
    missing = fixture_cells() - set(CELLS)
    assert not missing, f"fixture deadline cells without an expected date and kind here: {missing}"
    assert len(fixture_cells()) >= 12


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_cells(cell):
    due, kind = CELLS[cell]
    d = parse_cell(cell, 2023)
    assert (d.due, d.kind) == (due, kind)
    assert d.kind in KINDS
    if kind != "none":
        assert d.text == cell  # kept as written


@pytest.mark.parametrize("text", sorted(PHRASES))
def test_phrases_in_task_text(text):
    phrase, due, kind = PHRASES[text]
    d = parse_text(text, 2023)
    assert (d.text, d.due, d.kind) == (phrase, due, kind)


def test_within_the_year_needs_the_plans_first_year():
    for text, (phrase, year, due, kind) in YEAR_IN.items():
        assert parse_text(text, year) == parse_text(text, year)
        d = parse_text(text, year)
        assert (d.text, d.due, d.kind) == (phrase, due, kind)
        assert parse_text(text, None).due is None  # no year, no date: never a guessed one


def test_a_cell_wins_over_the_text_and_an_odd_cell_is_kept_as_written():
    d = deadline_of("2024年底前", "到2025年，全面完成", 2023)
    assert (d.due, d.kind, d.text) == ("2024-12-31", "date", "2024年底前")
    d = deadline_of("见附件", "加快建设生态城市", 2023)
    assert (d.due, d.kind, d.text) == (None, "none", "见附件")


def test_impossible_days_are_not_dates():
    assert parse_cell("2023年2月30日前").due != "2023-02-30"


# ----------------------------------------------------------------------------------------------
# on a database built from the fixtures


@pytest.fixture(scope="module")
def fixtures_db(tmp_path_factory):
    from whodoes.build.pipeline import build

    out = tmp_path_factory.mktemp("deadlines") / "plans.sqlite"
    build(UNSEEN, out)
    return out


def oracle(text: str | None):
    """The expected (due, kind) of a stored deadline_text: from the tables above, by hand."""
    if text in CELLS:
        return CELLS[text]
    for phrase, due, kind in PHRASES.values():
        if phrase == text:
            return due, kind
    for phrase, _year, due, kind in YEAR_IN.values():
        if phrase == text:
            return due, kind
    raise AssertionError(f"no expected date for deadline text {text!r}: add it to CELLS or PHRASES")


def stored(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT uid, deadline, deadline_text, due, due_kind FROM tasks ORDER BY id").fetchall()
    finally:
        conn.close()


def test_every_stored_deadline_is_the_expected_one(fixtures_db):
    rows = stored(fixtures_db)
    with_deadline = [r for r in rows if r[4] != "none"]
    assert len(with_deadline) >= 40
    for uid, cell, text, due, kind in with_deadline:
        assert (due, kind) == oracle(text), uid
        if cell:
            assert text == cell  # the cell as written
    cells = {r[1] for r in rows if r[1]}
    assert cells == fixture_cells()  # every cell of the fixtures was read


def uids(stdout: bytes) -> set[str]:
    return {r["uid"] for r in json.loads(stdout.decode())}


def test_overdue_as_of_gives_exactly_the_tasks_due_before_that_day(fixtures_db):
    expected = set()
    for uid, _cell, text, _due, kind in stored(fixtures_db):
        if kind == "none":
            continue
        due, kind = oracle(text)
        if due and kind in ("date", "target-year") and due < "2025-01-01":
            expected.add(uid)
    assert len(expected) >= 15
    p = run("export", "--overdue", "--as-of", "2025-01-01", "--format", "json", "--db", str(fixtures_db))
    assert p.returncode == 0, p.stderr
    assert uids(p.stdout) == expected
    # and on unit: a unit's overdue tasks are its tasks among them
    p = run("unit", "区水利局", "--overdue", "--as-of", "2025-01-01", "--format", "json", "--db", str(fixtures_db))
    got = uids(p.stdout) if p.returncode == 0 else set()
    p_all = run("unit", "区水利局", "--format", "json", "--db", str(fixtures_db))
    assert got == uids(p_all.stdout) & expected


def test_due_before_and_after_are_inclusive(fixtures_db):
    p = run(
        "export",
        "--due-after",
        "2024-06-30",
        "--due-before",
        "2024-12-31",
        "--format",
        "json",
        "--db",
        str(fixtures_db),
    )
    rows = json.loads(p.stdout.decode())
    assert rows and all("2024-06-30" <= r["due"] <= "2024-12-31" for r in rows)
    assert {r["due"] for r in rows} == {"2024-06-30", "2024-12-31"}


def test_bad_dates_are_usage_errors(fixtures_db):
    for args in (["--due-before", "tomorrow"], ["--due-after", "2024-13-01"], ["--as-of", "2024-01-01"]):
        p = run("export", *args, "--db", str(fixtures_db))
        assert p.returncode == 2 and len(p.stderr.decode().strip().splitlines()) == 1


def test_due_lists_month_by_month(fixtures_db):
    p = run("due", "--as-of", "2023-06-01", "--within", "1y", "--format", "json", "--db", str(fixtures_db))
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout.decode())
    dues = [r["due"] for r in rows]
    assert dues == sorted(dues) and all("2023-06-01" <= d <= "2024-05-31" for d in dues)
    assert all(r["month"] == r["due"][:7] for r in rows)
    assert "without a single date" in p.stderr.decode()
    p = run("due", "--as-of", "2030-01-01", "--db", str(fixtures_db))
    assert p.returncode == 1
    p = run("due", "--within", "soon", "--db", str(fixtures_db))
    assert p.returncode == 2
