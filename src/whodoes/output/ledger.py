"""The printable task ledger (任务台账): ``whodoes unit 城管局 -o 台账.xlsx`` (or ``.docx``).

One sheet (xlsx) or one section (docx) per unit: a title row with the unit, a row with the
filters and the date, then a table with Chinese headers (序号 / 任务 / 牵头单位 / 配合单位 /
完成时限 / 来源 / 完成情况), the last column blank, to be filled in by hand.  Printed
landscape on A4, fitted to the page width, the title and header rows repeated on every
page, text wrapped.  Rows of a command without units (``task``, ``due``, ``export`` to
docx) make one table titled by the query.

xlsxwriter and python-docx are imported only here, and this module only for these formats.
"""

from __future__ import annotations

import datetime

from whodoes.errors import RenderError
from whodoes.output.cells import cell

HEADERS = ("序号", "任务", "牵头单位", "配合单位", "完成时限", "来源", "完成情况")
WIDTHS = (6, 62, 18, 22, 13, 24, 22)  # xlsx column widths (characters); docx: in proportion


def ledger_lines(rows) -> list[tuple[str, ...]]:
    """One table's cells: number, task (category and title first where the text does not
    start with them), lead, support as written, deadline as written (with its date), source."""
    out: list[tuple[str, ...]] = []
    for n, r in enumerate(rows, 1):
        text = r.get("text") or ""
        head = " / ".join(x for x in (r.get("category"), r.get("title")) if x and not text.startswith(x))
        task = f"【{head}】{text}" if head else text
        if r.get("level") == "project":
            task = "〔重点工程〕" + task
        deadline = r.get("deadline") or r.get("deadline_text") or ""
        if r.get("due") and r.get("due") not in deadline:
            deadline = f"{deadline}（{r['due']}）" if deadline else r["due"]
        line = f"第{r['line']}行" if r.get("line") else ""
        source = f"{r.get('document_title') or r.get('document') or ''}\n{r.get('uid') or ''} {line}".strip()
        out.append((str(n), task, cell(r.get("lead")), cell(r.get("support")), deadline, source, ""))
    return out


def groups(rows, title: str) -> list[tuple[str, list]]:
    """(title, rows) per unit (rows of ``whodoes unit``), else one group titled ``title``."""
    out: list[tuple[str, list]] = []
    for r in rows:
        key = r.get("unit") or title
        if not out or out[-1][0] != key:
            existing = [g for g in out if g[0] == key]
            if existing:
                existing[0][1].append(r)
                continue
            out.append((key, []))
        out[-1][1].append(r)
    return out


def with_matched_by(filters: str, rows) -> str:
    """The filters line of a unit's table, with how the query found the unit (查到方式
    matched_by: exact, short form, predecessor, traditional, pinyin, fuzzy)."""
    how = rows[0].get("matched_by") if rows else None
    if not how:
        return filters
    return f"{filters}    查到方式 matched_by：{how}" if filters else f"无    查到方式 matched_by：{how}"


def subtitle(filters: str) -> str:
    day = datetime.date.today().isoformat()
    return f"筛选条件：{filters or '无'}    制表日期：{day}    来源：whodoes（完成情况一栏留待填写）"


LINE_POINTS = 13.5  # one line of 10-point text
CHAR_UNITS = 0.8  # column-width units a half-width character of 10-point text takes (CJK: twice)


def row_height(line) -> float:
    """The height (points) a row of wrapped cells needs: the most lines any cell wraps to, a
    CJK character taking two width units."""
    from math import ceil

    from whodoes.output.cells import display_width

    lines = 1
    for text, width in zip(line, WIDTHS):
        usable = max(width - 1.5, 1)
        lines = max(lines, sum(max(1, ceil(display_width(part) * CHAR_UNITS / usable)) for part in text.split("\n")))
    return lines * LINE_POINTS + 6


def sheet_name(title: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique."""
    name = "".join("_" if c in "[]:*?/\\" else c for c in title).strip("'") or "台账"
    base, n = name[:31], 2
    name = base
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def write_xlsx_ledger(rows, path: str, *, title: str, filters: str = "") -> None:
    try:
        import xlsxwriter
        from xlsxwriter.exceptions import XlsxWriterException
    except ImportError:
        raise RenderError("--format xlsx needs xlsxwriter: pip install xlsxwriter") from None
    try:
        wb = xlsxwriter.Workbook(
            path, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
        )
        wb.set_properties({"title": f"任务台账 {title}", "comments": "written by whodoes"})
        base = {"font_name": "宋体", "font_size": 10, "text_wrap": True, "valign": "top", "border": 1}
        fmts = {
            "title": wb.add_format(
                {"font_name": "黑体", "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"}
            ),
            "sub": wb.add_format({"font_name": "宋体", "font_size": 9, "align": "left", "valign": "vcenter"}),
            "head": wb.add_format(
                {**base, "bold": True, "align": "center", "valign": "vcenter", "bg_color": "#E7E6E6"}
            ),
            "cell": wb.add_format(base),
            "num": wb.add_format({**base, "align": "center"}),
        }
        taken: set[str] = set()
        for group_title, members in groups(rows, title):
            _xlsx_sheet(
                wb.add_worksheet(sheet_name(group_title, taken)),
                fmts,
                group_title,
                with_matched_by(filters, members),
                members,
            )
        wb.close()
    except OSError as e:
        raise RenderError(f"cannot write {path}: {getattr(e, 'strerror', None) or e}") from None
    except XlsxWriterException as e:
        raise RenderError(f"cannot write {path}: {e}") from None


def _xlsx_sheet(ws, fmts, title: str, filters: str, rows) -> None:
    last = len(HEADERS) - 1
    ws.merge_range(0, 0, 0, last, f"任务台账：{title}", fmts["title"])
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, last, subtitle(filters), fmts["sub"])
    for j, (h, w) in enumerate(zip(HEADERS, WIDTHS)):
        ws.write_string(2, j, h, fmts["head"])
        ws.set_column(j, j, w)
    ws.set_row(2, 20)
    for i, line in enumerate(ledger_lines(rows), start=3):
        for j, v in enumerate(line):
            fmt = fmts["num"] if j == 0 else fmts["cell"]
            if v:
                ws.write_string(i, j, v, fmt)
            else:
                ws.write_blank(i, j, None, fmt)  # a bordered, empty cell (完成情况: to be filled in)
        ws.set_row(i, row_height(line))  # spreadsheets do not size wrapped rows when they open a file
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.fit_to_pages(1, 0)  # the page width, as many pages down as it takes
    ws.repeat_rows(0, 2)  # title, filters and header on every page
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.freeze_panes(3, 0)


def write_docx_ledger(rows, path: str, *, title: str, filters: str = "") -> None:
    try:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt
    except ImportError:
        raise RenderError("--format docx needs python-docx: pip install python-docx") from None
    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    for k, (group_title, members) in enumerate(groups(rows, title)):
        section = doc.sections[0] if k == 0 else doc.add_section()
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(1.5))
        heading = doc.add_paragraph()
        run = heading.add_run(f"任务台账：{group_title}")
        run.bold, run.font.size = True, Pt(16)
        doc.add_paragraph(subtitle(with_matched_by(filters, members))).runs[0].font.size = Pt(9)
        lines = ledger_lines(members)
        table = doc.add_table(rows=1 + len(lines), cols=len(HEADERS))
        table.style = "Table Grid"
        usable = 29.7 - 3.0
        for j, w in enumerate(WIDTHS):
            for c in table.columns[j].cells:
                c.width = Cm(usable * w / sum(WIDTHS))
        for j, h in enumerate(HEADERS):
            c = table.rows[0].cells[j]
            c.text = h
            c.paragraphs[0].runs[0].bold = True
        _repeat_header(doc, qn, OxmlElement)
        for i, line in enumerate(lines, start=1):
            for j, v in enumerate(line):
                table.rows[i].cells[j].text = v
    try:
        doc.save(path)
    except OSError as e:
        raise RenderError(f"cannot write {path}: {e.strerror or e}") from None


def _repeat_header(doc, qn, OxmlElement) -> None:
    """Mark the first row of the document's last table as a header row (w:tblHeader), which
    Word repeats on every page; through the public ``Document.element`` (python-docx has no
    API for it)."""
    table = doc.element.body.findall(qn("w:tbl"))[-1]
    row = table.find(qn("w:tr"))
    props = row.find(qn("w:trPr"))
    if props is None:
        props = OxmlElement("w:trPr")
        row.insert(0, props)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    props.append(repeat)
