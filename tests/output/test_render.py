"""whodoes.output.render, whodoes.output.termtable and whodoes.output.xlsx: every format, on hand-made rows (no database needed)."""

import csv
import io
import json

import pytest

from whodoes.errors import UsageError
from whodoes.output import render, termtable

ROWS = [
    {
        "id": 1,
        "text": "加强河长制,落实“一河一策”",
        "lead": ["城管局", "环保分局"],
        "support": [],
        "targets": {"2020": "完成"},
        "note": 'says "hi"\nnext line',
        "n": None,
    },
    {"id": 2, "text": "a|b\\c\tT", "lead": ["区城管局"], "support": ["相关部门"], "targets": {}, "note": "", "n": 0},
]
COLS = ["id", "text", "lead", "support", "targets", "note", "n"]


def test_cell():
    assert render.cell(None) == ""
    assert render.cell(["a", "b"]) == "a、b"
    assert render.cell([]) == ""
    assert render.cell(3) == "3"
    assert render.cell(True) == "1"
    assert json.loads(render.cell({"2020": "完成"})) == {"2020": "完成"}
    assert render.cell({}) == ""


def test_csv_round_trips_through_the_csv_module():
    out = io.StringIO()
    render.write(ROWS, COLS, "csv", out, headers=[c.upper() for c in COLS])
    text = out.getvalue()
    assert text.endswith("\r\n")
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back[0] == [c.upper() for c in COLS]
    assert back[1][1] == ROWS[0]["text"]
    assert back[1][2] == "城管局、环保分局"
    assert back[1][5] == ROWS[0]["note"]
    assert back[2][1] == ROWS[1]["text"]
    assert back[2][6] == "0"
    # the same bytes as the csv module would write
    ref = io.StringIO()
    w = csv.writer(ref, lineterminator="\r\n")
    w.writerow([c.upper() for c in COLS])
    for r in ROWS:
        w.writerow([render.cell(r.get(c)) for c in COLS])
    assert text == ref.getvalue()


def test_bom():
    out = io.StringIO()
    render.write(ROWS, COLS, "csv", out, bom=True)
    assert out.getvalue().startswith("\ufeffid,")
    out = io.StringIO()
    render.write(ROWS, COLS, "csv", out)
    assert not out.getvalue().startswith("\ufeff")


def test_tsv_one_line_per_row():
    out = io.StringIO()
    render.write(ROWS, COLS, "tsv", out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert all(len(line.split("\t")) == len(COLS) for line in lines)


def test_json_and_jsonl_keep_lists_and_objects():
    out = io.StringIO()
    render.write(ROWS, COLS, "json", out)
    data = json.loads(out.getvalue())
    assert data[0]["lead"] == ["城管局", "环保分局"] and data[0]["targets"] == {"2020": "完成"}
    assert "加强河长制" in out.getvalue()  # not \u escapes
    out = io.StringIO()
    render.write(ROWS, COLS, "jsonl", out, json_keys=["id", "lead"])
    lines = out.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"id": 1, "lead": ["城管局", "环保分局"]},
        {"id": 2, "lead": ["区城管局"]},
    ]


def test_markdown_escapes_pipes_and_line_breaks():
    out = io.StringIO()
    render.write(ROWS, COLS, "markdown", out, heading="城管局 -> 城市管理局 (两江新区)")
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[0] == "城管局 -> 城市管理局 (两江新区)"
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 4
    assert "a\\|b" in text
    for line in table:
        assert line.count(" | ") == len(COLS) - 1 or line.startswith("|---")


def test_table_draws_with_rich():
    out = io.StringIO()
    render.write(ROWS, COLS, "table", out, heading="heading")
    text = out.getvalue()
    assert "heading" in text and "城管局" in text


def test_task_table_groups_by_document():
    rows = [
        dict(
            id=i,
            document=d,
            document_title=d.upper(),
            jurisdiction="两江新区",
            period="2018-2020",
            seq=str(i),
            category="类",
            title=None,
            text="任务" * 30,
            lead=["城管局"],
            support=["环保分局", "规划分局"],
            match="exact",
            unit="城市管理局 (两江新区)",
            role="lead",
            as_written="城管局",
            target="完成",
        )
        for i, d in enumerate(["a", "a", "b"])
    ]
    out = io.StringIO()
    console = termtable.make_console(out)
    termtable.task_table(rows, console, year=2020, mode="unit")
    text = out.getvalue()
    assert text.count("城市管理局 (两江新区) · A") == 1 and text.count("· B") == 1
    assert "2020 target" in text


def test_xlsx(tmp_path):
    pytest.importorskip("xlsxwriter")
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "out.xlsx"
    render.write(ROWS, COLS, "xlsx", None, path=str(path))
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == COLS
    assert ws["C2"].value == "城管局、环保分局"
    with pytest.raises(render.RenderError):
        render.write(ROWS, COLS, "xlsx", io.StringIO(), path=None)


class Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_choose_format():
    assert render.choose_format(None, None, Stream(True)) == "table"
    assert render.choose_format(None, None, Stream(False)) == "csv"
    assert render.choose_format(None, "x.json") == "json"
    assert render.choose_format(None, "x.JSONL") == "jsonl"
    assert render.choose_format(None, "x.md") == "markdown"
    assert render.choose_format(None, "x.tsv") == "tsv"
    assert render.choose_format(None, "x.xlsx") == "xlsx"
    assert render.choose_format(None, "x.dat") == "csv"
    assert render.choose_format(None, "x.docx") == "docx"
    assert render.choose_format("JSON", "x.json") == "json"
    assert render.choose_format("csv", "x.txt") == "csv"  # .txt names no one format
    with pytest.raises(UsageError, match="disagree"):
        render.choose_format("JSON", "x.csv")  # the extension says csv: refused, never json in a .csv
    assert render.choose_format("md") == "markdown"
    with pytest.raises(UsageError, match="table, csv, tsv, json, jsonl, markdown"):
        render.choose_format("xml")


def _task_rows(text, n=3):
    return [
        dict(
            id=100 + i,
            document="d",
            document_title="文件",
            jurisdiction="两江新区",
            period="2018-2020",
            seq=str(i + 1),
            category="实施城市绿化提升工程",
            title=None,
            text=text,
            lead=["城管局", "相关集团公司"],
            support=["国土分局", "环保分局", "规划分局", "生态环境保护综合行政执法支队"],
            match="exact",
            unit="城市管理局 (两江新区)",
            role="lead",
            as_written="城管局",
            target="城市建成区绿化覆盖率达到45%",
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("columns", [60, 80, 120, 160])
@pytest.mark.parametrize("year", [None, 2020])
def test_task_table_lines_line_up_with_chinese_text(monkeypatch, columns, year):
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", str(columns))
    text = (
        "推进城市绿化提升,“300米见绿、7分钟入园”。开展长江、嘉陵江沿岸国土绿化提升行动,打造一批景观滨江公园项目。" * 4
    )
    out = io.StringIO()
    termtable.task_table(_task_rows(text), termtable.make_console(out), year=year, mode="unit")
    lines = out.getvalue().splitlines()
    assert max(map(cell_len, lines)) <= columns
    table = [line for line in lines if line and line[0] in "┏┃┡│├└"]
    if columns >= 120:
        assert table and len({cell_len(line) for line in table}) == 1  # every row of the grid as wide
        cells = [c.strip() for line in table if line.startswith("│") for c in line.strip("│").split("│")]
    else:  # too narrow for a column holding 生态环境保护综合行政执法支队 beside the text: blocks of lines
        assert not table and "  support  国土分局、" in out.getvalue()
        cells = [line.strip() for line in lines]
    assert not any(c and c[0] in "，。、,.;；：)）”" for c in cells)  # no line starts with closing punctuation
    assert "城管局" in out.getvalue() and "国土分局" in out.getvalue()  # names that fit are not broken
    assert "…" in out.getvalue() and "whodoes show ID" in lines[-1]  # the text is cut, and it says so
    if year:
        assert "2020 target" in out.getvalue() and "45%" in out.getvalue()


def test_task_table_keeps_short_text_whole_and_shows_match_only_when_fuzzy(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    rows = _task_rows("加强生物多样性保护。", 2)
    out = io.StringIO()
    termtable.task_table(rows, termtable.make_console(out), mode="task")
    text = out.getvalue()
    assert "加强生物多样性保护。" in text and "…" not in text and "whodoes show" not in text
    assert "match" not in text and "实施城市绿化提升工程" in text  # the category, where the text does not repeat it
    rows[1]["match"] = "fuzzy"
    out = io.StringIO()
    termtable.task_table(rows, termtable.make_console(out), mode="task")
    assert "match" in out.getvalue() and "fuzzy" in out.getvalue()
