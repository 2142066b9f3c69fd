"""Task tables in each flattening: pipe, TAB per line, TAB per cell, one cell per line."""

from whodoes.build.cleanup import clean_lines
from whodoes.build.parse.document import parse_document

NBSP = "\u00a0"


def parse(text):
    lines, _ = clean_lines(text)
    return parse_document(lines)


def test_pipe_table_in_traditional_with_pinyin_debris():
    text = "\n".join(
        [
            "附件",
            "創(chuàng)建任務(wù)分工",
            "序號 | 目????標(biāo)????任????務(wù) | 責(zé)任單位 |",
            "1 | 以廣陽島為生態(tài)島。 | 南岸區(qū)、重慶經(jīng)開區(qū) |",
            "2 | 有序遷建項目。 | 市司法局,渝中區(qū) |",
            "本文鏈接:http://example.invalid/1.html",
        ]
    )
    parsed = parse(text)
    assert [r.seq for r in parsed.rows] == ["1", "2"]
    first = parsed.rows[0]
    assert first.text == "以广阳岛为生态岛。" and first.line == 4
    assert first.lead == ["南岸区", "重庆经开区"] and first.support == []
    assert (first.lead_label, first.support_label) == ("责任单位", None)
    assert parsed.rows[1].lead == ["市司法局", "渝中区"]
    assert "pipe table" in parsed.layouts[0]


def test_markdown_pipe_table_with_both_roles_and_deadline():
    text = "\n".join(
        [
            "| 序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限 |",
            "|---|---|---|---|---|",
            "| 1 | 建设污水管网。 | 区住房城乡建委 | 区水利局、各镇街 | 2023年底前 |",
            "| 2 | 推进垃圾分类。 | 区城市管理局 | / | 持续推进 |",
        ]
    )
    rows = parse(text).rows
    assert rows[0].lead == ["区住房城乡建委"] and rows[0].support == ["区水利局", "各镇街"]
    assert rows[0].deadline == "2023年底前"
    assert rows[1].support == [] and rows[1].deadline == "持续推进"


def test_tab_flattened_cells_with_wrapped_unit_cells_sections_and_fill_down():
    text = "\n".join(
        [
            "附件1 重点任务",
            "",
            "\t序号",
            "\t措施",
            "\t主要内容",
            "\t责任单位",
            "\t配合单位",
            "",
            "\t一、推进绿色低碳发展",
            "",
            "\t",
            "\t推动制造产业绿色发展",
            "\t加大改造力度。",
            "\t产业促进局",
            "\t经济运行局、财政局",
            "",
            "\t",
            "\t",
            "\t推进绿色港口建设。",
            "\t港务物流集团、",
            "",
            "江北嘴投资集团",
            "\t经济运行局",
            "",
            "\t",
            "\t",
            "\t落实检测维护制度。",
            "\t生态环境分局、公安分局",
            "",
            "、市场监管局",
            "\t/",
            "",
            "\t二、加强国土空间生态环境管控",
            "",
            "\t",
            "\t强化国土空间规划管控",
            "\t高质量完成规划编制。",
            "\t规划自然资源局",
            "\t有关国有企业",
        ]
    )
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
    text = "\n".join(
        [
            "序号\t工作任务\t牵头单位\t配合单位",
            "1\t开展河道清淤。\t区水利局\t各镇街",
            "2\t加强巡查。\t区城管局\t区水利局，区公安局",
        ]
    )
    rows = parse(text).rows
    assert [r.lead for r in rows] == [["区水利局"], ["区城管局"]]
    assert rows[1].support == ["区水利局", "区公安局"]


def _cell_table(*cells):
    header = ["序号", "工程类别", "工作任务", "2018年任务", "2019年任务", "2020年任务", "牵头单位", "配合单位", "备注"]
    return "\n\n".join(["工作任务表" + NBSP] + header + list(cells))


def test_one_cell_per_line_table_targets_wraps_and_merged_cells():
    text = _cell_table(
        "1",
        "1.实施主体功能定位工程",
        "深入实施主体功能",
        "区战略。",
        "贯彻意见。",
        "执行政策。",
        "划定红线。",
        "运行局",
        "国土分局、规划分局等相关部门。",
        NBSP,
        "2",
        "推进监测平台建设。",
        NBSP,
        "3",
        "严格红线管控工作考核。",
        "开展研究。",
        "开展考核。",
        "财政局、组织人事部。",
        NBSP,
        "4",
        "严控过剩产能。",
        "环保分局",
        NBSP,
        "组织完成“三线一单”编制工作。",
        "组织编制。",
        "规划分局",
        "相关部门。",
        "5",
        "2.实施生态保护红线管控工程",
        "加强生物多样性保护。",
        "城管局;",
        "相关集团、园区公司",
        "建设局等相关部门。",
        NBSP,
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
    # two cells under three year columns stand in the first two (2020 printed nothing)
    assert r3.targets == {"2018": "开展研究。", "2019": "开展考核。"} and r3.detail is None
    # a single cell without 。 is the lead; the support is merged from above
    assert r4.lead == ["环保分局"] and r4.support == ["财政局", "组织人事部"] and r4.inherited == ["support"]
    # a row without a printed number starts after the previous row's cells
    assert r5.lead == ["规划分局"] and r5.support == ["相关部门"] and r5.inherited == []
    # a unit cell ending in ; continues on the next line
    assert r6.category == "2.实施生态保护红线管控工程"
    assert r6.lead == ["城管局", "相关集团", "园区公司"] and r6.support == ["建设局", "相关部门"]
    assert all(r.title == r.text for r in rows)


# --- forms of task tables beyond the five seed plans -------------------------------------


def test_pipe_row_wrapped_onto_the_next_line_and_section_rows():
    text = "\n".join(
        [
            "| 序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限 |",
            "|:---:|---|---|---|---|",
            "| 一、加强水污染治理 | | | | |",
            "| 1 | 推进城镇污水处理提质增效，新建管网50公里，",
            "收集率达到70%以上。 | 区住房城乡建委 | 区城市管理局,区水利局，各镇街 | 2025年底前 |",
            "| 2 | 开展园区排查整治。 | 区经济信息委 | 区生态环境局、",
            "高新区管委会 | 2024年6月 |",
            "| **二、推进水生态修复** | | | | |",
            "| 3 | 实施河道清淤。 | 区水利局 | 各镇街 | 持续推进 |",
            "三、保障措施",
            "各单位要加强配合。",
        ]
    )
    parsed = parse(text)
    rows = parsed.rows
    assert [r.seq for r in rows] == ["1", "2", "3"]
    assert rows[0].text == "推进城镇污水处理提质增效，新建管网50公里，收集率达到70%以上。"
    assert rows[0].support == ["区城市管理局", "区水利局", "各镇街"] and rows[0].deadline == "2025年底前"
    assert rows[1].support == ["区生态环境局", "高新区管委会"] and rows[1].deadline == "2024年6月"
    assert [r.section for r in rows] == ["一、加强水污染治理"] * 2 + ["二、推进水生态修复"]
    assert "pipe table at line 1" in parsed.layouts[0] and ": 3 rows" in parsed.layouts[0]


def test_pipe_table_without_outer_pipes_numbered_sections_and_year_columns():
    text = "\n".join(
        [
            "序号 | 工作任务 | 2023年 | 2024年 | 2025年 | 责任单位",
            "一 | 推进产业绿色转型 | | | |",
            "1 | 培育绿色制造体系 | 创建绿色工厂3家 | 创建3家 | 累计10家 | 区经济信息委",
            "2 | 建设充电设施 | 新建1000个 | 新建1500个 | / | 区经济信息委、区住房城乡建委,各镇街",
            "二 | 倡导绿色生活方式 | | | |",
            "1 | 推行绿色出行 | 新增公交车100辆 | 新增100辆 | 比例达到70% | 区交通局，区公安分局",
        ]
    )
    rows = parse(text).rows
    assert [(r.seq, r.section) for r in rows] == [
        ("1", "一、推进产业绿色转型"),
        ("2", "一、推进产业绿色转型"),
        ("1", "二、倡导绿色生活方式"),
    ]
    assert rows[0].targets == {"2023": "创建绿色工厂3家", "2024": "创建3家", "2025": "累计10家"}
    assert rows[1].targets == {"2023": "新建1000个", "2024": "新建1500个"}  # "/" is no target
    assert rows[1].lead == ["区经济信息委", "区住房城乡建委", "各镇街"] and rows[1].lead_label == "责任单位"
    assert rows[0].title == "培育绿色制造体系"


def test_two_line_header_naming_the_year_columns():
    text = "\n".join(
        [
            "| 序号 | 重点任务 | 年度目标 | | | 牵头单位 | 配合单位 |",
            "| | | 2023年 | 2024年 | 2025年 | | |",
            "|---|---|---|---|---|---|---|",
            "| 1 | 建设绿道 | 10公里 | 20公里 | 30公里 | 区城市管理局 | 区林业局 |",
        ]
    )
    [row] = parse(text).rows
    assert row.targets == {"2023": "10公里", "2024": "20公里", "2025": "30公里"}
    assert row.lead == ["区城市管理局"] and row.support == ["区林业局"]


def test_two_line_header_with_only_the_year_cells_under_the_spanning_one():
    text = "\n".join(
        [
            "序号\t重点任务\t年度目标\t责任单位",
            "2023年\t2024年\t2025年",
            "1\t建设绿道\t10公里\t20公里\t30公里\t区城市管理局",
        ]
    )
    [row] = parse(text).rows
    assert row.targets == {"2023": "10公里", "2024": "20公里", "2025": "30公里"}
    assert row.lead == ["区城市管理局"]


def test_tab_rows_wrapped_onto_the_next_line_with_sections_and_support_beside_responsibility():
    text = "\n".join(
        [
            "序号\t工作任务\t责任单位\t配合单位\t时间节点",
            "一、农村生活污水治理",
            "1\t新建处理设施20座，运行率达到",
            "80%以上。\t区住房城乡建委\t各镇街\t2025年底前",
            "2\t开展农膜回收行动。\t区供销合作社\t区农业农村委、区生态环境局、",
            "各镇街\t每年",
            "3\t规范粪污利用。\t区农业农村委\t/\t持续推进",
            "（此件公开发布）",
        ]
    )
    rows = parse(text).rows
    assert [r.text for r in rows] == ["新建处理设施20座，运行率达到80%以上。", "开展农膜回收行动。", "规范粪污利用。"]
    assert rows[0].lead == ["区住房城乡建委"] and rows[0].support == ["各镇街"]
    assert (rows[0].lead_label, rows[0].support_label) == ("责任单位", "配合单位")
    assert rows[1].support == ["区农业农村委", "区生态环境局", "各镇街"] and rows[1].deadline == "每年"
    assert rows[2].support == [] and rows[2].section == "一、农村生活污水治理"


def test_traditional_tab_table():
    text = "\n".join(
        [
            "序號\t重點任務\t牽頭單位\t配合單位",
            "1\t開展河道清淤。\t區水利局\t各鎮街",
            "2\t加強巡查執法。\t區城市管理局\t區水利局、區公安局",
        ]
    )
    rows = parse(text).rows
    assert [r.lead for r in rows] == [["区水利局"], ["区城市管理局"]]
    assert rows[1].support == ["区水利局", "区公安局"]


def test_cell_per_line_table_with_sections_restarting_numbers_and_deadline_after_units():
    text = "\n".join(
        [
            "序号",
            "重点任务",
            "牵头单位",
            "配合单位",
            "完成时限",
            "一、水污染防治",
            "1",
            "完成截污干管建设，",
            "实现排污口全部截流。",
            "区住房城乡建委",
            "区水利局、区生态环境局",
            "2023年底前",
            "2",
            "开展支流整治。",
            "区水利局",
            "区生态环境局,区农业农村委，沿河镇街",
            "2024年底前",
            "二、消落带治理",
            "1",
            "实施生态修复工程。",
            "区林业局",
            "/",
            "2025年底前",
            "2",
            "建立巡查制度。",
            "区水利局",
            "汉丰街道、镇安镇",
            "持续推进",
            "",
            "重庆市开州区人民政府办公室",
            "2022年11月7日",
        ]
    )
    parsed = parse(text)
    rows = parsed.rows
    assert [(r.seq, r.section) for r in rows] == [
        ("1", "一、水污染防治"),
        ("2", "一、水污染防治"),
        ("1", "二、消落带治理"),
        ("2", "二、消落带治理"),
    ]
    assert rows[0].text == "完成截污干管建设，实现排污口全部截流。" and rows[0].line == 8
    assert rows[1].support == ["区生态环境局", "区农业农村委", "沿河镇街"]
    assert rows[2].support == [] and rows[2].deadline == "2025年底前"
    assert [r.deadline for r in rows] == ["2023年底前", "2024年底前", "2025年底前", "持续推进"]
    assert "one cell per line" in parsed.layouts[0]


def test_cell_per_line_table_with_year_columns_and_none_cells_ends_at_the_next_heading():
    text = "\n".join(
        [
            "序号",
            "措施",
            "2023年",
            "2024年",
            "2025年",
            "责任单位",
            "1",
            "实施营造林工程",
            "完成5万亩",
            "完成5万亩",
            "完成4万亩",
            "区林业局",
            "2",
            "建设城市绿道和口袋公园",
            "新建绿道10公里",
            "新建公园5个",
            "/",
            "区城市管理局，区住房城乡建委",
            "三、保障措施",
            "各镇街要落实属地责任，区林业局要加强技术指导。",
        ]
    )
    rows = parse(text).rows
    assert [r.text for r in rows] == ["实施营造林工程", "建设城市绿道和口袋公园"]
    assert rows[1].targets == {"2023": "新建绿道10公里", "2024": "新建公园5个"}
    assert rows[1].lead == ["区城市管理局", "区住房城乡建委"]


def test_cell_per_line_year_group_header():
    text = "\n".join(
        [
            "序号",
            "重点任务",
            "年度目标",
            "2023年",
            "2024年",
            "牵头单位",
            "1",
            "建设绿道",
            "10公里",
            "20公里",
            "区城市管理局",
        ]
    )
    [row] = parse(text).rows
    assert row.targets == {"2023": "10公里", "2024": "20公里"} and row.lead == ["区城市管理局"]


def test_title_column_beside_the_task_column_is_filled_down():
    text = "\n".join(
        [
            "|序号|重点任务|具体措施|牵头单位|责任单位|",
            "|---|---|---|---|---|",
            "|1|提升市容环境|开展背街小巷综合整治。|区城市管理局|各街道|",
            "|2||规范户外广告设置。||区市场监管局、各街道|",
        ]
    )
    first, second = parse(text).rows
    assert first.text == "开展背街小巷综合整治。" and first.title == first.category == "提升市容环境"
    assert second.title == "提升市容环境" and second.text == "规范户外广告设置。"
    assert second.lead == ["区城市管理局"] and second.inherited == ["lead"]
    assert second.support == ["区市场监管局", "各街道"] and second.support_label == "责任单位"


def test_measure_column_right_of_the_task_is_the_text_and_goal_column_is_detail():
    text = "\n".join(
        [
            "序号 | 重点任务 | 措施 | 工作目标 | 预期成效 | 牵头单位",
            "1 | 治水 | 建设污水管网。 | 收集率70% | 水质改善 | 区住房城乡建委",
        ]
    )
    [row] = parse(text).rows
    assert row.title == "治水" and row.text == "建设污水管网。" and row.detail == "收集率70%\n水质改善"


def test_roles_written_inside_the_only_unit_column():
    text = "\n".join(
        [
            "序号｜工作任务｜责任单位",
            "1｜完善规划。｜区发展改革委（牵头）、区财政局，各镇街",
            "2｜推进改革。｜牵头单位：区水利局；配合单位：区林业局",
            "3｜强化监管。<br>开展执法。｜区生态环境局牵头，区公安分局配合",
            "4｜加强宣传。｜区委宣传部、区文化旅游委",
        ]
    )
    rows = parse(text).rows
    assert [(r.lead, r.support) for r in rows] == [
        (["区发展改革委"], ["区财政局", "各镇街"]),
        (["区水利局"], ["区林业局"]),
        (["区生态环境局"], ["区公安分局"]),
        (["区委宣传部", "区文化旅游委"], []),
    ]
    assert rows[2].text == "强化监管。开展执法。"


def test_header_naming_an_unknown_column_is_still_a_header():
    text = "\n".join(
        [
            "序号\t重点任务\t考核方式\t牵头单位\t配合单位",
            "1\t开展河道清淤。\t现场检查\t区水利局\t各镇街",
        ]
    )
    [row] = parse(text).rows
    assert row.lead == ["区水利局"] and row.detail == "现场检查"


def test_rectification_list_with_problem_leader_and_deadline_columns():
    text = "\n".join(
        [
            "序号\t存在问题\t整改措施\t责任领导\t责任单位\t整改时限",
            "1\t部分河段垃圾漂浮。\t开展河道保洁。\t张三\t区水利局、各镇街\t2023年6月底",
        ]
    )
    [row] = parse(text).rows
    assert row.text == "开展河道保洁。" and row.detail == "部分河段垃圾漂浮。\n张三"
    assert row.lead == ["区水利局", "各镇街"] and row.deadline == "2023年6月底"


def test_cell_per_line_title_column_merged_over_rows():
    text = "\n".join(
        [
            "序号",
            "重点任务",
            "具体措施",
            "牵头单位",
            "配合单位",
            "1",
            "提升市容环境",
            "开展背街小巷综合整治。",
            "区城市管理局",
            "各街道",
            "2",
            "规范户外广告设置。",
            "区市场监管局",
            "3",
            "改善交通秩序",
            "新增公共停车位2000个。",
            "区住房城乡建委",
            "区交通局",
        ]
    )
    rows = parse(text).rows
    assert [(r.title, r.text) for r in rows] == [
        ("提升市容环境", "开展背街小巷综合整治。"),
        ("提升市容环境", "规范户外广告设置。"),
        ("改善交通秩序", "新增公共停车位2000个。"),
    ]
    assert rows[1].lead == ["区市场监管局"] and rows[1].support == ["各街道"] and rows[1].inherited == ["support"]


def test_tab_rows_that_leave_out_a_merged_category_cell():
    text = "\n".join(
        [
            "序号\t重点任务\t具体措施\t牵头单位\t配合单位",
            "1\t提升市容环境\t开展背街小巷综合整治。\t区城市管理局\t各街道",
            "2\t规范户外广告设置。\t区市场监管局\t各街道",
            "3\t改善交通秩序\t新增公共停车位。\t区住房城乡建委\t区交通局",
        ]
    )
    rows = parse(text).rows
    assert [(r.seq, r.title, r.text, r.lead) for r in rows] == [
        ("1", "提升市容环境", "开展背街小巷综合整治。", ["区城市管理局"]),
        ("2", "提升市容环境", "规范户外广告设置。", ["区市场监管局"]),
        ("3", "改善交通秩序", "新增公共停车位。", ["区住房城乡建委"]),
    ]
