"""The document model: provenance descriptions, table grids with spans, the text rendering."""

from whodoes.build.document.model import Cell, Document, Paragraph, Provenance, Table
from whodoes.build.document.text import text_document


def test_describe_per_format():
    assert Provenance(line=12).describe() == "line 12"
    assert Provenance(line=40, page=3, table=1, row=5).describe() == "p. 3, table 1, row 5"
    assert Provenance(line=9, paragraph=14).describe() == "paragraph 14"
    assert Provenance(line=9, table=2, row=7).describe() == "table 2, row 7"
    assert Provenance(sheet="任务分解", cells="A5:G5").describe() == "sheet 任务分解!A5:G5"


def test_grid_points_spanned_positions_to_their_origin():
    unit = Cell(1, 2, "区水利局", row_span=2)
    head = Cell(0, 0, "年度目标", col_span=2)
    table = Table(
        [head, Cell(0, 2, "牵头单位"), Cell(1, 0, "a"), Cell(1, 1, "b"), unit, Cell(2, 0, "c"), Cell(2, 1, "d")],
        n_rows=3,
        n_cols=3,
    )
    grid = table.grid()
    assert grid[0][1] is head and grid[2][2] is unit and grid[1][2] is unit
    assert grid[2][2].row == 1  # merged down from row 1: a reader sees it is not its own


def test_text_lines_one_line_per_paragraph_and_row():
    table = Table(
        [Cell(0, 0, "序号"), Cell(0, 1, "牵头\n单位"), Cell(1, 0, "1"), Cell(1, 1, "区水利局")],
        n_rows=2,
        n_cols=2,
        prov=Provenance(table=1),
    )
    doc = Document([Paragraph("标题"), table, Paragraph("完")], format="docx")
    assert doc.text_lines() == ["标题", "序号\t牵头 单位", "1\t区水利局", "完"]
    assert table.row_provs[1].line == 3 and table.row_provs[1].describe() == "table 1, row 2"
    assert doc.items[2].prov.line == 4


def test_text_document_keeps_source_lines():
    doc = text_document("一、总则\r\n\n1. 任务（牵头单位：区水利局）")
    assert [p.text for p in doc.items] == ["一、总则", "", "1. 任务（牵头单位：区水利局）"]
    assert doc.text_lines() == ["一、总则", "", "1. 任务（牵头单位：区水利局）"]
    assert doc.items[2].prov.describe() == "line 3"


def _rows(items):
    from whodoes.build.document.lines import prepare_document
    from whodoes.build.parse.document import parse_document

    prepared = prepare_document(Document(items, format="docx"))
    return parse_document(prepared.lines, prepared.tables)


def _table(rows, number):
    cells = [Cell(r, c, text) for r, row in enumerate(rows) for c, text in enumerate(row) if text is not None]
    return Table(cells, len(rows), len(rows[0]), Provenance(table=number))


def test_a_table_going_on_without_its_header_is_read_with_the_columns_above():
    first = _table(
        [["序号", "重点任务", "牵头单位", "配合单位"], ["1", "推进污水管网建设。", "区住房城乡建委", "区水利局"]], 1
    )
    second = _table(
        [["2", "实施河道生态修复。", "区水利局", ""], ["3", "开展增殖放流。", "区农业农村委", "区水利局"]], 2
    )
    other = _table([["指标", "2023年", "2024年", "备注"], ["森林覆盖率", "55%", "56%", ""]], 3)
    parsed = _rows(
        [
            first,
            Paragraph("二、生态修复"),
            second,
            Paragraph("三、保障措施"),
            Paragraph("加强组织领导。"),
            Paragraph("强化资金保障。"),
            Paragraph("严格考核问责。"),
            _table([["4", "不应读到。", "区林业局", ""]], 4),
            other,
        ]
    )
    assert [(r.seq, r.lead, r.support, r.section) for r in parsed.rows] == [
        ("1", ["区住房城乡建委"], ["区水利局"], None),
        ("2", ["区水利局"], [], "二、生态修复"),
        ("3", ["区农业农村委"], ["区水利局"], "二、生态修复"),
    ]
    assert any("the columns of the table above" in x for x in parsed.layouts)


def test_one_header_cell_without_a_name_is_a_detail_column():
    table = _table(
        [
            ["序号", "重点任务", "牵头单位", "配合单位", ""],
            ["1", "推进污水管网建设。", "区住房城乡建委", "区水利局", "重点"],
        ],
        1,
    )
    (row,) = _rows([table]).rows
    assert (row.text, row.lead, row.support, row.detail) == (
        "推进污水管网建设。",
        ["区住房城乡建委"],
        ["区水利局"],
        "重点",
    )


def test_chinese_list_numbers():
    from whodoes.build.document.numbering import chinese_number, format_number

    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 100, 105, 110)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十一",
        "一百",
        "一百零五",
        "一百一十",
    ]
    assert (
        format_number(3, "decimalEnclosedCircle"),
        format_number(2, "ideographTraditional"),
        format_number(4, "upperRoman"),
        format_number(12, "decimalFullWidth"),
    ) == ("③", "乙", "IV", "１２")


def test_web_page_charset_declared_wrong_or_not_at_all():
    from whodoes.build.document.html import decode_page, read_html

    text = "<html><body><div><p>1．推进污水管网建设。（牵头单位：区住房城乡建委）</p></div></body></html>"
    assert decode_page(text.encode("gbk"), "x.html")[0] == text  # no declaration: detected
    wrong = text.replace("<html>", '<html><meta charset="utf-8">')
    assert decode_page(wrong.encode("gb18030"), "x.html")[0] == wrong  # declared UTF-8, written in GB18030
    doc = read_html(wrong.encode("gb18030"), "x.html")
    assert [p.text for p in doc.items] == ["1．推进污水管网建设。（牵头单位：区住房城乡建委）"]


LAYOUT_PAGE = """<html><head><meta charset="utf-8"><title>通知</title>
<meta name="ArticleTitle" content="重庆市璧山区人民政府办公室关于印发璧山区城市管理提升行动方案的通知">
<meta name="PubDate" content="2023-03-01 09:00"></head>
<body><div class="top"><ul><li><a href="/">首页</a></li><li><a href="/a">政务公开</a></li></ul></div>
<table width="1000"><tr><td class="left"><ul><li><a href="/x">通知公告</a></li><li><a href="/y">政策文件</a></li></ul></td>
<td class="content-main">
<div class="article-top"><h1>重庆市璧山区人民政府办公室关于印发璧山区城市管理提升行动方案的通知</h1></div>
<div class="view TRS_UEDITOR trs_paper_default trs_web">
<p class="MsoNormal">各镇人民政府、街道办事处，区政府各部门：</p>
<p class="MsoNormal">现将《璧山区城市管理提升行动方案》印发给你们，请认真贯彻执行。</p>
<p class="MsoNormal" align="center"><b><span>璧山区城市管理提升行动方案</span></b></p>
<p class="MsoNormal">二、重点任务</p>
<p class="MsoNormal"><span>1.</span><span>整治占道经营。</span><span>（牵头单位：区城市管理局；配合单位：区市场监管局）</span></p>
<p class="MsoNormal">2.规范户外广告。<br/>（牵头单位：区城市管理局；配合单位：区规划自然资源局）</p>
<div><table class="MsoNormalTable" border="1"><tbody>
<tr><td><p class="MsoNormal"><span>序号</span></p></td><td><p>工作任务</p></td><td><p>责任单位</p></td><td><p>完成时限</p></td></tr>
<tr><td><p>1</p></td><td><p>完善城市照明设施。</p></td><td><p>区城市管理局</p><p>区财政局</p></td><td><p>&nbsp;</p></td></tr>
<tr><td><p>2</p></td><td><p>推进垃圾分类。</p></td><td rowspan="2"><p>区城市管理局</p></td><td>2023年底</td></tr>
<tr><td><p>3</p></td><td><p>治理噪声扰民。</p></td><td>持续推进</td></tr>
</tbody></table></div>
<ul><li><a href="/r1">璧山区2022年城市管理工作要点（牵头单位：区城市管理局）</a></li><li><a href="/r2">关于加强城市管理的意见</a></li></ul>
</div>
<div class="bottom-info"><span>【<a href="javascript:print()">打印</a>】</span></div>
</td></tr></table>
<div class="footer">版权所有 重庆市璧山区人民政府</div></body></html>"""


def test_a_page_laid_out_in_a_table_without_its_link_lists():
    from whodoes.build.document.html import read_html
    from whodoes.build.document.lines import prepare_document
    from whodoes.build.parse.document import parse_document

    doc = read_html(LAYOUT_PAGE.encode("utf-8"), "page.html")
    prepared = prepare_document(doc)
    text = "\n".join(ln.text for ln in prepared.lines)
    assert "首页" not in text and "通知公告" not in text and "城市管理工作要点" not in text and "版权所有" not in text
    rows = parse_document(prepared.lines, prepared.tables).rows
    assert [(r.text, r.lead, r.support, r.inherited) for r in rows] == [
        ("整治占道经营。", ["区城市管理局"], ["区市场监管局"], []),
        ("规范户外广告。", ["区城市管理局"], ["区规划自然资源局"], []),
        ("完善城市照明设施。", ["区城市管理局", "区财政局"], [], []),
        ("推进垃圾分类。", ["区城市管理局"], [], []),
        ("治理噪声扰民。", ["区城市管理局"], [], ["lead"]),
    ]
    assert doc.metadata["date"] == "2023-03-01" and doc.encoding == "utf-8"


def test_word_frames_and_nested_tables():
    """A one-column table framing the text is read as what it holds; a table nested in a cell
    is a table of its own; headers and footers are left out."""
    import io

    import docx

    from whodoes.build.document.docx import read_docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "页眉：牵头单位：不是单位"
    frame = d.add_table(rows=1, cols=1).cell(0, 0)
    frame.paragraphs[0].text = "一、重点任务"
    frame.add_paragraph("1．整治占道经营。（牵头单位：区城市管理局）")
    inner = frame.add_table(rows=2, cols=3)
    for c, text in enumerate(["序号", "工作任务", "责任单位"]):
        inner.cell(0, c).text = text
    for c, text in enumerate(["2", "规范户外广告。", "区规划自然资源局"]):
        inner.cell(1, c).text = text
    data = io.BytesIO()
    d.save(data)
    doc = read_docx(data.getvalue(), "framed.docx")
    assert [type(i).__name__ for i in doc.items] == ["Paragraph", "Paragraph", "Table", "Paragraph"]
    assert "页眉" not in "\n".join(doc.text_lines())
    parsed = _rows(doc.items)
    assert [(r.text, r.lead) for r in parsed.rows] == [
        ("整治占道经营。", ["区城市管理局"]),
        ("规范户外广告。", ["区规划自然资源局"]),
    ]
