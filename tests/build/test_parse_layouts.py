"""What parse_document reports it recognised, and why a document yielded no rows."""

from whodoes.build.cleanup import clean_lines
from whodoes.build.parse.document import parse_document


def layouts(text):
    lines, _ = clean_lines(text)
    parsed = parse_document(lines)
    return parsed.rows, parsed.layouts


def test_table_header_without_a_unit_column_is_reported_and_not_read():
    rows, report = layouts(
        "\n".join(
            [
                "附件",
                "重点任务清单",
                "序号 | 重点任务 | 完成时限",
                "1 | 开展河道清淤。 | 2023年底前",
                "2 | 加强巡查。 | 持续推进",
            ]
        )
    )
    assert rows == []
    assert report[0] == (
        "a table header at line 3 (序号 | 重点任务 | 完成时限) had no unit column "
        "(牵头单位 / 责任单位 / 配合单位 ...): its rows were not read"
    )
    assert "unit clauses found: 0" in report
    assert report[-1].startswith("no task section heading (重点任务 / 主要任务 / 工作任务 ...) found")


def test_task_section_without_numbered_items_is_named():
    rows, report = layouts(
        "\n".join(
            [
                "一、总体要求",
                "坚持生态优先。",
                "二、重点任务",
                "统筹推进水污染防治和生态修复，各部门要按职责抓好落实。",
            ]
        )
    )
    assert rows == []
    assert report == [
        "no task table (a header row naming a task column and a unit column) found",
        "unit clauses found: 0",
        "task section '二、重点任务' at line 3 has no numbered items (1. / 1． / （一）)",
    ]


def test_each_recognised_layout_is_reported_with_its_row_count():
    rows, report = layouts(
        "\n".join(
            [
                "二、重点任务",
                "1．推进清淤。（牵头单位：区水利局）",
                "2．加强巡查。由区城市管理局牵头，区水利局配合。",
                "3．完善台账（区商务委负责）。",
                "附件",
                "序号\t重点任务\t牵头单位",
                "1\t建设管网。\t区住房城乡建委",
            ]
        )
    )
    assert len(rows) == 4
    assert report == [
        "TAB-separated table at line 6 (序号 | 重点任务 | 牵头单位): 1 rows",
        "task paragraphs with unit clauses: 3 rows (labelled (牵头单位：…) 1, "
        "plain role sentences (由A牵头，B配合。) 1, role sentences in brackets (A牵头，B配合) 1)",
    ]


def test_numbered_tasks_fallback_is_reported():
    rows, report = layouts("二、重点任务\n1．推进清淤。\n2．加强巡查。\n三、保障措施\n1．加强领导。\n")
    assert [r.seq for r in rows] == ["1", "2"]
    assert report == ["numbered tasks without units in the task section: 2 rows"]
