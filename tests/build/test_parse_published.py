"""Forms of published plans (issue 11): one small text per form, as copied from a web page or a PDF."""

from whodoes.build.cleanup import clean_lines
from whodoes.build.parse.document import parse_document
from whodoes.build.parse.split import split_units

NBSP = "\u00a0"


def parse(text: str):
    lines, _ = clean_lines(text)
    return parse_document(lines)


# --- flattened tables ----------------------------------------------------------------------


def test_spaced_table_with_unit_cell_one_per_line_and_progress_column():
    parsed = parse(
        "\n".join(
            [
                "序号 目标任务 责任单位 上半年推进情况",
                "一、经济社会发展主要预期目标",
                "1 地区生产总值增长6%以上。 区发展改革委 同比增长2.9%。",
                "2 第一产业增加值增长5%。 区农业农村委",
                "区林业局",
                "区供销联社",
                "同比增长3.4%。",
                "二、重点工作",
                "3 实施高能级创新平台建设行动。 区科技局 全面启动创建工作。",
            ]
        )
    )
    rows = parsed.rows
    assert [r.seq for r in rows] == ["1", "2", "3"]
    assert rows[1].lead == ["区农业农村委", "区林业局", "区供销联社"] and rows[1].support == []
    assert rows[1].detail == "同比增长3.4%。" and rows[1].text == "第一产业增加值增长5%。"
    assert [r.section for r in rows] == ["一、经济社会发展主要预期目标"] * 2 + ["二、重点工作"]
    assert "cells separated by spaces" in parsed.layouts[0]


def test_spaced_table_header_broken_over_two_lines_and_a_space_inside_a_cell():
    rows = parse(
        "\n".join(
            [
                "序号  重点任务  牵头  配合",
                "单位  单位",
                "1  加强水资源保 护  区水利局  区生态环境局",
            ]
        )
    ).rows
    assert len(rows) == 1
    assert rows[0].text == "加强水资源保护" and rows[0].lead == ["区水利局"] and rows[0].support == ["区生态环境局"]
    assert rows[0].lead_label == "牵头单位"


def test_pipe_table_with_letter_spaced_header_words_and_a_text_column_of_an_unknown_name():
    rows = parse(
        "\n".join(
            [
                "| 序号 | 实事项目 | 工作举措及实施计划 | 责 任 单 位 | 协 助 单 位 |",
                "| 1 | 新建成公办中小学7所。 | 4月底前主体完工。 | 教育局 | 发改局、住建局 |",
            ]
        )
    ).rows
    assert rows[0].text == "新建成公办中小学7所。" and rows[0].detail == "4月底前主体完工。"
    assert rows[0].lead == ["教育局"] and rows[0].support == ["发改局", "住建局"]
    assert rows[0].support_label == "协助单位"


def test_cell_per_line_table_without_blank_lines_header_cell_continued_and_person_column():
    rows = parse(
        "\n".join(
            [
                "序号",
                "指标",
                "工作任务",
                "完成时限",
                "责任领导",
                "责任股室",
                "(单位)",
                "备注",
                "1",
                "公共文化服务",
                "免费开放服务人次较上年增长15%。",
                "12月底前",
                "夏俊贵",
                "文化宣传股",
                "文化馆",
                "图书馆",
                "2",
                "开展好“三下乡”活动。",
            ]
        )
    ).rows
    assert [r.seq for r in rows] == ["1", "2"]
    assert rows[0].lead == ["文化宣传股", "文化馆", "图书馆"]
    assert "夏俊贵" not in rows[0].lead + rows[0].support  # 责任领导 names a person
    assert rows[1].lead == rows[0].lead and rows[1].inherited == ["lead"]


def test_pipe_borders_on_lines_of_their_own_and_a_starred_lead():
    rows = parse(
        "\n".join(
            [
                "序号",
                "|",
                "项目",
                "|",
                "重点工作目标任务",
                "|",
                "牵头领导",
                "|",
                "责任单位",
                "|",
                "1",
                "|",
                "主要预期目标",
                "|",
                "地区生产总值增长5%以上。",
                "|",
                "钱宇",
                "|",
                "★区发改委、统计局",
                "|",
            ]
        )
    ).rows
    assert rows[0].text == "地区生产总值增长5%以上。"
    assert rows[0].lead == ["区发改委"] and rows[0].support == ["统计局"]


def test_year_column_as_the_only_text_column_is_the_task():
    rows = parse(
        "\n".join(
            [
                "序号",
                "",
                "2022年预期目标",
                "",
                "责任单位",
                "",
                "1",
                "",
                "地区生产总值增长5.5%左右",
                "",
                "区发展改革委",
                "",
            ]
        )
    ).rows
    assert rows[0].text == "地区生产总值增长5.5%左右" and rows[0].lead == ["区发展改革委"]


def test_two_responsibility_columns_and_a_star_legend():
    rows = parse(
        "\n".join(
            [
                "| 序号 | 任务名称 | 责任部门(加*号为牵头部门,其余为参与部门) | 责任街镇 |",
                "| 1 | 完成示范村建设。 | 区农业农村委*、区发改委 | 浦江镇 |",
            ]
        )
    ).rows
    assert rows[0].lead == ["区农业农村委"] and rows[0].support == ["区发改委", "浦江镇"]


# --- role sentences ----------------------------------------------------------------------


def test_role_sentence_with_participation_and_bare_implementation():
    rows = parse("1.加强水资源保护。（区水利局牵头，区生态环境局参与，各镇街落实）").rows
    assert rows[0].lead == ["区水利局"] and rows[0].support == ["区生态环境局", "各镇街"]


def test_lead_together_with_others():
    rows = parse("1.推进河道整治，由区水利局会同区生态环境局、区农业农村委等部门负责。").rows
    assert rows[0].lead == ["区水利局"] and rows[0].support == ["区生态环境局", "区农业农村委", "部门"]


def test_tortoise_shell_and_lenticular_brackets_and_two_clauses_in_one_paragraph():
    rows = parse("1.开展巡查。【区水利局牵头，区公安局配合】加强宣传。〔区委宣传部负责〕").rows
    assert [(r.text, r.lead, r.support) for r in rows] == [
        ("开展巡查。", ["区水利局"], ["区公安局"]),
        ("加强宣传。", ["区委宣传部"], []),
    ]


def test_several_leads_each_leading():
    rows = parse("1.加强宣传工作。（区委宣传部、区文化旅游委分别牵头）").rows
    assert rows[0].lead == ["区委宣传部", "区文化旅游委"] and rows[0].support == []


def test_note_inside_a_unit_name_and_separators_inside_parentheses():
    rows = parse("1.加强卫生工作。（市卫生健康委（除标注外，下同）牵头，各县（市、区）政府落实）").rows
    assert rows[0].lead == ["市卫生健康委"] and rows[0].support == ["各县（市、区）政府"]


def test_unit_list_rules_for_collectives_and_broken_lines():
    assert split_units("各州、市人民政府、省财政厅") == ["各州、市人民政府", "省财政厅"]
    assert split_units("各区县〔自治县，以下简称区县〕政府") == ["各区县〔自治县〕政府"]
    assert split_units("各区人民政府〈含开发区管委会，下同〉") == ["各区人民政府"]
    assert split_units("市食药 安委有关成员单位") == ["市食药安委有关成员单位"]
    assert split_units("市规划局 市建设局") == ["市规划局", "市建设局"]


# --- label lines ----------------------------------------------------------------------------


def test_person_lines_are_neither_units_nor_task_text_and_division_labels():
    rows = parse(
        "\n".join(
            [
                "1.地区生产总值增长6%以上。",
                "分管省领导：林克庆",
                "部门分工：省发展改革委牵头，各地、各部门配合。",
                "2.地方一般公共预算收入增长5%左右。",
                "责任领导：张三",
                "牵头责任单位：区财政局",
                "协同责任单位：区税务局",
            ]
        )
    ).rows
    assert [(r.text, r.lead, r.support) for r in rows] == [
        ("地区生产总值增长6%以上。", ["省发展改革委"], ["各地", "各部门"]),
        ("地方一般公共预算收入增长5%左右。", ["区财政局"], ["区税务局"]),
    ]


def test_a_page_footer_saying_who_runs_the_site_is_not_a_clause():
    parsed = parse("一、重点任务\n1.加强巡查。\n主办：某某区人民政府办公室 版权所有")
    assert all(r.lead == [] for r in parsed.rows)


# --- unit-first items, unit headings, sub-measures, broken lines -----------------------------


def test_unit_first_items():
    rows = parse(
        "\n".join(
            [
                "（二）市政府有关部门及单位工作分工",
                "1.市市政委：负责全面推进数字化城市管理工作。",
                "2、区住建局。排查辖区内危旧房屋。",
            ]
        )
    ).rows
    assert [(r.text, r.lead) for r in rows] == [
        ("负责全面推进数字化城市管理工作。", ["市市政委"]),
        ("排查辖区内危旧房屋。", ["区住建局"]),
    ]


def test_duties_under_a_heading_that_names_the_unit():
    rows = parse(
        "\n".join(
            [
                "(2)区县监督中心的职责。区县监督中心主要承担以下职责:",
                "①负责受理来自管理平台的信息。",
                "②负责对城市管理问题进行立案。",
                "区县监督中心可依托城市管理部门组建。",
                "(3)区县指挥中心职责",
                "①负责派遣任务。",
            ]
        )
    ).rows
    assert [(r.text, r.lead) for r in rows] == [
        ("负责受理来自管理平台的信息。", ["区县监督中心"]),
        ("负责对城市管理问题进行立案。", ["区县监督中心"]),
        ("负责派遣任务。", ["区县指挥中心"]),
    ]


def test_a_heading_with_a_clause_hands_its_unit_to_its_items_and_is_no_task_itself():
    rows = parse(
        "\n".join(
            [
                "一、扩大有效投资政策(由县发改局牵头实施)",
                "聚焦重大交通、科技创新等九大工程。",
                "1.加大财政支持力度。县财政统筹安排资金37.4亿元。",
                "2.加强资金要素争取。开展专项债项目常态化储备。",
            ]
        )
    ).rows
    assert [(r.seq, r.lead) for r in rows] == [("1", ["县发改局"]), ("2", ["县发改局"])]


def test_one_clause_after_sub_measures_is_one_row_for_the_whole_item():
    rows = parse(
        "\n".join(
            [
                "1.完善应急预案体系",
                "(1)加强应急预案管理。",
                "(2)推进应急预案精编化。",
                "(责任单位:市直各有关单位、各县(市、区)人民政府)",
            ]
        )
    ).rows
    assert len(rows) == 1 and rows[0].line == 1 and rows[0].seq == "1"
    assert "加强应急预案管理" in rows[0].text and "推进应急预案精编化" in rows[0].text
    assert rows[0].lead == ["市直各有关单位", "各县(市、区)人民政府"]


def test_hard_line_breaks_inside_a_task_paragraph():
    rows = parse(
        "\n".join(
            [
                "一、重点任务",
                "1.加快推进城市更新工作，完成老旧小区改造",
                "20个，新增停车位1000个。（区住房城乡建委牵头，",
                "各街道配合）",
            ]
        )
    ).rows
    assert len(rows) == 1 and rows[0].line == 2
    assert rows[0].text.startswith("加快推进城市更新工作") and rows[0].lead == ["区住房城乡建委"]
    assert rows[0].support == ["各街道"]


# --- document-wide rules ---------------------------------------------------------------------


def test_the_documents_role_rule_applies_to_lists_without_roles():
    parsed = parse(
        "\n".join(
            [
                "说明：责任单位中列第一位的为牵头单位。",
                "序号\t工作任务\t责任单位",
                "1\t加强巡查。\t区水利局、区公安局、各镇街",
                "2\t开展宣传。\t区委宣传部",
            ]
        )
    )
    assert [(r.lead, r.support) for r in parsed.rows] == [(["区水利局"], ["区公安局", "各镇街"]), (["区委宣传部"], [])]
    assert any("role rule" in layout for layout in parsed.layouts)
    assert parsed.warnings == []


def test_a_standing_note_adds_no_units():
    rows = parse(
        "1.设立专项资金。（责任单位：市工信局、市财政局。以下政策措施均需各县区人民政府落实，不再单独列出）\n"
        "2.成立工作专班。（责任单位：市工信局）"
    ).rows
    assert rows[0].lead == ["市工信局", "市财政局"] and rows[1].lead == ["市工信局"]


def test_a_text_cut_off_mid_name_keeps_no_invented_unit_and_says_so():
    parsed = parse("1.开展消费促进活动。\n牵头单位：区商务委\n2.推进招商引资。\n牵头单位：区商")
    assert parsed.rows[-1].lead == []
    assert any("cut off" in w for w in parsed.warnings)


def test_numbered_list_without_headings_and_a_figure_after_the_number():
    rows = parse(
        "\n".join(
            [
                "2022年区政府要完成的实事",
                "1.既有多层住宅加装电梯新增400台。",
                "2.50个小区新增充电设施。",
                "3.开设40个爱心暑托班。",
            ]
        )
    ).rows
    assert [r.seq for r in rows] == ["1", "2", "3"] and rows[1].text == "50个小区新增充电设施。"


def test_a_reply_to_a_proposal_has_no_tasks():
    parsed = parse(
        "\n".join(
            [
                "重庆市某区发展和改革委员会关于区人大第112号建议的复函",
                "一、落实举措",
                "（一）加强领导。健全工作机构。",
                "（二）夯实责任。优化顶层设计。",
            ]
        )
    )
    assert parsed.rows == []


def test_quarterly_progress_columns_are_detail():
    rows = parse(
        "\n".join(
            [
                "| 序号 | 工作任务 | 责任单位 | 一季度 | 二季度 | 三季度 | 四季度 |",
                "| 1 | 完成河道整治5公里。 | 区水利局 | 启动设计 | 开工 | 完成2公里 | 完成5公里 |",
            ]
        )
    ).rows
    assert rows[0].text == "完成河道整治5公里。" and rows[0].lead == ["区水利局"]
    assert rows[0].detail.split("\n") == ["启动设计", "开工", "完成2公里", "完成5公里"]


def test_unit_names_run_together_that_the_table_prints_apart_elsewhere():
    rows = parse(
        "\n".join(
            [
                "序号",
                "工作任务",
                "责任股室",
                "1",
                "免费开放服务人次增长15%。",
                "文化宣传股",
                "文化馆",
                "2",
                "组织文化下乡演出100场。",
                "文化宣传股文化馆",
            ]
        )
    ).rows
    assert rows[1].lead == ["文化宣传股", "文化馆"]


def test_spaced_table_without_a_number_column_and_a_task_wrapped_onto_the_next_line():
    rows = parse(
        "\n".join(
            [
                "重点任务  牵头单位  配合单位",
                "推进污水管网建设，新建管网  区住房城乡建委  区水利局、各镇街",
                "50公里。",
                "开展河道清淤。  区水利局  各镇街",
                "三、保障措施",
                "各单位要加强配合。",
            ]
        )
    ).rows
    assert [(r.text, r.lead, r.support) for r in rows] == [
        ("推进污水管网建设，新建管网50公里。", ["区住房城乡建委"], ["区水利局", "各镇街"]),
        ("开展河道清淤。", ["区水利局"], ["各镇街"]),
    ]


def test_spaced_table_with_person_and_deadline_columns_and_a_category_merged_down():
    rows = parse(
        "\n".join(
            [
                "序号  类别  重点任务  责任领导  牵头单位  配合单位  完成时限",
                "1  水环境治理  推进污水管网建设。  张三  区住房城乡建委  区水利局、各镇街  2023年底",
                "2  开展河道清淤。  李四  区水利局  各镇街  2023年6月",
            ]
        )
    ).rows
    assert [r.category for r in rows] == ["水环境治理"] * 2
    assert rows[1].lead == ["区水利局"] and rows[1].deadline == "2023年6月"
    assert all("张三" not in r.lead + r.support and "李四" not in r.lead + r.support for r in rows)


def test_a_measure_line_under_a_numbered_problem_names_the_unit_by_you():
    rows = parse(
        "\n".join(
            [
                "市容环境综合整治情况的通报",
                "",
                "1、广伟商城户外宣传广告破损。",
                "",
                "整改措施:由县住建局督促商户更换。",
                "",
                "2、人行道多处水果摊贩流动经营。",
                "",
                "整改措施:由包片单位县文广局督促摊贩离开。",
                "",
                "3、行道树晾晒衣物。",
                "",
            ]
        )
    ).rows
    assert [(r.seq, r.lead) for r in rows] == [("1", ["县住建局"]), ("2", ["县文广局"]), ("3", [])]
    assert "督促商户更换" in rows[0].text


def test_a_page_copied_onto_one_line_with_wide_gaps():
    text = "   ".join(
        [
            "关于印发某某任务清单的通知",
            "渝府办发〔2025〕27号",
            "各区县人民政府:",
            "现印发给你们。",
            "重庆市人民政府办公厅",
            "2025年5月12日",
            "某某任务清单",
            "序号",
            "2025年度工作任务",
            "责任单位",
            "一、优化提升专项行动",
            "(一)市场准入(牵头单位:市市场监管局)",
            "1",
            "加快建设数字应用。",
            "市市场监管局",
            "2",
            "深化注册资本登记改革。",
            "市市场监管局",
            "(二)获取经营场所(牵头单位:市规划自然资源局、市住房城乡",
        ]
    )
    rows = parse(text).rows
    assert [(r.seq, r.text, r.lead, r.line) for r in rows] == [
        ("1", "加快建设数字应用。", ["市市场监管局"], 1),
        ("2", "深化注册资本登记改革。", ["市市场监管局"], 1),
    ]


def test_lead_column_first_merged_down_and_broken_over_short_lines():
    rows = parse(
        "\n".join(
            [
                "牵头单位",
                "| 目 标 任 务",
                "| 责 任 单 位",
                "|",
                "市政",
                "府办",
                "公厅",
                "| 强化行政监督,优质高效办理议案。",
                "| 市直各单位、各区县市",
                "|",
                "推进国家安全工作发展",
                "| 市直各单位、各区县市",
                "|",
                "市",
                "监",
                "察",
                "局",
                "| 严肃查处腐败行为。",
                "| 审计局、财政局",
                "|",
            ]
        )
    ).rows
    assert [(r.lead, r.support) for r in rows] == [
        (["市政府办公厅"], ["市直各单位", "各区县市"]),
        (["市政府办公厅"], ["市直各单位", "各区县市"]),
        (["市监察局"], ["审计局", "财政局"]),
    ]
    assert rows[1].inherited == ["lead"]


def test_pipe_rows_whose_header_is_not_in_the_text():
    parsed = parse(
        "\n".join(
            [
                "| (一) 持续推进示范村建设 | 1 | 完成示范村 建设 | 完成2021年度1个乡村振兴示范村建设,开展考核验收和总结工作。 | 区农业农村委*、 区发改委 | 浦江镇 |",
                "| 2 | 开展示范村 建设 | 遴选1个乡村振兴示范村,完成村庄设计,形成建设清单,启动建设工作。 | 区农业农村委*、 区规资局 | 浦江镇 |",
            ]
        )
    )
    assert [(r.seq, r.lead, r.support) for r in parsed.rows] == [
        ("1", ["区农业农村委"], ["区发改委", "浦江镇"]),
        ("2", ["区农业农村委"], ["区规资局", "浦江镇"]),
    ]
    assert any("no header printed" in layout for layout in parsed.layouts)


def test_safeguard_sections_and_exhortations_to_everyone_are_not_unit_first_tasks():
    rows = parse(
        "\n".join(
            [
                "一、重点任务",
                "1.推进河道整治。（区水利局牵头）",
                "（一）各部门要加强协调配合。",
                "五、保障措施",
                "（一）加强组织领导。各镇街要切实履行属地责任。",
                "（二）区财政局要加强资金保障。",
            ]
        )
    ).rows
    assert [(r.text, r.lead) for r in rows] == [("推进河道整治。", ["区水利局"])]


def test_a_unit_first_duty_opening_with_together_names_the_support():
    rows = parse(
        "10.市商务局:会同市发展改革委负责应急避难场所物资供应点的建设。\n"
        "2.市规划局:负责实施综合普查工作;会同市市政委制定技术规范。"
    ).rows
    assert [(r.lead, r.support) for r in rows] == [(["市商务局"], ["市发展改革委"]), (["市规划局"], [])]


# --- held-out forms (ho- pages) ----------------------------------------------------------------


def test_a_label_after_the_item_name_inside_the_sentence():
    rows = parse(
        "\n".join(
            [
                "二、部分项目进展情况",
                "1、农村道路畅通工程,牵头部门:市交通局。建设进度相对较慢的县区为舒城县。",
                "2、棚户区改造,牵头部门:市住建委。新开工,完成进度相对较慢的为开发区。",
            ]
        )
    ).rows
    assert [r.lead for r in rows] == [["市交通局"], ["市住建委"]]
    assert rows[0].lead_label == "牵头部门" and all(r.support == [] for r in rows)


def test_a_duty_phrase_ending_one_part_of_a_labelled_value_is_not_a_name():
    rows = parse(
        "1.支持老旧汽车更新消费。加快淘汰报废乘用车。(责任单位:市公安局、市交通局等部门按职责分工负责,各区县政府)"
    ).rows
    assert rows[0].lead == ["市公安局", "市交通局", "部门", "各区县政府"]


def test_a_collective_of_towns_and_subdistricts_is_one_piece():
    assert split_units("各镇、街道、莘庄工业区") == ["各镇、街道", "莘庄工业区"]
    assert split_units("各镇、区住建局") == ["各镇", "区住建局"]


def test_a_star_after_an_item_number_keeps_the_item():
    rows = parse(
        "\n".join(
            [
                "一、推进营商环境评价指标提升",
                "(一)企业开办、经营及退出。在市场准入等方面深入推进改革。",
                "1* .开展“一证多址”改革。对部分高频经营许可证实行一证多址。",
                "2*.开展企业住所标准化登记。建立负面清单管理制度。",
                "3.推进市场准入效能评估工作。",
            ]
        )
    ).rows
    assert [r.seq for r in rows] == ["1", "2", "3"]
    assert rows[0].text.startswith("开展“一证多址”改革")


def test_a_deadline_on_its_own_line_closes_a_spaced_row_and_the_table_goes_on():
    rows = parse(
        "\n".join(
            [
                "序号 目标任务 牵头责任部门 进展情况 存在问题  完成时限",
                "1 地区生产总值增长10% 发改委 目前指标已上报,增幅6.2%。  3月底",
                "2 固定资产投资增长15%。全年实施项目157个 发改委 上报投资11亿元。 一是在库项目少。",
                "下一步工作打算:一是全力推动项目开工入库。",
                "  3月底",
                "3 单位GDP能耗降低率 发改委 该指标为季度指标,目前正在积极推进。   3月底",
                "4 民生工程 发改委 任务已分解到各牵头部门,正在积极推进中。  3月底",
            ]
        )
    ).rows
    assert [r.seq for r in rows] == ["1", "2", "3", "4"]
    assert rows[3].text == "民生工程" and rows[3].lead == ["发改委"]


def test_a_requirement_column_beside_a_name_column_is_the_task_text():
    rows = parse(
        "\n".join(
            [
                "序号 | 任 务 名 称 | 指 标 要 求 | 牵 头 部 门 | 配 合 部 门 | 目 标 类 型 |",
                "1 | 地区生产总值 | 增长5.5%(市下达指标) | 区发改经信局 | 区财政局、区统计局 | A类 |",
                "2 | 服务业增加值 | 增长6% | 区发改经信局 | 区财政局 | A类 |",
            ]
        )
    ).rows
    assert [(r.title, r.text) for r in rows] == [("地区生产总值", "增长5.5%(市下达指标)"), ("服务业增加值", "增长6%")]
    assert rows[0].lead == ["区发改经信局"] and rows[0].support == ["区财政局", "区统计局"]


def test_paragraphs_joined_onto_one_line_with_a_first_unit_rule_and_person_headings():
    parsed = parse(
        "各镇人民政府(街道办事处),县政府各部门: 《政府工作报告2022年重点工作责任分解》已经县政府讨论确定,现印发给你们,"
        "请认真贯彻执行。 海盐县人民政府办公室 2022年4月18日 政府工作报告2022年重点工作责任分解 "
        "一、王丹县长牵头重点工作 1.全县生产总值增长7.5%左右;一般公共预算收入增长8.5%。 "
        "责任单位:县发改局(首位单位为牵头单位,下同)、县财政局、县税务局 2.落实党政机关过紧日子的要求,"
        "节俭办一切事业。 责任单位:县财政局 二、曹惠明常务副县长牵头重点工作 1.坚持县政府常务会议集体学法。 "
        "责任单位:县司法局"
    )
    rows = parsed.rows
    assert [r.seq for r in rows] == ["1", "2", "1"]
    assert rows[0].lead == ["县发改局"] and rows[0].support == ["县财政局", "县税务局"]
    assert [r.lead for r in rows[1:]] == [["县财政局"], ["县司法局"]]
    assert rows[2].section == "二、曹惠明常务副县长牵头重点工作"
    assert all(r.line == 1 for r in rows)


def test_an_interpretation_page_has_no_numbered_tasks():
    text = "\n".join(
        [
            "《〈政府工作报告〉2024年重点工作任务分工方案》政策解读",
            "二、主要内容和要求",
            "(一)主要内容。《分工方案》将《政府工作报告》分解为五个方面79项重点工作任务,每项工作均列出牵头单位。",
            "1.在“聚焦深化对外开放”方面(分解任务15项)。",
            "2.在“聚焦增强发展优势”方面(分解任务9项)。",
        ]
    )
    assert parse(text).rows == []
    assert len(parse(text.split("\n", 1)[1]).rows) == 2  # the same points in a plan are its tasks


def test_an_excerpt_of_a_one_cell_per_line_table_starts_at_any_number_and_joined_labels():
    lines = ["2023年区政府重点民生实事项目推进情况(1-11月)"]
    lines += [
        c + " |"
        for c in [
            "序号",
            "主要任务",
            "全年目标任务",
            "分管 领导",
            "牵头 单位",
            "责任主体与协同单位",
            "1-10月推进情况",
            "1-11月推进情况",
            "是否达序",
            "说明",
        ]
    ]
    for seq, task, units in [
        ("24", "优化提升50条背街后巷交通组织。", "市政局、相关街道"),
        ("25", "新增四分类“三定一督”达标小区210个。", "市政局、环卫处"),
    ]:
        lines += [c + " |" for c in [seq, task, "徐国江", "城管局", units, "已进场施工。", "完成60%。", "是"]] + ["||"]
    rows = parse("\n".join(lines)).rows
    assert [r.seq for r in rows] == ["24", "25"]
    assert rows[0].lead == ["城管局"] and rows[0].support == ["市政局", "相关街道"]
    assert rows[1].text == "新增四分类“三定一督”达标小区210个。" and rows[1].support == ["市政局", "环卫处"]
    assert rows[0].text == "优化提升50条背街后巷交通组织。" and all(
        "徐国江" not in (r.title or "") + r.text for r in rows
    )


def test_two_units_in_charge_within_one_unit_first_item_both_lead():
    rows = parse(
        "\n".join(
            [
                "(一)区城乡建设局负责城区内主要道路、公园、广场的清雪工作,督促沿街单位及时清扫积雪。区城市综合管理委员会办公室负责城区清雪工作的督导检查。",
                "(二)区公路局负责秀山路的清雪工作。",
            ]
        )
    ).rows
    assert [r.lead for r in rows] == [["区城乡建设局", "区城市综合管理委员会办公室"], ["区公路局"]]


def test_the_second_header_line_of_a_one_cell_per_line_table_is_not_a_row():
    lines = ["|"] + [c + " |" for c in ["序号", "项目 名称", "内容和目标", "进展情况", "承办单位"]] + ["||||||", "|"]
    lines += [c + " |" for c in ["至8月10日进展", "最新进展", "主办", "协办"]] + ["|||||||", "|"]
    lines += [
        c + " |"
        for c in [
            "1",
            "完成造福工程300户1000人。",
            "每户至少完成一层封顶。",
            "已完成。",
            "完成。",
            "区民政局",
            "各乡镇",
        ]
    ]
    rows = parse("\n".join(lines)).rows
    assert [r.seq for r in rows] == ["1"]
    assert "主办" not in rows[0].lead + rows[0].support


def test_a_text_line_without_the_leading_pipe_opens_a_row_whose_units_are_merged():
    rows = parse(
        "\n".join(
            [
                "牵头单位",
                "| 目 标 任 务",
                "| 责 任 单 位",
                "|",
                "市",
                "发",
                "改",
                "委",
                "| 地区生产总值增长13%",
                "| 统计局、各区县市",
                "|",
                "固定资产投资增长20%",
                "|",
                "单位地区生产总值综合能耗下降3.5%",
                "|",
            ]
        )
    ).rows
    assert [r.text for r in rows] == ["地区生产总值增长13%", "固定资产投资增长20%", "单位地区生产总值综合能耗下降3.5%"]
    assert all(r.lead == ["市发改委"] and r.support == ["统计局", "各区县市"] for r in rows)
