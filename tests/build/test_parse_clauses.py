"""Unit clauses in the forms plans use, in full- and half-width punctuation, and where
a sentence naming units is *not* a clause (narrative in 保障措施 sections)."""

import pytest

from whodoes.build.cleanup import clean_lines
from whodoes.build.parse.clauses import find_clauses, roles_in_cell
from whodoes.build.parse.document import parse_document


def parse(text):
    lines, _ = clean_lines(text)
    return parse_document(lines)


def units(text):
    """(lead_raw, support_raw) of each clause of a paragraph."""
    return [(c.lead_raw, c.support_raw) for c in find_clauses(text)]


# --- labelled clauses ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "推进工作。（牵头单位：区水利局；配合单位：区林业局、区农业农村委，各镇街）",
        "推进工作。(牵头单位:区水利局;配合单位:区林业局,区农业农村委、各镇街)",
        "推进工作。（牵头单位：区水利局，配合单位：区林业局，区农业农村委，各镇街）",
        "推进工作。（牵头单位：区水利局 配合单位：区林业局、区农业农村委、各镇街）",
        "推进工作。【牵头单位】区水利局【配合单位】区林业局、区农业农村委、各镇街",
        "推进工作。[牵头单位:区水利局;配合单位:区林业局、区农业农村委;各镇街]",
    ],
)
def test_labelled_clause_in_any_punctuation(text):
    [row] = parse(text).rows
    assert row.lead == ["区水利局"]
    assert row.support == ["区林业局", "区农业农村委", "各镇街"]
    assert row.text.startswith("推进工作。")


def test_responsibility_label_beside_lead_label_is_support_and_alone_is_lead():
    assert units("A项。（牵头单位：区发展改革委；责任单位：各镇街）") == [("区发展改革委", "各镇街")]
    assert units("A项。（责任单位：区发展改革委、区财政局，各镇街）") == [("区发展改革委、区财政局，各镇街", None)]
    assert units("A项。（责任部门：区发展改革委；配合单位：区财政局）") == [("区发展改革委", "区财政局")]


def test_deadline_and_people_in_a_clause_are_not_units():
    [row] = parse("1．完成清查。（牵头单位：区水利局；牵头领导：张三；完成时限：2023年底前）\n").rows
    assert row.lead == ["区水利局"] and row.support == []
    assert row.deadline == "2023年底前"


def test_duty_words_after_the_units_of_a_label_are_dropped():
    [row] = parse("推进。（牵头单位：区发展改革委；配合单位：区级有关部门按职责分工负责）").rows
    assert row.support == ["区级有关部门"]


def test_none_value_means_no_units():
    [row] = parse("推进美丽河湖建设。（牵头单位：区水利局；配合单位：/）").rows
    assert row.support == [] and row.support_label == "配合单位"


def test_unbracketed_label_ends_a_paragraph():
    [row] = parse("4．保护水源地。完成规范化建设。责任单位：区生态环境局、区水利局，各镇乡街道。").rows
    assert row.lead == ["区生态环境局", "区水利局", "各镇乡街道"]
    assert row.text == "保护水源地。完成规范化建设。" and row.seq == "4"


def test_label_inside_a_sentence_is_not_a_clause():
    # the label does not start a sentence, and its value is not a list of units
    assert find_clauses("各责任单位要明确专人负责，牵头单位：要切实履行职责，做好统筹。") == []
    assert parse("四、工作要求\n各牵头单位要切实履行牵头职责，会同配合单位制定措施。\n").rows == []


# --- label lines and clause lines under the task paragraph ------------------------------


def test_label_lines_under_the_task_are_one_clause():
    text = "\n".join(
        [
            "一、大气污染防治",
            "1．实施工业企业深度治理。完成重点企业综合治理。",
            "牵头单位：区生态环境局",
            "责任单位：区经济信息委、区发展改革委",
            "完成时限：2023年12月底",
            "2．加强城市扬尘管控。建筑工地全面落实扬尘防治措施。",
            "（牵头单位：区住房城乡建委；配合单位：区城市管理局）",
        ]
    )
    first, second = parse(text).rows
    assert first.text == "实施工业企业深度治理。完成重点企业综合治理。" and first.seq == "1"
    # 责任单位 on its own line still stands beside the 牵头单位 line above it: support
    assert first.lead == ["区生态环境局"] and first.support == ["区经济信息委", "区发展改革委"]
    assert (first.lead_label, first.support_label) == ("牵头单位", "责任单位")
    assert first.deadline == "2023年12月底" and (first.line, first.line_end) == (2, 5)
    assert second.lead == ["区住房城乡建委"] and second.line == 6 and second.section == "一、大气污染防治"


def test_label_lines_after_a_top_level_heading_are_not_a_task():
    assert parse("一、总体要求\n牵头单位：区生态环境局\n").rows == []


# --- role sentences in brackets ------------------------------------------------------


def test_role_sentences_half_and_full_width():
    assert units("推进。[市水务局牵头,市工信委、城乡建设局配合,各县(市)区政府负责落实。…]") == [
        ("市水务局", "市工信委、城乡建设局、各县(市)区政府")
    ]
    assert units("推进垃圾分类（区城市管理局牵头，区生态环境局配合）。") == [("区城市管理局", "区生态环境局")]
    assert units("完善台账（区商务委负责）") == [("区商务委", None)]
    assert units("完善台账（区商务委、区市场监管局负责）") == [("区商务委、区市场监管局", None)]


def test_role_sentence_followed_by_a_note_in_the_same_bracket():
    assert units("推进。[区生态环境局牵头,区经济信息委配合,各镇街负责落实。2023年底前完成]") == [
        ("区生态环境局", "区经济信息委、各镇街")
    ]


def test_units_listed_with_mixed_separators_before_one_verb():
    assert units("推进（区住房城乡建委牵头，区交通局，区水利局、区城市管理局配合）") == [
        ("区住房城乡建委", "区交通局、区水利局、区城市管理局")
    ]


def test_lone_responsibility_beside_a_lead_is_support():
    assert units("推进（区生态环境局牵头，各镇街负责）") == [("区生态环境局", "各镇街")]
    assert units("推进（区生态环境局牵头负责，区级有关部门按职责分工负责）") == [("区生态环境局", "区级有关部门")]


def test_two_clauses_in_one_paragraph_and_words_after_the_last():
    rows = parse(
        "4.推广新能源汽车(区交通局牵头,区城市管理局配合),加快充电设施建设(区经济信息委负责),到2025年建成500个。"
    ).rows
    assert [r.text for r in rows] == ["推广新能源汽车", "加快充电设施建设,到2025年建成500个。"]
    assert rows[0].seq == "4" and rows[1].seq is None
    assert rows[1].lead == ["区经济信息委"] and rows[1].lead_label == "负责"


def test_brackets_that_name_no_units_are_not_clauses():
    assert find_clauses("实施《方案(2018—2020年)》,建设工业园区(工业聚集区)。") == []
    assert find_clauses("推进（三线一单）管控，完成（2023年）任务。") == []
    assert find_clauses("（牵头单位负责）") == []


# --- plain role sentences ------------------------------------------------------------


def test_plain_role_sentence_is_a_clause_and_stays_in_the_text():
    [row] = parse("（一）开展详查。建立污染地块名录。由区生态环境局牵头，区规划自然资源局、区经济信息委配合。").rows
    assert row.lead == ["区生态环境局"] and row.support == ["区规划自然资源局", "区经济信息委"]
    assert (
        row.seq == "一"
        and row.text == "开展详查。建立污染地块名录。由区生态环境局牵头，区规划自然资源局、区经济信息委配合。"
    )
    assert (row.lead_label, row.support_label) == ("牵头", "配合")


def test_plain_role_sentence_variants():
    assert units("划定耕地。区农业农村委牵头，区生态环境局，各镇街配合。") == [("区农业农村委", "区生态环境局、各镇街")]
    assert units("规范处置。区经济信息委、区生态环境局按职责分工负责。") == [("区经济信息委、区生态环境局", None)]
    assert units("强化监管。由区生态环境局负责；各镇街配合。") == [("区生态环境局", "各镇街")]


@pytest.mark.parametrize(
    "narrative",
    [
        # a unit leads *something*: the sentence goes on after the role verb
        "（一）加强组织领导。区生态环境局牵头制定年度工作计划，分解落实目标任务。",
        "（四）严格考核评估。区生态环境局牵头，会同有关部门对方案实施情况开展年度评估。",
        "（二）加大资金投入。区财政局负责统筹安排专项资金，各部门要配合做好资金监管。",
        # roles given to people or to labels, not to units
        "建立由区政府分管领导牵头、相关部门参与的联席会议制度。",
        "各项任务由牵头单位负责，配合单位积极配合。",
        "县委主要领导每半年专题调度，牵头县领导适时督办。",
        "各部门要加强协调配合，形成工作合力。",
    ],
)
def test_narrative_naming_units_is_not_a_clause(narrative):
    assert find_clauses(narrative) == []


def test_narrative_guarantee_section_yields_no_rows_beside_a_clause_task():
    text = "\n".join(
        [
            "二、重点任务",
            "（一）开展详查。由区生态环境局牵头，区经济信息委配合。",
            "三、保障措施",
            "（一）加强组织领导。建立由区政府分管领导牵头、相关部门参与的联席会议制度，区生态环境局牵头制定年度工作计划。",
            "（二）加大资金投入。区财政局负责统筹安排专项资金。",
        ]
    )
    [row] = parse(text).rows
    assert row.line == 2


# --- numbering ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix,seq", [("1．", "1"), ("1.", "1"), ("1、", "1"), ("（1）", "1"), ("(3)", "3"), ("①", "①"), ("（二）", "二")]
)
def test_task_numbers(prefix, seq):
    [row] = parse(f"{prefix}加强监管。严格执法。（牵头单位：区生态环境局）").rows
    assert row.seq == seq and row.text == "加强监管。严格执法。"


# --- roles stated inside a unit cell ---------------------------------------------------


def test_roles_in_a_cell():
    assert roles_in_cell("区发展改革委（牵头）、区财政局，各镇街") == ("区发展改革委", "区财政局、各镇街", None)
    assert roles_in_cell("牵头单位：区水利局；配合单位：区林业局") == ("区水利局", "区林业局", "配合单位")
    assert roles_in_cell("区水利局牵头，区林业局配合") == ("区水利局", "区林业局", "配合")
    assert roles_in_cell("区水利局、区林业局") is None
    assert roles_in_cell("招商合作局(招商集团)") is None


def test_clause_before_the_task_text():
    rows = parse("1．（牵头单位：区水利局；配合单位：区林业局）治理A河。完成清淤。\n（区林业局牵头）推进造林。\n").rows
    assert [(r.seq, r.text, r.lead, r.support) for r in rows] == [
        ("1", "治理A河。完成清淤。", ["区水利局"], ["区林业局"]),
        (None, "推进造林。", ["区林业局"], []),
    ]


def test_deadline_clause_beside_the_unit_clause_is_not_task_text():
    [row] = parse("推进X项目建设（完成时限：2024年底）（牵头单位：区发展改革委）。").rows
    assert row.text == "推进X项目建设" and row.deadline == "2024年底" and row.lead == ["区发展改革委"]


def test_short_labels_and_more_unit_names():
    assert units("推进。（牵头：区妇联；配合：区科协、区残联，各村（社区））") == [
        ("区妇联", "区科协、区残联，各村（社区）")
    ]
    assert units("推进（区发展改革委主办，区财政局协办）") == [("区发展改革委", "区财政局")]
    assert units("推进（区发展改革委牵头，区级有关部门按照职责分工负责）") == [("区发展改革委", "区级有关部门")]
