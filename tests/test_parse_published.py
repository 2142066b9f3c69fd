"""Forms of published plans (issue 11): one small text per form, as copied from a web page or a PDF."""

from whodoes.cleanup import clean_lines
from whodoes.parse.document import parse_document
from whodoes.units.split import split_units

NBSP = "\u00a0"


def parse(text: str):
    lines, _ = clean_lines(text)
    return parse_document(lines)


# --- flattened tables ----------------------------------------------------------------------


def test_spaced_table_with_unit_cell_one_per_line_and_progress_column():
    parsed = parse("\n".join([
        "序号 目标任务 责任单位 上半年推进情况",
        "一、经济社会发展主要预期目标",
        "1 地区生产总值增长6%以上。 区发展改革委 同比增长2.9%。",
        "2 第一产业增加值增长5%。 区农业农村委",
        "区林业局",
        "区供销联社",
        "同比增长3.4%。",
        "二、重点工作",
        "3 实施高能级创新平台建设行动。 区科技局 全面启动创建工作。",
    ]))
    rows = parsed.rows
    assert [r.seq for r in rows] == ["1", "2", "3"]
    assert rows[1].lead == ["区农业农村委", "区林业局", "区供销联社"] and rows[1].support == []
    assert rows[1].detail == "同比增长3.4%。" and rows[1].text == "第一产业增加值增长5%。"
    assert [r.section for r in rows] == ["一、经济社会发展主要预期目标"] * 2 + ["二、重点工作"]
    assert "cells separated by spaces" in parsed.layouts[0]


def test_spaced_table_header_broken_over_two_lines_and_a_space_inside_a_cell():
    rows = parse("\n".join([
        "序号  重点任务  牵头  配合",
        "单位  单位",
        "1  加强水资源保 护  区水利局  区生态环境局",
    ])).rows
    assert len(rows) == 1
    assert rows[0].text == "加强水资源保护" and rows[0].lead == ["区水利局"] and rows[0].support == ["区生态环境局"]
    assert rows[0].lead_label == "牵头单位"


def test_pipe_table_with_letter_spaced_header_words_and_a_text_column_of_an_unknown_name():
    rows = parse("\n".join([
        "| 序号 | 实事项目 | 工作举措及实施计划 | 责 任 单 位 | 协 助 单 位 |",
        "| 1 | 新建成公办中小学7所。 | 4月底前主体完工。 | 教育局 | 发改局、住建局 |",
    ])).rows
    assert rows[0].text == "新建成公办中小学7所。" and rows[0].detail == "4月底前主体完工。"
    assert rows[0].lead == ["教育局"] and rows[0].support == ["发改局", "住建局"]
    assert rows[0].support_label == "协助单位"


def test_cell_per_line_table_without_blank_lines_header_cell_continued_and_person_column():
    rows = parse("\n".join([
        "序号", "指标", "工作任务", "完成时限", "责任领导", "责任股室", "(单位)", "备注",
        "1", "公共文化服务", "免费开放服务人次较上年增长15%。", "12月底前", "夏俊贵", "文化宣传股", "文化馆", "图书馆",
        "2", "开展好“三下乡”活动。",
    ])).rows
    assert [r.seq for r in rows] == ["1", "2"]
    assert rows[0].lead == ["文化宣传股", "文化馆", "图书馆"]
    assert "夏俊贵" not in rows[0].lead + rows[0].support  # 责任领导 names a person
    assert rows[1].lead == rows[0].lead and rows[1].inherited == ["lead"]


def test_pipe_borders_on_lines_of_their_own_and_a_starred_lead():
    rows = parse("\n".join([
        "序号", "|", "项目", "|", "重点工作目标任务", "|", "牵头领导", "|", "责任单位", "|",
        "1", "|", "主要预期目标", "|", "地区生产总值增长5%以上。", "|", "钱宇", "|", "★区发改委、统计局", "|",
    ])).rows
    assert rows[0].text == "地区生产总值增长5%以上。"
    assert rows[0].lead == ["区发改委"] and rows[0].support == ["统计局"]


def test_year_column_as_the_only_text_column_is_the_task():
    rows = parse("\n".join(["序号", "", "2022年预期目标", "", "责任单位", "", "1", "", "地区生产总值增长5.5%左右", "",
                            "区发展改革委", ""])).rows
    assert rows[0].text == "地区生产总值增长5.5%左右" and rows[0].lead == ["区发展改革委"]


def test_two_responsibility_columns_and_a_star_legend():
    rows = parse("\n".join([
        "| 序号 | 任务名称 | 责任部门(加*号为牵头部门,其余为参与部门) | 责任街镇 |",
        "| 1 | 完成示范村建设。 | 区农业农村委*、区发改委 | 浦江镇 |",
    ])).rows
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
        ("开展巡查。", ["区水利局"], ["区公安局"]), ("加强宣传。", ["区委宣传部"], [])]


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
    rows = parse("\n".join([
        "1.地区生产总值增长6%以上。",
        "分管省领导：林克庆",
        "部门分工：省发展改革委牵头，各地、各部门配合。",
        "2.地方一般公共预算收入增长5%左右。",
        "责任领导：张三",
        "牵头责任单位：区财政局",
        "协同责任单位：区税务局",
    ])).rows
    assert [(r.text, r.lead, r.support) for r in rows] == [
        ("地区生产总值增长6%以上。", ["省发展改革委"], ["各地", "各部门"]),
        ("地方一般公共预算收入增长5%左右。", ["区财政局"], ["区税务局"]),
    ]


def test_a_page_footer_saying_who_runs_the_site_is_not_a_clause():
    parsed = parse("一、重点任务\n1.加强巡查。\n主办：某某区人民政府办公室 版权所有")
    assert all(r.lead == [] for r in parsed.rows)


# --- unit-first items, unit headings, sub-measures, broken lines -----------------------------


def test_unit_first_items():
    rows = parse("\n".join([
        "（二）市政府有关部门及单位工作分工",
        "1.市市政委：负责全面推进数字化城市管理工作。",
        "2、区住建局。排查辖区内危旧房屋。",
    ])).rows
    assert [(r.text, r.lead) for r in rows] == [
        ("负责全面推进数字化城市管理工作。", ["市市政委"]), ("排查辖区内危旧房屋。", ["区住建局"])]


def test_duties_under_a_heading_that_names_the_unit():
    rows = parse("\n".join([
        "(2)区县监督中心的职责。区县监督中心主要承担以下职责:",
        "①负责受理来自管理平台的信息。",
        "②负责对城市管理问题进行立案。",
        "区县监督中心可依托城市管理部门组建。",
        "(3)区县指挥中心职责",
        "①负责派遣任务。",
    ])).rows
    assert [(r.text, r.lead) for r in rows] == [
        ("负责受理来自管理平台的信息。", ["区县监督中心"]), ("负责对城市管理问题进行立案。", ["区县监督中心"]),
        ("负责派遣任务。", ["区县指挥中心"])]


def test_a_heading_with_a_clause_hands_its_unit_to_its_items_and_is_no_task_itself():
    rows = parse("\n".join([
        "一、扩大有效投资政策(由县发改局牵头实施)",
        "聚焦重大交通、科技创新等九大工程。",
        "1.加大财政支持力度。县财政统筹安排资金37.4亿元。",
        "2.加强资金要素争取。开展专项债项目常态化储备。",
    ])).rows
    assert [(r.seq, r.lead) for r in rows] == [("1", ["县发改局"]), ("2", ["县发改局"])]


def test_one_clause_after_sub_measures_is_one_row_for_the_whole_item():
    rows = parse("\n".join([
        "1.完善应急预案体系",
        "(1)加强应急预案管理。",
        "(2)推进应急预案精编化。",
        "(责任单位:市直各有关单位、各县(市、区)人民政府)",
    ])).rows
    assert len(rows) == 1 and rows[0].line == 1 and rows[0].seq == "1"
    assert "加强应急预案管理" in rows[0].text and "推进应急预案精编化" in rows[0].text
    assert rows[0].lead == ["市直各有关单位", "各县(市、区)人民政府"]


def test_hard_line_breaks_inside_a_task_paragraph():
    rows = parse("\n".join([
        "一、重点任务",
        "1.加快推进城市更新工作，完成老旧小区改造",
        "20个，新增停车位1000个。（区住房城乡建委牵头，",
        "各街道配合）",
    ])).rows
    assert len(rows) == 1 and rows[0].line == 2
    assert rows[0].text.startswith("加快推进城市更新工作") and rows[0].lead == ["区住房城乡建委"]
    assert rows[0].support == ["各街道"]


# --- document-wide rules ---------------------------------------------------------------------


def test_the_documents_role_rule_applies_to_lists_without_roles():
    parsed = parse("\n".join([
        "说明：责任单位中列第一位的为牵头单位。",
        "序号\t工作任务\t责任单位",
        "1\t加强巡查。\t区水利局、区公安局、各镇街",
        "2\t开展宣传。\t区委宣传部",
    ]))
    assert [(r.lead, r.support) for r in parsed.rows] == [(["区水利局"], ["区公安局", "各镇街"]), (["区委宣传部"], [])]
    assert any("role rule" in layout for layout in parsed.layouts)
    assert parsed.warnings == []


def test_a_standing_note_adds_no_units():
    rows = parse("1.设立专项资金。（责任单位：市工信局、市财政局。以下政策措施均需各县区人民政府落实，不再单独列出）\n"
                 "2.成立工作专班。（责任单位：市工信局）").rows
    assert rows[0].lead == ["市工信局", "市财政局"] and rows[1].lead == ["市工信局"]


def test_a_text_cut_off_mid_name_keeps_no_invented_unit_and_says_so():
    parsed = parse("1.开展消费促进活动。\n牵头单位：区商务委\n2.推进招商引资。\n牵头单位：区商")
    assert parsed.rows[-1].lead == []
    assert any("cut off" in w for w in parsed.warnings)


def test_numbered_list_without_headings_and_a_figure_after_the_number():
    rows = parse("\n".join([
        "2022年区政府要完成的实事", "1.既有多层住宅加装电梯新增400台。", "2.50个小区新增充电设施。",
        "3.开设40个爱心暑托班。",
    ])).rows
    assert [r.seq for r in rows] == ["1", "2", "3"] and rows[1].text == "50个小区新增充电设施。"


def test_a_reply_to_a_proposal_has_no_tasks():
    parsed = parse("\n".join([
        "重庆市某区发展和改革委员会关于区人大第112号建议的复函", "一、落实举措", "（一）加强领导。健全工作机构。",
        "（二）夯实责任。优化顶层设计。",
    ]))
    assert parsed.rows == []


def test_quarterly_progress_columns_are_detail():
    rows = parse("\n".join([
        "| 序号 | 工作任务 | 责任单位 | 一季度 | 二季度 | 三季度 | 四季度 |",
        "| 1 | 完成河道整治5公里。 | 区水利局 | 启动设计 | 开工 | 完成2公里 | 完成5公里 |",
    ])).rows
    assert rows[0].text == "完成河道整治5公里。" and rows[0].lead == ["区水利局"]
    assert rows[0].detail.split("\n") == ["启动设计", "开工", "完成2公里", "完成5公里"]


def test_unit_names_run_together_that_the_table_prints_apart_elsewhere():
    rows = parse("\n".join([
        "序号", "工作任务", "责任股室", "1", "免费开放服务人次增长15%。", "文化宣传股", "文化馆",
        "2", "组织文化下乡演出100场。", "文化宣传股文化馆",
    ])).rows
    assert rows[1].lead == ["文化宣传股", "文化馆"]


def test_spaced_table_without_a_number_column_and_a_task_wrapped_onto_the_next_line():
    rows = parse("\n".join([
        "重点任务  牵头单位  配合单位",
        "推进污水管网建设，新建管网  区住房城乡建委  区水利局、各镇街",
        "50公里。",
        "开展河道清淤。  区水利局  各镇街",
        "三、保障措施",
        "各单位要加强配合。",
    ])).rows
    assert [(r.text, r.lead, r.support) for r in rows] == [
        ("推进污水管网建设，新建管网50公里。", ["区住房城乡建委"], ["区水利局", "各镇街"]),
        ("开展河道清淤。", ["区水利局"], ["各镇街"]),
    ]


def test_spaced_table_with_person_and_deadline_columns_and_a_category_merged_down():
    rows = parse("\n".join([
        "序号  类别  重点任务  责任领导  牵头单位  配合单位  完成时限",
        "1  水环境治理  推进污水管网建设。  张三  区住房城乡建委  区水利局、各镇街  2023年底",
        "2  开展河道清淤。  李四  区水利局  各镇街  2023年6月",
    ])).rows
    assert [r.category for r in rows] == ["水环境治理"] * 2
    assert rows[1].lead == ["区水利局"] and rows[1].deadline == "2023年6月"
    assert all("张三" not in r.lead + r.support and "李四" not in r.lead + r.support for r in rows)


def test_a_measure_line_under_a_numbered_problem_names_the_unit_by_you():
    rows = parse("\n".join([
        "市容环境综合整治情况的通报", "", "1、广伟商城户外宣传广告破损。", "", "整改措施:由县住建局督促商户更换。", "",
        "2、人行道多处水果摊贩流动经营。", "", "整改措施:由包片单位县文广局督促摊贩离开。", "",
        "3、行道树晾晒衣物。", "",
    ])).rows
    assert [(r.seq, r.lead) for r in rows] == [("1", ["县住建局"]), ("2", ["县文广局"]), ("3", [])]
    assert "督促商户更换" in rows[0].text


def test_a_page_copied_onto_one_line_with_wide_gaps():
    text = "   ".join([
        "关于印发某某任务清单的通知", "渝府办发〔2025〕27号", "各区县人民政府:", "现印发给你们。", "重庆市人民政府办公厅",
        "2025年5月12日", "某某任务清单", "序号", "2025年度工作任务", "责任单位", "一、优化提升专项行动",
        "(一)市场准入(牵头单位:市市场监管局)", "1", "加快建设数字应用。", "市市场监管局", "2", "深化注册资本登记改革。",
        "市市场监管局", "(二)获取经营场所(牵头单位:市规划自然资源局、市住房城乡",
    ])
    rows = parse(text).rows
    assert [(r.seq, r.text, r.lead, r.line) for r in rows] == [
        ("1", "加快建设数字应用。", ["市市场监管局"], 1), ("2", "深化注册资本登记改革。", ["市市场监管局"], 1)]


def test_lead_column_first_merged_down_and_broken_over_short_lines():
    rows = parse("\n".join([
        "牵头单位", "| 目 标 任 务", "| 责 任 单 位", "|",
        "市政", "府办", "公厅", "| 强化行政监督,优质高效办理议案。", "| 市直各单位、各区县市", "|",
        "推进国家安全工作发展", "| 市直各单位、各区县市", "|",
        "市", "监", "察", "局", "| 严肃查处腐败行为。", "| 审计局、财政局", "|",
    ])).rows
    assert [(r.lead, r.support) for r in rows] == [
        (["市政府办公厅"], ["市直各单位", "各区县市"]), (["市政府办公厅"], ["市直各单位", "各区县市"]),
        (["市监察局"], ["审计局", "财政局"])]
    assert rows[1].inherited == ["lead"]


def test_pipe_rows_whose_header_is_not_in_the_text():
    parsed = parse("\n".join([
        "| (一) 持续推进示范村建设 | 1 | 完成示范村 建设 | 完成2021年度1个乡村振兴示范村建设,开展考核验收和总结工作。 | 区农业农村委*、 区发改委 | 浦江镇 |",
        "| 2 | 开展示范村 建设 | 遴选1个乡村振兴示范村,完成村庄设计,形成建设清单,启动建设工作。 | 区农业农村委*、 区规资局 | 浦江镇 |",
    ]))
    assert [(r.seq, r.lead, r.support) for r in parsed.rows] == [
        ("1", ["区农业农村委"], ["区发改委", "浦江镇"]), ("2", ["区农业农村委"], ["区规资局", "浦江镇"])]
    assert any("no header printed" in layout for layout in parsed.layouts)


def test_safeguard_sections_and_exhortations_to_everyone_are_not_unit_first_tasks():
    rows = parse("\n".join([
        "一、重点任务", "1.推进河道整治。（区水利局牵头）", "（一）各部门要加强协调配合。",
        "五、保障措施", "（一）加强组织领导。各镇街要切实履行属地责任。", "（二）区财政局要加强资金保障。",
    ])).rows
    assert [(r.text, r.lead) for r in rows] == [("推进河道整治。", ["区水利局"])]


def test_a_unit_first_duty_opening_with_together_names_the_support():
    rows = parse("10.市商务局:会同市发展改革委负责应急避难场所物资供应点的建设。\n"
                 "2.市规划局:负责实施综合普查工作;会同市市政委制定技术规范。").rows
    assert [(r.lead, r.support) for r in rows] == [(["市商务局"], ["市发展改革委"]), (["市规划局"], [])]
