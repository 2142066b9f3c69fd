"""Task tables that come as grids of cells (Word, PDF, web pages, spreadsheets).

A file format that knows its tables (``whodoes.build.document.model.Table``) hands them
over as grids, with their merged cells.  They are read with the same rules as
tables flattened into text: the header row (or two rows, a spanning cell over the
per-year columns) is named by ``headers.columns_of``, each body cell is put in its
column by ``tablerows.assign_cell`` and the rows become tasks by
``tablerows.rows_to_tasks``.  What a grid adds is certainty about merges: a cell
merged down from the row above is ``None`` (filled down, marked inherited), while
a cell that is really empty is printed empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from whodoes.build.cleanup import Line
from whodoes.build.document.model import Cell, Table
from whodoes.build.parse.headers import UNIT_KINDS, Column, Header, columns_of
from whodoes.build.parse.markers import assign_roles, header_kind
from whodoes.build.parse.model import TaskRow
from whodoes.build.parse.tablerows import TableRow, assign_cell, is_section_line, rows_to_tasks, section_cell

HEADER_SEARCH = 10  # the header is among a table's first rows (title rows may come first)

Grid = list[list[Cell | None]]


def _groups(keys: Sequence[object]) -> list[list[int]]:
    """Grid columns grouped where consecutive positions share one header cell."""
    groups: list[list[int]] = []
    for c, key in enumerate(keys):
        if groups and key is not None and keys[groups[-1][-1]] is key:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _text(cell: Cell | None) -> str:
    return cell.text.replace("\n", "") if cell is not None else ""


def _header_at(grid: Grid, r: int) -> tuple[Header, list[list[int]]] | None:
    """A header of one row at ``r``, or of two (spanning cells over the second)."""
    candidates = []
    if r + 1 < len(grid):
        top, bottom = grid[r], grid[r + 1]
        own = [b for b, t in zip(bottom, top) if b is not None and b is not t and b.text.strip()]
        heads = [t for t in dict.fromkeys(top) if t is not None and t.text.strip()]
        if own and all(header_kind(_text(b)) for b in own) and all(header_kind(_text(t)) for t in heads):
            keys = [t if b is None or b is t or not b.text.strip() else b for t, b in zip(top, bottom)]
            candidates.append((keys, r + 2))
    candidates.append((list(grid[r]), r + 1))
    for keys, end in candidates:
        groups = _groups(keys)
        names = [_text(keys[g[0]]) for g in groups]
        filled = [n for n in names if n]
        if len(filled) < len(names) and (len(filled) < 3 or len(names) - len(filled) > 1):
            continue  # one column without a name is kept (as detail) beside three named ones
        cols = columns_of(filled)
        if cols and len(filled) < len(names):
            blank = names.index("")
            cols.insert(blank, Column("other", None, ""))
        if cols:
            header = Header("grid", r, end, cols)
            header.unit_column = any(c.kind in UNIT_KINDS for c in cols)
            header.roles = assign_roles([c.extra for c in cols if c.kind in UNIT_KINDS and c.extra is not None])
            return header, groups
    return None


def find_grid_header(grid: Grid) -> tuple[Header, list[list[int]]] | None:
    for r in range(min(HEADER_SEARCH, len(grid))):
        found = _header_at(grid, r)
        if found:
            return found
    return None


def _row_values(grid: Grid, r: int, groups: list[list[int]]) -> list[str | None]:
    """One value per header column: the text of the row's own cells, or None when every
    cell of the column was merged down from a row above."""
    values: list[str | None] = []
    seen: set[int] = set()  # a cell spanning several columns counts in the first only
    for group in groups:
        cells = [cell for cell in dict.fromkeys(grid[r][c] for c in group) if cell is not None and id(cell) not in seen]
        seen.update(id(cell) for cell in cells)
        own = [c for c in cells if c.row == r]
        if cells and not own:
            values.append(None)
        else:
            values.append("\n".join(c.text for c in own if c.text.strip()))
    return values


def _body_row(header: Header, values: list[str | None], line: int, source: str) -> TableRow | None:
    row = TableRow(line=line, line_end=line, source_text=source)
    texts = [v or "" for v in values]
    if None not in values and section_cell(texts):
        row.section = section_cell(texts)
        return row
    for col, value in zip(header.columns, values):
        assign_cell(header, row, col, (value or "").strip(), line)
        if col.kind in UNIT_KINDS and value is not None and not value.strip():
            if col.extra is not None and header.roles.get(col.extra) == "lead":
                row.lead = ""  # an empty cell of its own: printed empty, not merged
            else:
                row.support = ""
    return row


@dataclass
class _Columns:
    """A task table's columns, carried to a table that goes on without a header of its own."""

    header: Header
    groups: list[list[int]]
    names: list[str]
    n_cols: int
    last_line: int


def _row_line(table: Table, r: int) -> int:
    """The line of row ``r`` (the rows of a table read here have their lines set)."""
    line = table.row_provs[r].line
    assert line is not None, "a table row without its line"
    return line


def _goes_on(table: Table, prev: _Columns | None, lines: list[Line]) -> bool:
    """Does ``table`` (no header) continue the task table above: the same columns, and between
    them nothing but blank lines and at most two short ones (a section heading)?"""
    if prev is None or table.n_cols != prev.n_cols or not table.row_provs:
        return False
    between = [ln.text for ln in lines[prev.last_line : _row_line(table, 0) - 1] if ln.text]
    return len(between) <= 2 and all(len(t) < 40 for t in between)


def read_grid(table: Table, lines: list[Line], prev: _Columns | None = None) -> tuple[_Columns | None, list[TaskRow]]:
    """The task rows of one table (cells cleaned, ``row_provs`` with their lines set); a table
    without a header that goes on from the task table above is read with its columns."""
    grid = table.grid()
    found = find_grid_header(grid)
    if found:
        header, groups = found
        names = [_text(grid[header.start][g[0]]) for g in groups]
        columns = _Columns(header, groups, names, table.n_cols, _row_line(table, -1))
        first = header.end
    elif prev is not None and _goes_on(table, prev, lines):
        columns = replace(prev, last_line=_row_line(table, -1))
        header, groups, names, first = prev.header, prev.groups, prev.names, 0
    else:
        return None, []
    if not header.unit_column:
        return columns, []
    rows: list[TableRow] = []
    if (
        prev is not None and first == 0
    ):  # going on from the table above: a section heading between them is the rows' section
        heading = [ln for ln in lines[prev.last_line : _row_line(table, 0) - 1] if is_section_line(ln.text)]
        if heading:
            rows.append(TableRow(line=heading[-1].number, line_end=heading[-1].number, section=heading[-1].text))
    for r in range(first, len(grid)):
        values = _row_values(grid, r, groups)
        texts = [v or "" for v in values]
        if texts == names or (max(map(len, texts)) <= 12 and columns_of(texts)):
            continue  # the header repeated (on each page of a PDF)
        line = _row_line(table, r)
        source = lines[line - 1].raw if 0 < line <= len(lines) else ""
        row = _body_row(header, values, line, source)
        if row is not None:
            rows.append(row)
    while rows and rows[-1].section is not None:
        rows.pop()
    return columns, rows_to_tasks(header, rows)


def read_grids(tables: list[Table], lines: list[Line]) -> tuple[list[TaskRow], list[str], set[int]]:
    """Every task table among ``tables``: their rows, what was recognised, and the
    rendering lines they cover (which the line readers then leave alone)."""
    out: list[TaskRow] = []
    layouts: list[str] = []
    used: set[int] = set()
    prev: _Columns | None = None
    for table in tables:
        columns, rows = read_grid(table, lines, prev)
        if columns is None:
            prev = None
            continue
        header = columns.header
        goes_on = prev is not None and header is prev.header
        where = table.row_prov(0 if goes_on else header.start).describe()
        names = " | ".join(c.name for c in header.columns)
        if not header.unit_column:
            layouts.append(
                f"a table header at {where} ({names}) had no unit column "
                "(牵头单位 / 责任单位 / 配合单位 ...): its rows were not read"
            )
            used.update(p.line for p in table.row_provs if p.line is not None)  # said once, here
            prev = None
            continue
        layouts.append(f"table at {where} ({'the columns of the table above' if goes_on else names}): {len(rows)} rows")
        out += rows
        used.update(p.line for p in table.row_provs if p.line is not None)
        prev = columns
    return out, layouts, used
