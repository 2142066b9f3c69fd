"""Metadata inferred from a document's own words, for documents without a metadata entry."""

from pathlib import Path

import pytest

from whodoes.build.cleanup import clean_lines
from whodoes.build.infer import infer_metadata
from whodoes.build.sources import read_source

UNSEEN = Path(__file__).parent.parent / "fixtures" / "unseen"


def meta_of(stem):
    lines, _ = clean_lines(read_source(UNSEEN / f"{stem}.txt").text)
    return infer_metadata(lines)


def meta_of_text(text, known=None):
    lines, _ = clean_lines(text)
    return infer_metadata(lines, known)


@pytest.mark.parametrize(
    "stem,title,issuer,jurisdiction,date,period",
    [
        # title from the notice that issues it; period printed in the title
        (
            "beibei-2023-jialing-water-clauses",
            "北碚区嘉陵江水生态环境保护实施方案（2023—2025年）",
            "重庆市北碚区人民政府办公室",
            "北碚区",
            "2023-05-12",
            "2023-2025",
        ),
        # a plan cited in the first paragraph (根据《…》) is not the title; issuer from a 来源 label
        (
            "hechuan-2022-air-sentence-roles",
            "合川区深入打好蓝天保卫战实施方案(2022-2025年)",
            "重庆市合川区人民政府办公室",
            "合川区",
            "2022-08-18",
            "2022-2025",
        ),
        # 关于印发…的通知 in one line with its issuer; period from the date and 到2025年
        (
            "jiangjin-2023-soil-plain-roles",
            "江津区土壤污染防治工作方案",
            "重庆市江津区人民政府办公室",
            "江津区",
            "2023-03-06",
            "2023-2025",
        ),
        # two issuers on one line; 中共…区委 gives the district; date in brackets; 到2035年 is the last target
        (
            "fuling-2022-green-numbered-no-units",
            "关于推动涪陵区生态优先绿色发展的实施意见",
            "中共重庆市涪陵区委办公室 重庆市涪陵区人民政府办公室",
            "涪陵区",
            "2022-04-18",
            "2022-2035",
        ),
        # signature and date at the foot of the page win over the web page's 来源 / 时间 line
        (
            "kaizhou-2022-lake-cellline-deadline",
            "开州区汉丰湖流域生态保护与修复工作方案",
            "重庆市开州区人民政府办公室",
            "开州区",
            "2022-11-07",
            "2022-2025",
        ),
        # date after the issuer on one line
        (
            "bishan-2024-city-pipe-merged",
            "璧山区城市精细化管理提升行动方案（2024—2026年）",
            "重庆市璧山区人民政府办公室",
            "璧山区",
            "2024-01-22",
            "2024-2026",
        ),
        # issued 《…》 quoted in the notice; GB18030
        (
            "tongliang-2022-rural-tabline-gb18030",
            "铜梁区农业农村污染治理攻坚战实施方案",
            "重庆市铜梁区人民政府办公室",
            "铜梁区",
            "2022-09-15",
            "2022-2025",
        ),
        # a single year in the title is an annual plan
        (
            "wanzhou-2023-tasks-label-lines",
            "万州区2023年生态环境保护重点工作任务分工",
            "重庆市万州区人民政府办公室",
            "万州区",
            "2023-03-15",
            "2023-2023",
        ),
        # traditional characters, a county
        (
            "wushan-2021-shoreline-traditional",
            "巫山县长江干流岸线保护和利用专项整治实施方案",
            "巫山县人民政府办公室",
            "巫山县",
            "2021-07-08",
            "2021-2022",
        ),
        # only a 发布日期 / 信息来源 line
        (
            "rongchang-2023-nowaste-tabcell",
            "荣昌区“无废城市”建设工作方案",
            "荣昌区人民政府办公室",
            "荣昌区",
            "2023-02-10",
            "2023-2025",
        ),
    ],
)
def test_inferred_metadata(stem, title, issuer, jurisdiction, date, period):
    meta = meta_of(stem)
    assert (meta["title"], meta["issuer"], meta["jurisdiction"], meta["date"], meta["period"]) == (
        title,
        issuer,
        jurisdiction,
        date,
        period,
    )
    assert "jurisdiction inferred" in meta["period_note"]


def test_document_number():
    assert meta_of("beibei-2023-jialing-water-clauses")["doc_number"] == "北碚府办发〔2023〕41号"
    assert meta_of_text("渝府办发[2023]12号\n关于印发X方案的通知\n")["doc_number"] == "渝府办发[2023]12号"


def test_period_note_says_where_the_period_came_from():
    assert "from the title" in meta_of("beibei-2023-jialing-water-clauses")["period_note"]
    note = meta_of("jiangjin-2023-soil-plain-roles")["period_note"]
    assert "start from the date of issue" in note and "到2025年" in note


def test_five_year_plan_in_the_title():
    meta = meta_of_text("重庆市南岸区生态环境保护“十四五”规划\n重庆市南岸区人民政府\n")
    assert (meta["jurisdiction"], meta["period"]) == ("南岸区", "2021-2025")


def test_jurisdiction_from_the_title_when_no_issuer_is_printed():
    assert meta_of_text("沙坪坝区城市更新行动方案\n为推进城市更新，制定本方案。\n")["jurisdiction"] == "沙坪坝区"
    assert meta_of_text("关于印发石柱土家族自治县乡村振兴规划的通知\n")["jurisdiction"] == "石柱土家族自治县"


def test_known_metadata_is_kept():
    meta = meta_of_text(
        "渝北区某方案（2023—2025年）\n", {"title": "T", "jurisdiction": "两江新区", "period": "2018-2020"}
    )
    assert (meta["title"], meta["jurisdiction"], meta["period"]) == ("T", "两江新区", "2018-2020")
    assert "period_note" not in meta


def test_a_verb_before_the_district_in_the_title_is_not_part_of_its_name():
    assert meta_of_text("关于推动涪陵区生态优先绿色发展的实施意见\n")["jurisdiction"] == "涪陵区"


def test_a_cited_document_number_is_not_the_documents_own():
    text = "关于印发X行动计划的通知\n按照《市委关于Y的通知》(渝委发〔2018〕30号)要求,特制订本计划。\n"
    assert "doc_number" not in meta_of_text(text)


def test_a_state_level_new_area_is_a_jurisdiction():
    from whodoes.build.infer import jurisdiction_of_issuer, jurisdiction_of_title

    assert jurisdiction_of_issuer("重庆两江新区管理委员会") == "两江新区"
    assert jurisdiction_of_title("四川天府新区生态环境保护规划") == "天府新区"
    assert jurisdiction_of_title("关于推进城市新区建设的意见") != "城市新区"


def test_jurisdiction_printed_in_a_table_title_or_a_city_plan_title():
    assert meta_of_text("附件\nXX说明\n北碚区2022年重点工作任务分解表\n序号\n")["jurisdiction"] == "北碚区"
    assert meta_of_text("平顶山市全面推行河长制主要任务分解方案\n一、总体要求\n")["jurisdiction"] == "平顶山市"
    assert "jurisdiction" not in meta_of_text("2023年全市工作要点\n全市要坚持稳中求进。\n")


def test_a_letterhead_among_the_first_lines_names_the_jurisdiction():
    meta = meta_of_text("四平市铁西区人民政府   2019-05-17 15:15:00   来源: 区人民政府\n督查通知单\n1、某事。\n")
    assert meta["jurisdiction"] == "四平市铁西区"


def test_a_cited_notice_asking_for_reports_is_not_the_title():
    meta = meta_of_text("关于报送2023年工作进展情况的通知\n某某区2023年重点任务分解方案\n")
    assert meta["title"] == "某某区2023年重点任务分解方案"


def test_numbered_headings_are_not_titles_and_book_marks_go():
    assert (
        meta_of_text("(一)市、区县两级总体工作分工\n重庆市数字化城市管理实施方案\n")["title"]
        == "重庆市数字化城市管理实施方案"
    )
    text = "立山区人民政府关于印发 《立山区政府2023年重点工作任务分解 和责任分工方案》的通知\n"
    assert meta_of_text(text)["title"] == "立山区政府2023年重点工作任务分解和责任分工方案"


def test_the_year_of_a_one_year_plan():
    assert meta_of_text("江津区2018年大气污染防治实施方案\n")["period"] == "2018-2018"


def test_short_district_document_numbers():
    assert meta_of_text("蔡政办〔2023〕1号\n关于印发X方案的通知\n")["doc_number"] == "蔡政办〔2023〕1号"
    assert (
        meta_of_text("发布机构 区人民政府办公室 文    号 蔡政办〔2023〕1号\n关于印发X方案的通知\n")["doc_number"]
        == "蔡政办〔2023〕1号"
    )
