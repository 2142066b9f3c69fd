"""Task tables: find their header rows, read their body rows, fill merged cells down.

A table is recognised by its header (see ``headers``): a run of cells that are
all column names among which a task column and a unit column.  The header
also tells how the table was flattened:

* ``pipe``     one row per line, cells separated by ``|``, a row may wrap onto
               the next line (see ``read_positional``);
* ``tabline``  one row per line, cells separated by TABs, likewise;
* ``tabcell``  one cell per line, each starting with a TAB, rows separated by
               blank lines, wrapped cells continued on lines without a TAB;
* ``cellline`` one cell per line with no separator at all (web tables copied
               as text): rows are found by their 序号 and by the kind of each
               cell (text, unit list, empty), see ``cellrows``.

Rows come out as ``TableRow`` (cells assigned to columns, see ``tablerows``).
"""

from __future__ import annotations

import re
from whodoes.build.cleanup import Line
from whodoes.build.parse.headers import UNIT_KINDS, Header, has_pipe, is_tab_row, split_pipe, tab_cells
from whodoes.build.parse.markers import ATTACHMENT, HEADING_1, SECTION_SEQ, is_none_cell, looks_like_units
from whodoes.build.parse.tablerows import TableRow, assign_cell, is_section_line, section_cell

SEPARATOR_END = tuple("、,，;；")


def is_table_end(line: Line) -> bool:
    """Document structure that closes a table: an attachment mark or a top-level heading."""
    t = line.text
    return bool(ATTACHMENT.match(t)) and len(t) < 60 or bool(HEADING_1.match(t)) and not line.tabbed and "|" not in t


def _positional_row(
    header: Header, cells: list[str], cell_lines: list[int], line_end: int, source: str
) -> TableRow:
    row = TableRow(line=cell_lines[0], line_end=line_end, source_text=source)
    section = section_cell(cells)
    if section:
        row.section = section
        return row
    cells, cell_lines = _realign(header, cells, cell_lines)
    cells = cells + [""] * (len(header.columns) - len(cells))
    cell_lines = cell_lines + [cell_lines[-1]] * (len(cells) - len(cell_lines))
    for col, cell, cell_line in zip(header.columns, cells, cell_lines):
        assign_cell(header, row, col, cell.strip(), cell_line)
    return row


def _realign(header: Header, cells: list[str], cell_lines: list[int]) -> tuple[list[str], list[int]]:
    """A row short of cells whose merged category / title cells were left out, not left empty.

    Copies of web tables drop the cells a merged cell spans: "2 | 规范广告。 | 区市场监管局 | 各街道"
    under 序号 | 重点任务 | 具体措施 | 牵头单位 | 配合单位.  When putting the missing cells
    in the leading category / title columns makes every unit column hold units, that is
    how the row is read; otherwise it is read as printed.
    """
    missing = len(header.columns) - len(cells)
    if missing <= 0:
        return cells, cell_lines
    at = 1 if header.columns[0].kind == "seq" and cells and _SEQ_CELL.match(cells[0].strip()) else 0
    leading = header.columns[at: at + missing]
    if len(leading) < missing or any(c.kind not in ("category", "title") for c in leading):
        return cells, cell_lines
    moved = cells[:at] + [""] * missing + cells[at:]
    units = [cell for col, cell in zip(header.columns, moved) if col.kind in UNIT_KINDS]
    if not units or not all(not u.strip() or is_none_cell(u) or looks_like_units(u) for u in units):
        return cells, cell_lines
    lines_ = cell_lines[:at] + [cell_lines[min(at, len(cell_lines) - 1)]] * missing + cell_lines[at:]
    return moved, lines_


_SEQ_CELL = re.compile(r"^\d{1,3}[.．、]?$")


def _tab_row(ln: Line, ncols: int) -> list[str]:
    """Leading TABs are empty cells (a merged 序号) unless they only indent a full row."""
    cells = tab_cells(ln)
    while len(cells) > ncols and cells[0] == "":
        cells.pop(0)
    return cells


def read_positional(lines: list[Line], header: Header, stop: int) -> tuple[list[TableRow], int]:
    """Rows of pipe, tabline and tabcell tables; returns the rows and the index after the table.

    A row may be broken over several physical lines: a line without separators
    continues the last cell; a line with separators continues the row when the row
    is short of cells, both fit in one row, and the line does not open a row of its
    own (a leading ``|`` in a table whose rows have one, a number in the 序号 column).
    Lines naming a section (一、…) between rows are section rows; the table ends at
    the first line that fits none of these, or after its last task row.
    """
    ncols = len(header.columns)
    leading_pipe = has_pipe(lines[header.start].text[:1])
    seq_first = header.columns[0].kind == "seq"
    rows: list[TableRow] = []
    cells: list[str] = []
    cell_lines: list[int] = []
    first = last = None
    after_blank = False
    end = header.end  # index after the last line of the last task row

    def flush():
        nonlocal cells, cell_lines, first, last, end
        if cells and any(c.strip() for c in cells):
            src = "\n".join(l.raw for l in lines[first: last + 1])
            row = _positional_row(header, cells, cell_lines, lines[last].number, src)
            rows.append(row)
            if row.section is None:
                end = last + 1
        cells, cell_lines, first, last = [], [], None, None

    def start_row(new_cells: list[str], i: int):
        nonlocal cells, cell_lines, first, last
        flush()
        cells, cell_lines, first, last = new_cells, [lines[i].number] * len(new_cells), i, i

    def complete() -> bool:
        return len(cells) >= ncols or section_cell(cells) is not None

    def continues(new_cells: list[str], text: str) -> bool:
        if not cells or complete() or len(cells) + len(new_cells) - 1 > ncols:
            return False
        if leading_pipe and has_pipe(text[:1]):
            return False
        return not (seq_first and (_SEQ_CELL.match(new_cells[0]) or SECTION_SEQ.match(new_cells[0])))

    def carry_on(text: str, i: int) -> bool:
        """A line without separators: the rest of a wrapped cell, or a section row."""
        nonlocal last
        if cells and (not complete() or cells[-1].rstrip().endswith(SEPARATOR_END)):
            cells[-1] += text
            last = i
            return True
        if is_section_line(text):
            start_row([text], i)
            return True
        return False

    i = header.end
    while i < stop:
        ln = lines[i]
        if ln.blank or (header.style != "tabcell" and ln.empty_cell):
            after_blank = True
            i += 1
            continue
        t = ln.text
        if header.style in ("pipe", "tabline"):
            if header.style == "pipe" and has_pipe(t) and re.fullmatch(r"[|｜\s:：\-—]+", t):
                i += 1
                continue
            separated = has_pipe(t) if header.style == "pipe" else is_tab_row(ln)
            if separated:
                new = split_pipe(t) if header.style == "pipe" else _tab_row(ln, ncols)
                if continues(new, t):
                    cells[-1] += new[0]
                    cells.extend(new[1:])
                    cell_lines.extend([ln.number] * (len(new) - 1))
                    last = i
                else:
                    start_row(new, i)
            elif not carry_on(t, i):
                break
        else:  # tabcell
            if ln.tabbed:
                if after_blank and complete():
                    flush()
                if first is None:
                    first = i
                cells.append(t)
                cell_lines.append(ln.number)
                last = i
            elif not carry_on(t, i):
                break
        after_blank = False
        i += 1
    flush()
    while rows and rows[-1].section is not None:  # a heading after the table is not part of it
        rows.pop()
    return rows, end


