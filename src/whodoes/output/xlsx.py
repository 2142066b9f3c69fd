"""``--format xlsx`` of task, due and export: a spreadsheet written with xlsxwriter.

Imported only for that format (by ``whodoes.output.render.write``); cells are flattened as for
csv (``render.cell``), column widths measured with ``render.display_width``.
"""

from __future__ import annotations

from whodoes.errors import RenderError
from whodoes.output.cells import cell, display_width

XLSX_MAX_WIDTH = 60  # characters; longer cells wrap
XLSX_MAX_CELL = 32767  # Excel's limit on the characters of one cell


def write_xlsx(rows, columns, path, *, headers=None, title=None):
    """A real spreadsheet: a bold frozen header row with a filter, column widths fitted to
    the content (CJK characters count double, at most 60), long text wrapped, cells aligned
    to the top; whole numbers stay numbers."""
    if not path:
        raise RenderError("xlsx needs a file: add -o FILE.xlsx")
    try:
        import xlsxwriter
        from xlsxwriter.exceptions import XlsxWriterException
    except ImportError:
        raise RenderError(
            "--format xlsx needs xlsxwriter, a dependency of whodoes: reinstall whodoes, or pip install xlsxwriter"
        ) from None
    heads = list(headers or columns)
    table = []
    widths = [display_width(h) for h in heads]
    for r in rows:
        line = []
        for j, c in enumerate(columns):
            v = r.get(c)
            if not (isinstance(v, int) and not isinstance(v, bool)):
                v = cell(v)
                if len(v) > XLSX_MAX_CELL:
                    v = v[: XLSX_MAX_CELL - 1] + "…"
            line.append(v)
            if len(table) < 1000:
                w = max((display_width(part) for part in str(v).split("\n")), default=0)
                widths[j] = max(widths[j], w)
        table.append(line)
    import io

    from whodoes.output.outfile import replace

    buffer = io.BytesIO()  # written in memory, then to the file as any other format (whodoes.output.outfile)
    try:
        wb = xlsxwriter.Workbook(
            buffer,
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": True},
        )
        if title:
            wb.set_properties({"title": title, "comments": "written by whodoes"})
        ws = wb.add_worksheet("whodoes")
        head_fmt = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#EEEEEE"})
        wrap_fmt = wb.add_format({"text_wrap": True, "valign": "top"})
        plain_fmt = wb.add_format({"valign": "top"})
        wrapped = [w > XLSX_MAX_WIDTH for w in widths]
        for j, h in enumerate(heads):
            ws.write_string(0, j, h, head_fmt)
            ws.set_column(j, j, min(max(widths[j], 4), XLSX_MAX_WIDTH) + 2, wrap_fmt if wrapped[j] else plain_fmt)
        for i, line in enumerate(table, start=1):
            for j, v in enumerate(line):
                fmt = wrap_fmt if wrapped[j] else plain_fmt
                if isinstance(v, int):
                    ws.write_number(i, j, v, fmt)
                elif v:
                    ws.write_string(i, j, v, fmt)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(table), 1), max(len(heads) - 1, 0))
        wb.close()
    except OSError as e:  # pragma: no cover - in memory
        raise RenderError(f"cannot write {path}: {getattr(e, 'strerror', None) or e}") from None
    except XlsxWriterException as e:
        raise RenderError(f"cannot write {path}: {e}") from None
    replace(path, lambda f: f.write(buffer.getvalue()), binary=True)
