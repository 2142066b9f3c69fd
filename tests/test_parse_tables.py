"""Task tables in each flattening: pipe, TAB per line, TAB per cell, one cell per line."""

from whodoes.cleanup import clean_lines
from whodoes.parse.document import parse_document

NBSP = "\u00a0"


def parse(text):
    lines, _ = clean_lines(text)
    return parse_document(lines)


def test_pipe_table_in_traditional_with_pinyin_debris():
    text = "\n".join([
        "附件", "創(chuàng)建任務(wù)分工",
        "序號 | 目????標(biāo)????任????務(wù) | 責(zé)任單位 |",
        "1 | 以廣陽島為生態(tài)島。 | 南岸區(qū)、重慶經(jīng)開區(qū) |",
        "2 | 有序遷建項目。 | 市司法局,渝中區(qū) |",
        "本文鏈接:http://example.invalid/1.html",
    ])
    parsed = parse(text)
    assert [r.seq for r in parsed.rows] == ["1", "2"]
    first = parsed.rows[0]
    assert first.text == "以广阳岛为生态岛。" and first.line == 4
    assert first.lead == ["南岸区", "重庆经开区"] and first.support == []
    assert (first.lead_label, first.support_label) == ("责任单位", None)
    assert parsed.rows[1].lead == ["市司法局", "渝中区"]
    assert "pipe table" in parsed.layouts[0]


def test_markdown_pipe_table_with_both_roles_and_deadline():
    text = "\n".join([
        "| 序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限 |",
        "|---|---|---|---|---|",
        "| 1 | 建设污水管网。 | 区住房城乡建委 | 区水利局、各镇街 | 2023年底前 |",
        "| 2 | 推进垃圾分类。 | 区城市管理局 | / | 持续推进 |",
    ])
    rows = parse(text).rows
    assert rows[0].lead == ["区住房城乡建委"] and rows[0].support == ["区水利局", "各镇街"]
    assert rows[0].deadline == "2023年底前"
    assert rows[1].support == [] and rows[1].deadline == "持续推进"


def test_tab_flattened_cells_with_wrapped_unit_cells_sections_and_fill_down():
    text = "\n".join([
        "附件1 重点任务", "",
        "\t序号", "\t措施", "\t主要内容", "\t责任单位", "\t配合单位", "",
        "\t一、推进绿色低碳发展", "",
        "\t", "\t推动制造产业绿色发展", "\t加大改造力度。", "\t产业促进局", "\t经济运行局、财政局", "",
        "\t", "\t", "\t推进绿色港口建设。", "\t港务物流集团、", "", "江北嘴投资集团", "\t经济运行局", "",
        "\t", "\t", "\t落实检测维护制度。", "\t生态环境分局、公安分局", "", "、市场监管局", "\t/", "",
        "\t二、加强国土空间生态环境管控", "",
        "\t", "\t强化国土空间规划管控", "\t高质量完成规划编制。", "\t规划自然资源局", "\t有关国有企业",
    ])
    parsed = parse(text)
    rows = parsed.rows
    assert len(rows) == 4
    assert [r.section for r in rows] == ["一、推进绿色低碳发展"] * 3 + ["二、加强国土空间生态环境管控"]
    assert [r.category for r in rows] == ["推动制造产业绿色发展"] * 3 + ["强化国土空间规划管控"]
    assert rows[1].lead == ["港务物流集团", "江北嘴投资集团"] and rows[1].support == ["经济运行局"]
    assert rows[1].line == 19
    assert rows[2].lead == ["生态环境分局", "公安分局", "市场监管局"] and rows[2].support == []
    assert (rows[0].lead_label, rows[0].support_label) == ("责任单位", "配合单位")
    assert "TAB-flattened" in parsed.layouts[0]


def test_tab_separated_rows_one_per_line():
    text = "\n".join([
        "序号\t工作任务\t牵头单位\t配合单位",
        "1\t开展河道清淤。\t区水利局\t各镇街",
        "2\t加强巡查。\t区城管局\t区水利局，区公安局",
    ])
    rows = parse(text).rows
    assert [r.lead for r in rows] == [["区水利局"], ["区城管局"]]
    assert rows[1].support == ["区水利局", "区公安局"]


def _cell_table(*cells):
    header = ["序号", "工程类别", "工作任务", "2018年任务", "2019年任务", "2020年任务", "牵头单位", "配合单位", "备注"]
    return "\n\n".join(["工作任务表" + NBSP] + header + list(cells))


def test_one_cell_per_line_table_targets_wraps_and_merged_cells():
    text = _cell_table(
        "1", "1.实施主体功能定位工程", "深入实施主体功能", "区战略。", "贯彻意见。", "执行政策。", "划定红线。",
        "运行局", "国土分局、规划分局等相关部门。", NBSP,
        "2", "推进监测平台建设。", NBSP,
        "3", "严格红线管控工作考核。", "开展研究。", "开展考核。", "财政局、组织人事部。", NBSP,
        "4", "严控过剩产能。", "环保分局", NBSP,
        "组织完成“三线一单”编制工作。", "组织编制。", "规划分局", "相关部门。",
        "5", "2.实施生态保护红线管控工程", "加强生物多样性保护。", "城管局;", "相关集团、园区公司", "建设局等相关部门。", NBSP,
    )
    rows = parse(text).rows
    assert [r.seq for r in rows] == ["1", "2", "3", "4", None, "5"]
    r1, r2, r3, r4, r5, r6 = rows
    assert r1.text == "深入实施主体功能区战略。" and r1.category == "1.实施主体功能定位工程"
    assert r1.targets == {"2018": "贯彻意见。", "2019": "执行政策。", "2020": "划定红线。"}
    assert r1.lead == ["运行局"] and r1.support == ["国土分局", "规划分局", "相关部门"]
    # no unit cells: both merged from row 1
    assert r2.lead == ["运行局"] and r2.inherited == ["lead", "support"] and r2.category == r1.category
    # a single cell ending in 。 is the support (this table ends support cells with 。, never lead cells)
    assert r3.lead == ["运行局"] and r3.support == ["财政局", "组织人事部"] and r3.inherited == ["lead"]
    assert r3.targets == {} and r3.detail == "开展研究。\n开展考核。"
    # a single cell without 。 is the lead; the support is merged from above
    assert r4.lead == ["环保分局"] and r4.support == ["财政局", "组织人事部"] and r4.inherited == ["support"]
    # a row without a printed number starts after the previous row's cells
    assert r5.lead == ["规划分局"] and r5.support == ["相关部门"] and r5.inherited == []
    # a unit cell ending in ; continues on the next line
    assert r6.category == "2.实施生态保护红线管控工程"
    assert r6.lead == ["城管局", "相关集团", "园区公司"] and r6.support == ["建设局", "相关部门"]
    assert all(r.title == r.text for r in rows)
