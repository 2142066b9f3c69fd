"""Task paragraphs with unit clauses, and numbered tasks without units."""

from whodoes.build.cleanup import clean_lines
from whodoes.build.parse.clauses import find_clauses
from whodoes.build.parse.document import parse_document


def parse(text):
    lines, _ = clean_lines(text)
    return parse_document(lines)


def test_labelled_clause_with_commanders_half_width():
    text = (
        "二、重点工程\n(一)坚持生态优先,筑牢生态安全屏障\n"
        "    2.实施生态保护红线管控工程。开展勘界定标工作。(指挥长:李光荣;副指挥长:王勤;"
        "牵头单位:环保分局;责任单位:城管局、国土分局、规划分局)\n"
    )
    [row] = parse(text).rows
    assert row.part == "inline" and row.seq == "2" and row.line == 3
    assert row.section == "(一)坚持生态优先,筑牢生态安全屏障"
    assert row.category == "实施生态保护红线管控工程"
    assert row.text == "实施生态保护红线管控工程。开展勘界定标工作。"
    assert row.lead == ["环保分局"] and row.support == ["城管局", "国土分局", "规划分局"]
    assert (row.lead_label, row.support_label) == ("牵头单位", "责任单位")
    assert row.commanders == ["李光荣", "王勤"]


def test_lead_only_clause_has_no_support():
    [row] = parse("1. 实施工程。做好工作。(牵头单位:区经济信息委、区科技局)\n").rows
    assert row.lead == ["区经济信息委", "区科技局"] and row.support == [] and row.support_label is None


def test_full_width_clause_with_other_labels():
    [row] = parse("（三）加强监管。严格执法。（牵头部门：区生态环境局；协办单位：区公安局，各镇街）\n").rows
    assert row.seq == "三"
    assert row.lead == ["区生态环境局"] and row.support == ["区公安局", "各镇街"]
    assert (row.lead_label, row.support_label) == ("牵头部门", "协办单位")


def test_responsibility_label_alone_is_the_lead():
    [row] = parse("1.推进工作。（责任单位：A局、B委，各镇街）\n").rows
    assert row.lead == ["A局", "B委", "各镇街"] and row.lead_label == "责任单位"


def test_sentence_clauses_lead_support_and_carry_out():
    [c] = find_clauses("加强河道管理。[市水务局牵头,市工信委、城乡建设局配合,各县(市)区政府负责落实。…]")
    assert c.lead_raw == "市水务局"
    assert c.support_raw == "市工信委、城乡建设局、各县(市)区政府"
    [c] = find_clauses("推进垃圾分类（区城市管理局牵头，区生态环境局配合）。")
    assert (c.lead_raw, c.support_raw) == ("区城市管理局", "区生态环境局")
    [c] = find_clauses("完善台账（区商务委负责）")
    assert c.lead_raw == "区商务委" and c.support_raw is None


def test_brackets_that_name_no_units_are_not_clauses():
    assert find_clauses("实施《方案(2018—2020年)》,建设工业园区(工业聚集区)。") == []
    assert find_clauses("招商合作局(招商集团)负责的工作") == []


def test_several_clauses_in_one_paragraph_make_several_tasks():
    rows = parse("1.治理A河（区水利局牵头）。2.治理B河（区林业局牵头，区水利局配合）。\n").rows
    assert [r.text for r in rows] == ["治理A河", "治理B河"]
    assert rows[1].seq == "2" and rows[1].support == ["区水利局"]


def test_numbered_tasks_of_the_task_section_when_no_unit_is_named():
    text = "\n".join(
        [
            "一、指导思想",
            "以习近平新时代中国特色社会主义思想为指导。",
            "1.不是任务。这是原则。",
            "四、重点任务",
            "(一)坚持生态优先,筑牢屏障。从整体出发。",
            "1.切实担起上游责任。全面落实讲话精神。",
            "2.强化生态空间管控。划定三条控制线。",
            "五、保障措施",
            "(一)加强组织协调。县生态环境局牵头制定方案。",
        ]
    )
    rows = parse(text).rows
    assert [r.seq for r in rows] == ["1", "2"]
    assert all(r.part == "numbered" and r.lead == [] and r.support == [] for r in rows)
    assert rows[0].section == "(一)坚持生态优先,筑牢屏障"
    assert rows[0].category == "切实担起上游责任"
    assert rows[1].line == 7


def test_document_without_tasks_reports_why():
    parsed = parse("通知\n请各单位认真贯彻执行。\n")
    assert parsed.rows == []
    assert "no task table" in parsed.layouts[0]


def test_numbered_tasks_in_task_sections_not_headed_as_such():
    text = "\n".join(
        [
            "一、总体要求",
            "1.坚持生态优先。不是任务。",
            "二、推进产业绿色转型",
            "1.改造提升传统产业。推动节能降碳改造。",
            "2.培育绿色产业。",
            "三、持续改善环境质量",
            "3.深入打好蓝天保卫战。",
            "四、保障措施",
            "1.加强组织领导。",
        ]
    )
    rows = parse(text).rows
    assert [(r.seq, r.section) for r in rows] == [
        ("1", "二、推进产业绿色转型"),
        ("2", "二、推进产业绿色转型"),
        ("3", "三、持续改善环境质量"),
    ]
    assert parse(text).layouts == ["numbered tasks without units in the task section: 3 rows"]
