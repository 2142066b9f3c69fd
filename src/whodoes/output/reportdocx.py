"""``whodoes report -o FILE.docx``: the progress report as a Word document (python-docx,
imported only here).

A4 landscape: the title, the scope, the summary table (one line per lead unit), then one
table of task rows per plan.  Chinese text uses 宋体 (SimSun), with Noto Serif CJK SC
where that is missing (LibreOffice on Linux).
"""

from __future__ import annotations

from whodoes.errors import UsageError

FONT = "宋体"
# column widths in centimetres (A4 landscape: 25.7 cm between the margins)
WIDTHS = {
    "n": 0.9,
    "uid": 3.0,
    "text": 7.8,
    "lead": 2.2,
    "support": 2.6,
    "deadline": 1.8,
    "progress": 3.6,
    "status_label": 1.4,
    "date": 2.1,
    "overdue_label": 1.2,
}


def write_docx(report: dict, path: str, cols, summary_cols) -> None:
    try:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt, RGBColor
    except ImportError:
        raise UsageError("a docx report needs python-docx: pip install python-docx") from None
    from whodoes.output.cells import by_document

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        style.font.name = FONT
        style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    document.styles["Normal"].font.size = Pt(9)
    document.add_heading(report["title"], level=1)
    document.add_paragraph(f"范围: {report['scope']}")
    document.add_heading("汇总", level=2)
    _table(document, report["summary"], summary_cols, {}, Cm, None)
    for title, rows in by_document(report["rows"]):
        document.add_heading(title, level=2)
        _table(document, rows, cols, WIDTHS, Cm, RGBColor(0xC0, 0x00, 0x00))
    try:
        document.save(path)
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}") from None


def _table(document, rows, cols, widths, Cm, red) -> None:
    table = document.add_table(rows=1, cols=len(cols))
    table.style = "Table Grid"
    table.autofit = False
    for j, (_, key) in enumerate(cols):  # the grid's widths: what LibreOffice and Word lay out by
        if key in widths:
            table.columns[j].width = Cm(widths[key])
    for j, (head, key) in enumerate(cols):
        cell = table.rows[0].cells[j]
        cell.text = head
        cell.paragraphs[0].runs[0].bold = True
        if key in widths:
            cell.width = Cm(widths[key])
    for r in rows:
        cells = table.add_row().cells
        for j, (_, key) in enumerate(cols):
            value = r.get(key)
            cells[j].text = "" if value is None else str(value)
            if key in widths:
                cells[j].width = Cm(widths[key])
            if red is not None and key == "overdue_label" and value:
                run = cells[j].paragraphs[0].runs[0]
                run.bold, run.font.color.rgb = True, red
