"""The printable task ledger (issue 15): `whodoes unit 城管局 -o 台账.xlsx` is a sheet per
unit, ready to print (landscape, fit to the page width, title and header rows repeated,
wrapped text, Chinese headers, a blank 完成情况 column); `-o x.docx` the same rows as Word
tables; `-o` infers the format from the extension and refuses a clash."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import WHODOES, clean_env

HEADERS = ["序号", "任务", "牵头单位", "配合单位", "完成时限", "来源", "完成情况"]


def run(*args, cwd="/"):
    return subprocess.run([*WHODOES, *args], capture_output=True, env=clean_env(), cwd=cwd, timeout=120)


def unit_rows(*args):
    p = run("unit", "城管局", *args, "--format", "json")
    assert p.returncode == 0
    return json.loads(p.stdout)


def test_xlsx_ledger_prints_as_a_ledger(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "台账.xlsx"
    p = run("unit", "城管局", "-o", str(out))  # the format from the extension
    assert p.returncode == 0, p.stderr
    wb = openpyxl.load_workbook(out)
    rows = unit_rows()
    units = list(dict.fromkeys(r["unit"] for r in rows))
    assert len(units) == len(wb.worksheets) == 3  # one sheet per unit: every jurisdiction's 城市管理局
    for ws, unit in zip(wb.worksheets, units):
        mine = [r for r in rows if r["unit"] == unit]
        assert unit in ws["A1"].value and "任务台账" in ws["A1"].value
        assert "城管局" in ws["A2"].value and "制表日期" in ws["A2"].value  # the filters and the date
        assert [c.value for c in ws[3]] == HEADERS
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1)  # one page wide (1 is the default xlsxwriter leaves out)
        assert ws.page_setup.fitToHeight == 0  # as many pages down as it takes
        assert ws.print_title_rows == "$1:$3"  # title, filters and header on every page
        body = list(ws.iter_rows(min_row=4, values_only=True))
        assert len(body) == len(mine)
        for n, (line, r) in enumerate(zip(body, mine), 1):
            assert line[0] == str(n)
            assert r["text"] in line[1]
            assert line[2] == "、".join(r["lead"]) and (line[3] or "") == "、".join(r["support"])
            assert r["uid"] in line[5]
            assert line[6] is None  # 完成情况: blank, to be filled in
        assert ws["B4"].alignment.wrap_text


def test_docx_ledger_has_the_same_rows(tmp_path):
    docx = pytest.importorskip("docx")
    out = tmp_path / "台账.docx"
    p = run("unit", "城管局", "--year", "2020", "-o", str(out))
    assert p.returncode == 0, p.stderr
    d = docx.Document(str(out))
    rows = unit_rows("--year", "2020")
    units = list(dict.fromkeys(r["unit"] for r in rows))
    assert len(d.tables) == len(units) == 2
    assert all(s.orientation == 1 for s in d.sections)  # WD_ORIENT.LANDSCAPE
    for table, unit in zip(d.tables, units):
        mine = [r for r in rows if r["unit"] == unit]
        assert [c.text for c in table.rows[0].cells] == HEADERS
        assert len(table.rows) == 1 + len(mine)
        for line, r in zip(table.rows[1:], mine):
            cells = [c.text for c in line.cells]
            assert r["text"] in cells[1] and r["uid"] in cells[5] and cells[6] == ""
    assert sum("--year 2020" in p.text for p in d.paragraphs) == 2  # the filters on each
    assert d.element.body.xml.count("<w:tblHeader") == 2  # each table's header row repeats on every page


@pytest.mark.parametrize(
    "ext,start",
    [
        (".csv", b"id,uid,"),
        (".tsv", b"id\tuid\t"),
        (".json", b"[\n"),
        (".jsonl", b"{"),
        (".md", b"| uid |"),
        (".xlsx", b"PK"),
        (".docx", b"PK"),
    ],
)
def test_o_infers_the_format_from_the_extension(tmp_path, ext, start):
    out = tmp_path / f"out{ext}"
    p = run("task", "海绵城市", "-o", str(out), "--quiet")
    assert p.returncode == 0, p.stderr
    assert out.read_bytes().startswith(start)


@pytest.mark.parametrize(
    "fmt,name", [("csv", "x.xlsx"), ("xlsx", "x.csv"), ("json", "x.docx"), ("docx", "x.md"), ("jsonl", "x.json")]
)
def test_a_format_clashing_with_the_extension_is_refused(tmp_path, fmt, name):
    p = run("unit", "城管局", "--format", fmt, "-o", str(tmp_path / name))
    assert p.returncode == 2 and "disagree" in p.stderr.decode()
    assert not (tmp_path / name).exists()


def test_docx_and_xlsx_need_a_file():
    for fmt in ("xlsx", "docx"):
        p = run("unit", "城管局", "--format", fmt)
        assert p.returncode == 2 and "-o" in p.stderr.decode()
