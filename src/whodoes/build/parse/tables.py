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


def _positional_row(header: Header, cells: list[str], cell_lines: list[int], line_end: int, source: str) -> TableRow:
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
    leading = header.columns[at : at + missing]
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


class _PositionalRows:
    """The rows of a pipe, tabline or tabcell table as its lines are read: the row being
    read (its cells, the line number of each, its first and last line index) and the rows
    done, ``end`` the index after the last line of the last task row."""

    def __init__(self, lines: list[Line], header: Header):
        self.lines, self.header = lines, header
        self.ncols = len(header.columns)
        self.leading_pipe = has_pipe(lines[header.start].text[:1])
        self.seq_first = header.columns[0].kind == "seq"
        self.rows: list[TableRow] = []
        self.cells: list[str] = []
        self.cell_lines: list[int] = []
        self.first: int | None = None
        self.last: int | None = None
        self.end = header.end

    def flush(self) -> None:
        """The row read so far is done (if it has any text)."""
        if self.cells and any(c.strip() for c in self.cells):
            assert self.first is not None and self.last is not None
            src = "\n".join(line.raw for line in self.lines[self.first : self.last + 1])
            row = _positional_row(self.header, self.cells, self.cell_lines, self.lines[self.last].number, src)
            self.rows.append(row)
            if row.section is None:
                self.end = self.last + 1
        self.cells, self.cell_lines, self.first, self.last = [], [], None, None

    def start_row(self, new_cells: list[str], i: int) -> None:
        self.flush()
        self.cells, self.cell_lines = new_cells, [self.lines[i].number] * len(new_cells)
        self.first = self.last = i

    def add_cell(self, text: str, i: int) -> None:
        """One more cell of the row (tabcell: one cell per line)."""
        if self.first is None:
            self.first = i
        self.cells.append(text)
        self.cell_lines.append(self.lines[i].number)
        self.last = i

    def extend(self, new_cells: list[str], i: int) -> None:
        """The row goes on on line ``i``: its first cell continues the last cell."""
        self.cells[-1] += new_cells[0]
        self.cells.extend(new_cells[1:])
        self.cell_lines.extend([self.lines[i].number] * (len(new_cells) - 1))
        self.last = i

    def complete(self) -> bool:
        return len(self.cells) >= self.ncols or section_cell(self.cells) is not None

    def continues(self, new_cells: list[str], text: str) -> bool:
        """Whether a line of cells continues the row rather than opening one of its own."""
        if not self.cells or self.complete() or len(self.cells) + len(new_cells) - 1 > self.ncols:
            return False
        if self.leading_pipe and has_pipe(text[:1]):
            return False
        return not (self.seq_first and (_SEQ_CELL.match(new_cells[0]) or SECTION_SEQ.match(new_cells[0])))

    def carry_on(self, text: str, i: int) -> bool:
        """A line without separators: the rest of a wrapped cell, or a section row; False
        when it is neither (the table has ended)."""
        if self.cells and (not self.complete() or self.cells[-1].rstrip().endswith(SEPARATOR_END)):
            self.cells[-1] += text
            self.last = i
            return True
        if is_section_line(text):
            self.start_row([text], i)
            return True
        return False


def _separated_line(table: _PositionalRows, ln: Line, i: int, after_blank: bool) -> bool:
    """A line of a pipe or tabline table; False when the table has ended."""
    t, style = ln.text, table.header.style
    if style == "pipe" and has_pipe(t) and re.fullmatch(r"[|｜\s:：\-—]+", t):
        return True  # the |---| line under the header
    if not (has_pipe(t) if style == "pipe" else is_tab_row(ln)):
        return table.carry_on(t, i)
    new = split_pipe(t) if style == "pipe" else _tab_row(ln, table.ncols)
    if table.continues(new, t):
        table.extend(new, i)
    else:
        table.start_row(new, i)
    return True


def _tabcell_line(table: _PositionalRows, ln: Line, i: int, after_blank: bool) -> bool:
    """A line of a tabcell table (one cell per line, rows apart by blank lines); False when
    the table has ended."""
    if not ln.tabbed:
        return table.carry_on(ln.text, i)
    if after_blank and table.complete():
        table.flush()
    table.add_cell(ln.text, i)
    return True


def read_positional(lines: list[Line], header: Header, stop: int) -> tuple[list[TableRow], int]:
    """Rows of pipe, tabline and tabcell tables; returns the rows and the index after the table.

    A row may be broken over several physical lines: a line without separators
    continues the last cell; a line with separators continues the row when the row
    is short of cells, both fit in one row, and the line does not open a row of its
    own (a leading ``|`` in a table whose rows have one, a number in the 序号 column).
    Lines naming a section (一、…) between rows are section rows; the table ends at
    the first line that fits none of these, or after its last task row.
    """
    table = _PositionalRows(lines, header)
    read_line = _tabcell_line if header.style == "tabcell" else _separated_line
    after_blank = False
    for i in range(header.end, stop):
        ln = lines[i]
        if ln.blank or (header.style != "tabcell" and ln.empty_cell):
            after_blank = True
            continue
        if not read_line(table, ln, i, after_blank):
            break
        after_blank = False
    table.flush()
    rows = table.rows
    while rows and rows[-1].section is not None:  # a heading after the table is not part of it
        rows.pop()
    return rows, table.end
