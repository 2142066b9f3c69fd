"""`whodoes report`: the progress table of a period, in xlsx (openpyxl reads it back), docx
(python-docx reads it back) and markdown, with its summary lines; the period and the
status rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from whodoes.cli import app as cli
from whodoes.output import report
from whodoes.query import db

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "plans.sqlite"
DOC_2018 = "liangjiang-2018-green-development-action-plan"
COLUMNS = ["序号", "任务编号", "任务", "牵头单位", "配合单位", "完成时限", "推进情况", "状态", "日期", "是否逾期"]

pytestmark = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")


@pytest.fixture
def entries(tmp_path, monkeypatch):
    """A few entries on 城管局's tasks, in and before 2020Q4."""
    monkeypatch.setenv("WHODOES_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("WHODOES_DB", raising=False)
    for args in (
        ["64", "照母山森林公园生态修复完成", "--status", "done", "--date", "2020-11-30"],
        ["65", "江岸绿化提升完成80%", "--status", "behind", "--date", "2020-12-15"],
        ["342", "按计划推进", "--status", "on-track", "--date", "2020-10-20"],
        ["66", "雨污分流改造推进中", "--status", "on-track", "--date", "2020-08-01"],  # Q3: not reported in Q4
        ["99", "九曲河湿地公园保护提升", "--date", "2020-12-01"],  # no status given
    ):
        assert cli.main(["progress", *args]) == 0
    return tmp_path


def test_periods():
    p = report.parse_period("2020Q4")
    assert (p.start, p.end, p.year) == (dt.date(2020, 10, 1), dt.date(2020, 12, 31), 2020)
    assert report.parse_period("2024h1").end == dt.date(2024, 6, 30)
    assert report.parse_period("2024-02").end == dt.date(2024, 2, 29)
    assert report.parse_period("2021").start == dt.date(2021, 1, 1)
    for bad in ("2020Q5", "Q1", "2024-13", "2024H3", ""):
        with pytest.raises(db.UsageError):
            report.parse_period(bad)


def test_the_report_rows_and_summary(entries):
    conn = db.connect(SHIPPED)
    rep = report.build_report(conn, report.parse_period("2020Q4"), unit="城管局")
    rows = {r["id"]: r for r in rep["rows"]}
    assert rows[64]["status"] == "done" and rows[64]["bucket"] == "done" and not rows[64]["overdue"]
    assert rows[65]["bucket"] == "behind" and rows[65]["overdue"]  # the 2018-2020 plan ended with 2020
    assert rows[342]["bucket"] == "on-track" and not rows[342]["overdue"]  # 武隆 2019-2022: not yet due
    assert rows[66]["bucket"] == "not reported" and rows[66]["status"] == "on-track"
    assert rows[99]["bucket"] == "no status" and rows[99]["progress"] == "九曲河湿地公园保护提升"
    assert rows[64]["uid"] == f"{DOC_2018}/5" and rows[64]["deadline"] == "2020年底(规划期末)"
    summary = {line["unit"]: line for line in rep["summary"]}
    total = summary["合计 (任务)"]
    assert total["tasks"] == len(rep["rows"]) == sum(total[b] for b in report.BUCKETS)
    lead = summary["城市管理局 (两江新区) 牵头"]
    assert (lead["done"], lead["behind"], lead["no status"], lead["not reported"]) == (1, 1, 1, lead["tasks"] - 3)
    # every task of the unit, lead or support, once, in the plans in force in 2020
    assert {r["document"] for r in rep["rows"]} == {DOC_2018, "wulong-2019-two-mountains-base-plan"}


def test_xlsx_and_docx_open_with_the_columns(entries, capsys):
    import docx
    import openpyxl

    xlsx, word, md = (entries / "推进情况.xlsx", entries / "推进情况.docx", entries / "推进情况.md")
    for path in (xlsx, word, md):
        assert cli.main(["report", "--unit", "城管局", "--period", "2020Q4", "-o", str(path)]) == 0
    assert "1 done, 1 on track, 1 behind" in capsys.readouterr().err
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["推进情况", "汇总"]
    ws = wb["推进情况"]
    header = [c.value for c in ws[2]]
    assert header[: len(COLUMNS)] == COLUMNS
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=3)]
    done = next(r for r in rows if r["任务编号"] == f"{DOC_2018}/5")
    assert (done["状态"], done["推进情况"], done["日期"], done["牵头单位"]) == (
        "已完成",
        "照母山森林公园生态修复完成",
        "2020-11-30",
        "城管局",
    )
    assert sum(1 for r in rows if r["是否逾期"] == "逾期") > 0
    summary = [[c.value for c in r] for r in wb["汇总"].iter_rows(min_row=2)]
    assert summary[0][:3] == ["单位", "任务", "已完成"] and summary[-1][0] == "合计 (任务)"
    document = docx.Document(word)
    tables = document.tables
    assert [c.text for c in tables[0].rows[0].cells][:3] == ["单位", "任务", "已完成"]
    assert [c.text for c in tables[1].rows[0].cells] == COLUMNS
    cells = [[c.text for c in r.cells] for t in tables[1:] for r in t.rows[1:]]
    assert len(cells) == len(rows)
    assert any(r[1] == f"{DOC_2018}/6" and r[7] == "滞后" for r in cells)
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# 推进情况 2020Q4") and "| " + " | ".join(COLUMNS) + " |" in text


def test_report_errors(entries, capsys):
    assert cli.main(["report", "--unit", "城管局"]) == 2
    assert cli.main(["report", "--period", "2020Q4", "-o", str(entries / "x.pdf")]) == 2
    assert cli.main(["report", "--period", "2020Q4", "--format", "docx"]) == 2
    assert cli.main(["report", "--doc", "2021", "--period", "2030"]) == 1  # that plan ends in 2025
    assert cli.main(["report", "--period", "2040"]) == 2  # no plan covers 2040
    assert cli.main(["report", "--unit", "宇宙飞船局", "--period", "2020"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 6
