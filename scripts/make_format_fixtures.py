#!/usr/bin/env python3
"""Write the test files of every format from one plan: tests/fixtures/formats/.

    python scripts/make_format_fixtures.py            # needs python-docx, openpyxl, msoffcrypto-tool,
                                                      # LibreOffice (soffice) and qpdf on this machine
    python scripts/make_format_fixtures.py --measures 40 --out /tmp/big   # a bigger plan, for scripts/bench.py

One plan (paragraph tasks with unit clauses, a long task table with merged cells, a
table of per-year targets under a spanning header) is written as .txt, .docx (Word's
own list numbering, vertical merges), .pdf (LibreOffice prints the .docx: the long
table runs over several pages), .html (a GB2312 government page with its site
chrome), .xlsx and .xls (merged cells, a title row above the header, two sheets) and
.doc; plus the bad files: a scan (a PDF with no text layer), a password-protected
.docx and .pdf, a damaged .docx.  The answer keys (SCHEMA.md format, one JSONL per
file) are written from the same plan data, not from whodoes' output.  The files are
committed, so the tests need none of these tools (except the .doc test, soffice).
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "formats"
KEYS = OUT / "keys"
STEM = "jiangjin-2023-yangtze-water"

ISSUER = "重庆市江津区人民政府办公室"
TITLE = "江津区长江水生态环境保护行动方案（2023—2025年）"
NUMBER = "江津府办发〔2023〕18号"
DATE = "2023年6月20日"
INTRO = [
    "为深入贯彻落实习近平生态文明思想，持续改善长江江津段水生态环境质量，筑牢长江上游重要生态屏障，结合我区实际，制定本方案。",
]
GOALS = "到2025年，全区国控、市控断面水质优良比例保持100%，城市建成区黑臭水体动态清零，重点河流生态流量得到保障。"

# (section, [(text, lead label, lead, support label, support)])
CLAUSE_TASKS = [
    (
        "深化工业污染防治",
        [
            (
                "推进工业园区污水集中处理。完成德感工业园污水处理厂扩建工程，园区企业废水实现应纳尽纳。",
                "牵头单位",
                ["区经济信息委"],
                "配合单位",
                ["区生态环境局", "区住房城乡建委", "德感街道"],
            ),
            (
                "强化涉水企业监管。开展涉水工业企业排查整治，建立问题清单和整改台账，依法查处超标排放行为。",
                "牵头单位",
                ["区生态环境局"],
                "配合单位",
                ["区经济信息委", "各镇街"],
            ),
        ],
    ),
    (
        "补齐城乡污水收集处理短板",
        [
            (
                "实施雨污分流改造。加快老旧城区雨污混错接点位排查改造，新建城区全面实行雨污分流。",
                "牵头单位",
                ["区住房城乡建委"],
                "配合单位",
                ["区城市管理局", "各镇街"],
            ),
            (
                "治理农村生活污水。因地制宜采用集中与分散相结合的方式，到2025年农村生活污水治理率达到50%以上。",
                "牵头单位",
                ["区农业农村委"],
                "配合单位",
                ["区生态环境局", "区水利局", "各镇人民政府"],
            ),
        ],
    ),
    (
        "强化水生态保护修复",
        [
            (
                "开展河流生态缓冲带建设。在綦江河、笋溪河等重点河段建设生态缓冲带，恢复河岸植被。",
                "牵头单位",
                ["区水利局"],
                "配合单位",
                ["区林业局", "区规划自然资源局", "相关镇街"],
            ),
            (
                "加强水生生物保护。落实长江十年禁渔，严厉打击非法捕捞行为，开展增殖放流活动。",
                "牵头单位",
                ["区农业农村委"],
                "配合单位",
                ["区市场监管局", "区公安分局"],
            ),
        ],
    ),
]
SAFEGUARDS = [
    "加强组织领导。区河长办负责统筹协调方案实施，各镇街、各部门要落实属地责任和部门责任，确保各项任务落到实处。",
    "强化资金保障。区财政局要加大水生态环境保护资金投入，积极争取中央和市级专项资金支持。",
]

# the task table: section -> [(task, [(measure, lead, support, deadline)])]; the task cell is
# merged down over its measures, and a lead cell over consecutive measures with the same lead
PLACES = ["几江街道", "德感街道", "双福街道", "支坪镇", "白沙镇", "油溪镇", "吴滩镇", "石门镇", "朱杨镇", "珞璜镇"]
TABLE_SECTIONS = [
    (
        "一、水环境综合治理",
        [
            (
                "城镇污水处理提质增效",
                "区住房城乡建委",
                ["区城市管理局", "区生态环境局"],
                "新建和改造城镇污水管网",
                "2025年底",
            ),
            ("工业园区污染治理", "区经济信息委", ["区生态环境局"], "推进园区污水处理设施提标改造", "2024年底"),
            (
                "黑臭水体整治",
                "区城市管理局",
                ["区住房城乡建委", "区水利局", "相关镇街"],
                "排查整治建成区及城乡结合部黑臭水体",
                "持续推进",
            ),
        ],
    ),
    (
        "二、水生态保护修复",
        [
            (
                "河湖生态缓冲带建设",
                "区水利局",
                ["区林业局", "区规划自然资源局"],
                "建设河湖生态缓冲带并恢复滨岸植被",
                "2025年底",
            ),
            (
                "消落带综合治理",
                "区规划自然资源局",
                ["区水利局", "区林业局", "沿江镇街"],
                "实施长江干流消落带生态修复",
                "2025年底",
            ),
        ],
    ),
    (
        "三、水资源节约保护",
        [
            (
                "饮用水水源地保护",
                "区生态环境局",
                ["区水利局", "区卫生健康委"],
                "开展集中式饮用水水源地规范化建设",
                "2024年底",
            ),
            (
                "农业面源污染防治",
                "区农业农村委",
                ["区生态环境局", "各镇街"],
                "推广测土配方施肥和病虫害绿色防控",
                "持续推进",
            ),
        ],
    ),
]
MEASURES_PER_TASK = 3

YEAR_TABLE = [  # (task, {year: target}, duty)
    ("城市生活污水集中收集率", {"2023": "达到65%", "2024": "达到68%", "2025": "达到70%以上"}, ["区住房城乡建委"]),
    (
        "农村生活污水治理率",
        {"2023": "达到40%", "2024": "达到45%", "2025": "达到50%以上"},
        ["区农业农村委", "区生态环境局"],
    ),
    (
        "重点河流生态流量保障",
        {"2023": "完成保障方案编制", "2024": "监测全覆盖", "2025": "保障目标全部达到"},
        ["区水利局"],
    ),
    ("新增生态缓冲带长度", {"2023": "10公里", "2024": "20公里", "2025": "30公里"}, ["区水利局"]),  # merged duty cell
]


def table_rows() -> list[dict]:
    """The task table's rows in order: a section row, then one row per measure."""
    rows, n = [], 0
    for section, tasks in TABLE_SECTIONS:
        rows.append({"section": section})
        for task, lead, support, measure, deadline in tasks:
            for k in range(MEASURES_PER_TASK):
                n += 1
                place = PLACES[(n * 3) % len(PLACES)]
                text = (
                    f"{measure}（第{k + 1}批），重点推进{place}片区项目建设，"
                    f"按照“一地一策”要求制定实施方案并开展第{n}项工程验收和评估工作。"
                )
                sup = support if k < 2 else support[:1]  # the last measure of a task has fewer supporters
                rows.append(
                    {
                        "seq": str(n),
                        "task": task,
                        "measure": text,
                        "lead": lead,
                        "support": sup,
                        "deadline": deadline,
                        "first": k == 0,
                        "last": k == MEASURES_PER_TASK - 1,
                    }
                )
    return rows


HEAD1 = ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限"]
HEAD2_TOP = ["序号", "工作任务", "年度目标", "", "", "责任单位"]
YEARS = ["2023", "2024", "2025"]


def clause_text(i: int, text, lead_label, lead, support_label, support) -> str:
    return f"{text}（{lead_label}：{'、'.join(lead)}；{support_label}：{'、'.join(support)}）"


# ----------------------------------------------------------------------------------------------
# answer keys


def key_rows(sha: str, doc: str, *, clauses: bool = True, tables: bool = True) -> list[dict]:
    out = []

    def row(
        part,
        seq,
        section,
        category,
        text,
        lead,
        support,
        lead_label,
        support_label,
        targets=None,
        inherited=None,
        title=None,
    ):
        out.append(
            {
                "doc": doc,
                "doc_sha256": sha,
                "part": part,
                "seq": seq,
                "section": section,
                "category": category,
                "key": text[:18],
                "text": text,
                "title": title,
                "targets": targets or {},
                "lead": lead,
                "support": support,
                "lead_label": lead_label,
                "support_label": support_label,
                "commanders": [],
                "inherited": inherited or [],
                "confidence": "generated",
                "note": "written by make_format_fixtures.py",
                "line": None,
            }
        )

    n = 0
    if clauses:
        for section, tasks in CLAUSE_TASKS:
            for text, ll, lead, sl, support in tasks:
                n += 1
                row("inline", str(n), section, text.split("。")[0], text, lead, support, ll, sl)
    if tables:
        section = None
        for r in table_rows():
            if "section" in r:
                section = r["section"]
                continue
            inherited = [] if r["first"] else ["lead"]
            row(
                "table",
                r["seq"],
                section,
                r["task"],
                r["measure"],
                [r["lead"]],
                r["support"],
                "牵头单位",
                "配合单位",
                inherited=inherited,
                title=r["task"],
            )
        for k, (task, targets, duty) in enumerate(YEAR_TABLE, 1):
            row(
                "table",
                str(k),
                None,
                None,
                task,
                duty,
                [],
                "责任单位",
                None,
                targets=targets,
                inherited=["lead"] if k == len(YEAR_TABLE) else [],
            )
    return out


def write_key(path: Path, *, clauses: bool = True, tables: bool = True) -> None:
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    rows = key_rows(sha, path.stem, clauses=clauses, tables=tables)
    KEYS.mkdir(parents=True, exist_ok=True)
    (KEYS / f"{path.stem}.{path.suffix[1:]}.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )


# ----------------------------------------------------------------------------------------------
# text


def write_txt(path: Path) -> None:
    lines = [
        ISSUER,
        f"关于印发{TITLE}的通知",
        NUMBER,
        "",
        "各镇人民政府、街道办事处，区政府各部门：",
        f"　　《{TITLE}》已经区政府同意，现印发给你们，请认真贯彻执行。",
        "",
        ISSUER,
        DATE,
        "",
        TITLE,
    ]
    lines += [f"　　{p}" for p in INTRO]
    lines += ["一、总体要求", f"　　{GOALS}", "二、重点任务"]
    n = 0
    for k, (section, tasks) in enumerate(CLAUSE_TASKS):
        lines.append(f"（{'一二三'[k]}）{section}")
        for t in tasks:
            n += 1
            lines.append(f"　　{n}．{clause_text(n, *t)}")
    lines.append("三、保障措施")
    lines += [f"　　（{'一二'[k]}）{s}" for k, s in enumerate(SAFEGUARDS)]
    lines += ["", "附件1", "重点任务分解表", "| " + " | ".join(HEAD1) + " |", "|" + "---|" * len(HEAD1)]
    for r in table_rows():
        if "section" in r:
            lines.append(f"| {r['section']} | | | | | |")
            continue
        cells = [
            r["seq"],
            r["task"] if r["first"] else "",
            r["measure"],
            r["lead"] if r["first"] else "",
            "、".join(r["support"]),
            r["deadline"],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "附件2",
        "年度目标表",
        "| " + " | ".join(HEAD2_TOP) + " |",
        "| | | " + " | ".join(f"{y}年" for y in YEARS) + " | |",
    ]
    for k, (task, targets, duty) in enumerate(YEAR_TABLE, 1):
        unit = "" if k == len(YEAR_TABLE) else "、".join(duty)
        lines.append(f"| {k} | {task} | " + " | ".join(targets[y] for y in YEARS) + f" | {unit} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# Word


def _numbering(document, fmt: str, text: str) -> int:
    """A new list (abstractNum + num) in the document's numbering part; returns its numId."""
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering = document.part.numbering_part.element
    ids = [int(x) for x in numbering.xpath("./w:abstractNum/@w:abstractNumId")] + [0]
    nums = [int(x) for x in numbering.xpath("./w:num/@w:numId")] + [0]
    aid, nid = max(ids) + 1, max(nums) + 1
    abstract = parse_xml(
        f'<w:abstractNum {ns} w:abstractNumId="{aid}"><w:multiLevelType w:val="singleLevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        f'<w:lvlJc w:val="left"/></w:lvl></w:abstractNum>'
    )
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(f'<w:num {ns} w:numId="{nid}"><w:abstractNumId w:val="{aid}"/></w:num>'))
    return nid


def _numbered(document, text: str, num_id: int):
    from docx.oxml import parse_xml

    p = document.add_paragraph(text)
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    p.paragraph_format.element.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {ns}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>')
    )
    return p


def _fonts(document) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = document.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")


WIDTHS_CM = (1.1, 2.4, 6.2, 2.4, 2.8, 1.9)


def _repeat_header(document) -> None:
    """Mark the first row of the last table as a header row Word repeats on every page."""
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    tbl = [el for el in document.element.body.iterchildren() if el.tag == f"{w}tbl"][-1]
    tr = tbl.find(f"{w}tr")
    trpr = tr.find(f"{w}trPr")
    if trpr is None:
        trpr = parse_xml(f"<w:trPr {ns}/>")
        tr.insert(0, trpr)
    trpr.append(parse_xml(f"<w:tblHeader {ns}/>"))


def _task_table(document) -> None:
    from docx.shared import Cm

    rows = table_rows()
    table = document.add_table(rows=1 + len(rows), cols=len(HEAD1))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, WIDTHS_CM):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, WIDTHS_CM):
            cell.width = Cm(width)
    for k, h in enumerate(HEAD1):
        table.cell(0, k).text = h
    task_start = lead_start = None
    for i, r in enumerate(rows, 1):
        if "section" in r:
            merged = table.cell(i, 0).merge(table.cell(i, len(HEAD1) - 1))
            merged.text = r["section"]
            continue
        for k, value in ((0, r["seq"]), (2, r["measure"]), (4, "、".join(r["support"])), (5, r["deadline"])):
            table.cell(i, k).text = value
        if r["first"]:
            task_start = lead_start = i
            table.cell(i, 1).text = r["task"]
            table.cell(i, 3).text = r["lead"]
        if r["last"]:  # merge the task and lead cells down over the task's measures
            table.cell(task_start, 1).merge(table.cell(i, 1))
            table.cell(lead_start, 3).merge(table.cell(i, 3))
    _repeat_header(document)  # the PDF repeats it on every page: read once


def _year_table(document) -> None:
    table = document.add_table(rows=2 + len(YEAR_TABLE), cols=6)
    table.style = "Table Grid"
    for k in (0, 1, 5):
        table.cell(0, k).merge(table.cell(1, k)).text = HEAD2_TOP[k]
    table.cell(0, 2).merge(table.cell(0, 4)).text = "年度目标"
    for k, y in enumerate(YEARS):
        table.cell(1, 2 + k).text = f"{y}年"
    for i, (task, targets, duty) in enumerate(YEAR_TABLE, 2):
        table.cell(i, 0).text = str(i - 1)
        # the task name in two paragraphs of its cell when it is long: joined again when read
        table.cell(i, 1).text = task
        for k, y in enumerate(YEARS):
            table.cell(i, 2 + k).text = targets[y]
        if i - 1 < len(YEAR_TABLE):
            table.cell(i, 5).text = "\n".join(duty) if len(duty) > 1 else duty[0]
    last = 1 + len(YEAR_TABLE)
    table.cell(last - 1, 5).merge(table.cell(last, 5))  # the last row's duty cell merged with the one above


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    _fonts(document)
    for text in (
        ISSUER,
        f"关于印发{TITLE}的通知",
        NUMBER,
        "",
        "各镇人民政府、街道办事处，区政府各部门：",
        f"《{TITLE}》已经区政府同意，现印发给你们，请认真贯彻执行。",
        ISSUER,
        DATE,
    ):
        document.add_paragraph(text)
    document.add_heading(TITLE, level=1)
    for p in INTRO:
        document.add_paragraph(p)
    document.add_heading("一、总体要求", level=2)
    document.add_paragraph(GOALS)
    document.add_heading("二、重点任务", level=2)
    sections = _numbering(document, "chineseCounting", "（%1）")
    tasks = _numbering(document, "decimal", "%1．")
    n = 0
    for section, items in CLAUSE_TASKS:
        _numbered(document, section, sections)
        for t in items:
            n += 1
            _numbered(document, clause_text(n, *t), tasks)
    document.add_heading("三、保障措施", level=2)
    safeguards = _numbering(document, "chineseCounting", "（%1）")
    for s in SAFEGUARDS:
        _numbered(document, s, safeguards)
    section = document.sections[0]
    section.header.paragraphs[0].text = "江津区人民政府办公室文件"  # a running header: not read
    section.footer.paragraphs[0].text = "— 江津区人民政府办公室印发 —"
    document.add_page_break()
    document.add_paragraph("附件1")
    document.add_paragraph("重点任务分解表")
    _task_table(document)
    document.add_paragraph("")
    document.add_paragraph("附件2")
    document.add_paragraph("年度目标表")
    _year_table(document)
    document.core_properties.title = TITLE
    document.save(path)


# ----------------------------------------------------------------------------------------------
# web page


def _html_table(rows_html: list[str]) -> str:
    return '<table border="1" cellspacing="0" cellpadding="0" width="100%">\n' + "\n".join(rows_html) + "\n</table>"


def write_html(path: Path) -> None:
    e = html.escape
    body = [f'<p align="center"><strong>{e(TITLE)}</strong></p>']
    body += [f"<p>　　{e(p)}</p>" for p in INTRO]
    body += [
        "<p>　　<strong>一、总体要求</strong></p>",
        f"<p>　　{e(GOALS)}</p>",
        "<p>　　<strong>二、重点任务</strong></p>",
    ]
    n = 0
    for k, (section, tasks) in enumerate(CLAUSE_TASKS):
        body.append(f"<p>　　（{'一二三'[k]}）{e(section)}</p>")
        for t in tasks:
            n += 1
            body.append(f"<p>　　{n}．{e(clause_text(n, *t))}</p>")
    body.append("<p>　　<strong>三、保障措施</strong></p>")
    body += [f"<p>　　（{'一二'[k]}）{e(s)}</p>" for k, s in enumerate(SAFEGUARDS)]
    body += ["<p>附件1</p>", '<p align="center">重点任务分解表</p>']
    rows = ["<tr>" + "".join(f"<td><p>{h}</p></td>" for h in HEAD1) + "</tr>"]
    data = table_rows()
    for r in data:
        if "section" in r:
            rows.append(f'<tr><td colspan="{len(HEAD1)}">{e(r["section"])}</td></tr>')
            continue
        cells = [f"<td>{r['seq']}</td>"]
        span = MEASURES_PER_TASK
        if r["first"]:
            cells.append(f'<td rowspan="{span}">{e(r["task"])}</td>')
        cells.append(f"<td>{e(r['measure'])}</td>")
        if r["first"]:
            cells.append(f'<td rowspan="{span}">{e(r["lead"])}</td>')
        cells.append(f"<td>{'<br>'.join(e(u) for u in r['support'])}</td>")  # one unit a line
        cells.append(f"<td>{e(r['deadline'])}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body.append(_html_table(rows))
    body += ["<p>附件2</p>", '<p align="center">年度目标表</p>']
    rows = [
        '<tr><td rowspan="2">序号</td><td rowspan="2">工作任务</td><td colspan="3">年度目标</td>'
        '<td rowspan="2">责任单位</td></tr>',
        "<tr>" + "".join(f"<td>{y}年</td>" for y in YEARS) + "</tr>",
    ]
    for k, (task, targets, duty) in enumerate(YEAR_TABLE, 1):
        cells = f"<td>{k}</td><td><p>{e(task)}</p></td>" + "".join(f"<td>{e(targets[y])}</td>" for y in YEARS)
        if k == len(YEAR_TABLE) - 1:
            cells += f'<td rowspan="2">{"<br/>".join(e(u) for u in duty)}</td>'
        elif k < len(YEAR_TABLE) - 1:
            cells += f"<td>{'<p>' + '</p><p>'.join(e(u) for u in duty) + '</p>'}</td>"
        rows.append(f"<tr>{cells}</tr>")
    body.append(_html_table(rows))
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{e(TITLE)}_江津区人民政府</title>
<meta name="SiteName" content="重庆市江津区人民政府">
<meta name="ColumnName" content="区政府办公室文件">
<meta name="ArticleTitle" content="{e(TITLE)}">
<meta name="PubDate" content="2023-06-25 10:30">
<meta name="ContentSource" content="{e(ISSUER)}">
<script type="text/javascript">var siteId = "jj"; /* 统计代码：牵头单位 */</script>
<style>.nav li {{ float: left; }}</style>
</head>
<body>
<div class="header"><div class="logo">重庆市江津区人民政府</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/bsfw/">办事服务</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/wj/">区政府办公室文件</a></div>
<div class="container">
<table class="zwxl-table" width="100%">
<tr><td>索 引 号：</td><td>11500116009300015G/2023-00042</td><td>主题分类：</td><td>环境监测、保护与治理</td></tr>
<tr><td>发布机构：</td><td>{e(ISSUER)}</td><td>成文日期：</td><td>2023-06-20</td></tr>
<tr><td>标　　题：</td><td colspan="3">{e("关于印发" + TITLE + "的通知")}</td></tr>
<tr><td>发文字号：</td><td>{e(NUMBER)}</td><td>发布日期：</td><td>2023-06-25</td></tr>
</table>
<div class="zwxl-title"><h2>{e("关于印发" + TITLE + "的通知")}</h2></div>
<div class="zwxl-article" id="zoom">
<p>各镇人民政府、街道办事处，区政府各部门：</p>
<p>　　《{e(TITLE)}》已经区政府同意，现印发给你们，请认真贯彻执行。</p>
<p align="right">{e(ISSUER)}</p>
<p align="right">{e(DATE)}</p>
{chr(10).join(body)}
</div>
<div class="zwxl-related"><h3>相关文件</h3><ul>
<li><a href="/a.html">江津区水污染防治工作方案（牵头单位：区生态环境局）</a></li>
<li><a href="/b.html">关于印发江津区河长制工作要点的通知</a></li></ul></div>
<div class="zwxl-tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
<div class="footer"><p>主办：重庆市江津区人民政府办公室　承办：江津区大数据应用发展管理局</p>
<p>版权所有：重庆市江津区人民政府　渝ICP备05003300号　网站标识码：5001160001</p></div>
</body>
</html>
"""
    path.write_bytes(page.encode("gb2312", errors="xmlcharrefreplace"))


# ----------------------------------------------------------------------------------------------
# spreadsheets


def write_xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务分解"
    sheet.append(["附件1　重点任务分解表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEAD1))
    sheet.append([])
    sheet.append(HEAD1)
    task_start = None
    for r in table_rows():
        row = sheet.max_row + 1
        if "section" in r:
            sheet.cell(row, 1, r["section"])
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEAD1))
            continue
        if r["first"]:
            task_start = row
        values = [
            int(r["seq"]),
            r["task"] if r["first"] else None,
            r["measure"],
            r["lead"] if r["first"] else None,
            "、".join(r["support"]),
            r["deadline"],
        ]
        for k, v in enumerate(values, 1):
            if v is not None:
                sheet.cell(row, k, v)
        if r["last"]:
            sheet.merge_cells(start_row=task_start, start_column=2, end_row=row, end_column=2)
            sheet.merge_cells(start_row=task_start, start_column=4, end_row=row, end_column=4)
    years = book.create_sheet("年度目标")
    years.append(["附件2　年度目标表"])
    years.append(HEAD2_TOP)
    years.append([None, None] + [f"{y}年" for y in YEARS] + [None])
    for c in (1, 2, 6):
        years.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    years.merge_cells(start_row=2, start_column=3, end_row=2, end_column=5)
    for k, (task, targets, duty) in enumerate(YEAR_TABLE, 1):
        years.append([k, task] + [targets[y] for y in YEARS] + ["\n".join(duty) if k < len(YEAR_TABLE) else None])
    last = years.max_row
    years.merge_cells(start_row=last - 1, start_column=6, end_row=last, end_column=6)
    notes = book.create_sheet("填表说明")
    notes.append(["本表由区河长办汇总，各单位每季度末报送进展。"])
    book.properties.title = TITLE
    book.save(path)


# ----------------------------------------------------------------------------------------------
# converted and bad files


def soffice(src: Path, to: str, out_dir: Path) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                to,
                "--outdir",
                str(out_dir),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return out_dir / f"{src.stem}.{to.split(':')[0]}"


def write_scan(path: Path) -> None:
    """A scanned page: an image, no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    for y in range(200, 1500, 48):  # lines of "text" as a scanner sees them: ink, not characters
        draw.rectangle([150, y, 1090 - (y % 300), y + 22], fill=60)
    image.save(path, "PDF", resolution=150)


def write_encrypted_docx(src: Path, path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with src.open("rb") as f:
        out = io.BytesIO()
        OOXMLFile(f).encrypt("secret", out)
    path.write_bytes(out.getvalue())


def main() -> int:
    import argparse

    global OUT, KEYS, MEASURES_PER_TASK
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT, help="the folder to write (default tests/fixtures/formats)")
    ap.add_argument("--measures", type=int, default=MEASURES_PER_TASK, help="table rows per task (default 3)")
    args = ap.parse_args()
    OUT, KEYS, MEASURES_PER_TASK = args.out, args.out / "keys", args.measures
    for tool in ("soffice", "qpdf"):
        if not shutil.which(tool):
            sys.exit(
                f"make_format_fixtures: needs {tool} (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui qpdf)"
            )
    OUT.mkdir(parents=True, exist_ok=True)
    txt, docx_path, html_path, xlsx = (OUT / f"{STEM}.{x}" for x in ("txt", "docx", "html", "xlsx"))
    write_txt(txt)
    write_docx(docx_path)
    write_html(html_path)
    write_xlsx(xlsx)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pdf = soffice(docx_path, "pdf", tmp)
        shutil.move(pdf, OUT / f"{STEM}.pdf")
        shutil.move(soffice(xlsx, "xls", tmp), OUT / f"{STEM}-sheets.xls")
        shutil.move(soffice(docx_path, "doc", tmp), OUT / f"{STEM}-word97.doc")
    shutil.copy(xlsx, OUT / f"{STEM}-sheets.xlsx")
    xlsx.unlink()
    bad = OUT / "bad"
    bad.mkdir(exist_ok=True)
    write_scan(bad / "scanned-plan.pdf")
    write_encrypted_docx(docx_path, bad / "password-plan.docx")
    subprocess.run(
        ["qpdf", "--encrypt", "secret", "owner", "256", "--", str(OUT / f"{STEM}.pdf"), str(bad / "password-plan.pdf")],
        check=True,
    )
    data = docx_path.read_bytes()
    (bad / "damaged-plan.docx").write_bytes(data[: len(data) // 2])
    for path in (txt, docx_path, OUT / f"{STEM}.pdf", html_path, OUT / f"{STEM}-word97.doc"):
        write_key(path)
    for path in (OUT / f"{STEM}-sheets.xlsx", OUT / f"{STEM}-sheets.xls"):
        write_key(path, clauses=False)
    print(f"wrote {len(list(OUT.rglob('*.*')))} files under {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
