"""Task tables: find their header rows, read their body rows, fill merged cells down.

A table is recognised by its header: a run of cells that are all column names
(序号, 工作任务 / 主要内容 / 措施, 牵头单位 / 责任单位 / 配合单位, 2018年任务, 完成时限 ...)
among which a task column and a unit column.  The header also tells how the
table was flattened:

* ``pipe``     one row per line, cells separated by ``|``;
* ``tabline``  one row per line, cells separated by TABs;
* ``tabcell``  one cell per line, each starting with a TAB, rows separated by
               blank lines, wrapped cells continued on lines without a TAB;
* ``cellline`` one cell per line with no separator at all (web tables copied
               as text): rows are found by their 序号 and by the kind of each
               cell (text, unit list, empty), see ``cellrows``.

Rows come out as ``TableRow`` (cells assigned to columns); ``rows_to_tasks``
turns them into TaskRows, filling merged cells down and marking them inherited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whodoes.cleanup import Line
from whodoes.parse.markers import (
    HEADING_1,
    HEADING_2,
    ATTACHMENT,
    assign_roles,
    header_kind,
    is_none_cell,
    looks_like_units,
)
from whodoes.parse.model import TaskRow
from whodoes.units.split import split_units

SEPARATOR_END = tuple("、,，;；")


@dataclass
class Column:
    kind: str  # seq | category | task | year | lead | support | dual | deadline | note
    extra: str | None  # the year for "year", the label for unit columns
    name: str


@dataclass
class Header:
    style: str  # pipe | tabline | tabcell | cellline
    start: int  # index into lines of the first header line
    end: int  # index of the first line after the header
    columns: list[Column]
    roles: dict[str, str] = field(default_factory=dict)  # unit label -> lead/support

    def index(self, kind: str) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.kind == kind]

    def label(self, role: str) -> str | None:
        for c in self.columns:
            if c.kind in ("lead", "support", "dual") and self.roles.get(c.extra) == role:
                return c.extra
        return None


@dataclass
class TableRow:
    """A body row with its cells assigned: a section row has only ``section``."""

    line: int
    line_end: int
    task_line: int | None = None  # the line where the task text starts (the row's "line")
    seq: str | None = None
    section: str | None = None
    category: str | None = None
    task: str | None = None
    years: dict[str, str] = field(default_factory=dict)
    detail: list[str] = field(default_factory=list)
    deadline: str | None = None
    lead: str | None = None  # None: merged from above; "" : printed empty ("/")
    support: str | None = None
    source_text: str = ""


def _is_header(cells: list[str]) -> list[Column] | None:
    cols = []
    for cell in cells:
        kind = header_kind(cell)
        if kind is None:
            return None
        cols.append(Column(kind[0], kind[1], re.sub(r"\s+", "", cell)))
    kinds = {c.kind for c in cols}
    if not (kinds & {"task", "category"}) or not (kinds & {"lead", "support", "dual"}):
        return None
    return cols


def _split_pipe(text: str) -> list[str]:
    cells = [c.strip() for c in text.split("|")]
    if cells and cells[0] == "" and text.lstrip().startswith("|"):
        cells = cells[1:]
    if cells and cells[-1] == "" and text.rstrip().endswith("|"):
        cells = cells[:-1]
    return cells


def find_headers(lines: list[Line]) -> list[Header]:
    headers: list[Header] = []
    i, n = 0, len(lines)
    while i < n:
        text = lines[i].text
        if not text:
            i += 1
            continue
        if "|" in text:
            cols = _is_header(_split_pipe(text))
            if cols:
                headers.append(Header("pipe", i, i + 1, cols))
                i += 1
                continue
        if "\t" in lines[i].raw.strip("\t "):
            cols = _is_header([c for c in lines[i].raw.split("\t") if c.strip()])
            if cols:
                headers.append(Header("tabline", i, i + 1, cols))
                i += 1
                continue
        # one header cell per line (with or without a leading TAB), blank lines between
        if header_kind(text):
            j, cells, last = i, [], i
            while j < n:
                if lines[j].blank:
                    j += 1
                    continue
                if not header_kind(lines[j].text) or lines[j].empty_cell:
                    break
                cells.append(lines[j].text)
                last = j
                j += 1
            cols = _is_header(cells) if len(cells) >= 3 else None
            if cols:
                style = "tabcell" if lines[i].tabbed else "cellline"
                headers.append(Header(style, i, last + 1, cols))
                i = last + 1
                continue
        i += 1
    for h in headers:
        h.roles = assign_roles([c.extra for c in h.columns if c.kind in ("lead", "support", "dual")])
    return headers


def is_table_end(line: Line) -> bool:
    """Document structure that closes a table: an attachment mark or a top-level heading."""
    t = line.text
    return bool(ATTACHMENT.match(t)) and len(t) < 60 or bool(HEADING_1.match(t)) and not line.tabbed and "|" not in t


def _section_cell(cells: list[str]) -> str | None:
    filled = [c for c in cells if c.strip()]
    if len(filled) == 1 and (HEADING_1.match(filled[0]) or HEADING_2.match(filled[0])) and len(filled[0]) < 40:
        return filled[0].strip()
    return None


def _positional_row(
    header: Header, cells: list[str], cell_lines: list[int], line_end: int, source: str
) -> TableRow:
    row = TableRow(line=cell_lines[0], line_end=line_end, source_text=source)
    section = _section_cell(cells)
    if section:
        row.section = section
        return row
    cells = cells + [""] * (len(header.columns) - len(cells))
    cell_lines = cell_lines + [cell_lines[-1]] * (len(cells) - len(cell_lines))
    for col, cell, cell_line in zip(header.columns, cells, cell_lines):
        cell = cell.strip()
        if col.kind == "seq":
            row.seq = cell or None
        elif col.kind == "category":
            row.category = cell or None
        elif col.kind == "task":
            if row.task is None:
                row.task = cell or None
                row.task_line = cell_line
            elif cell:
                row.detail.append(cell)
        elif col.kind == "year":
            if cell:
                row.years[col.extra] = cell
        elif col.kind == "deadline":
            row.deadline = cell or None
        elif col.kind in ("lead", "support", "dual"):
            value = "" if is_none_cell(cell) else (cell or None)
            if header.roles.get(col.extra) == "lead":
                row.lead = value
            else:
                row.support = value
    return row


def read_positional(lines: list[Line], header: Header, stop: int) -> tuple[list[TableRow], int]:
    """Rows of pipe, tabline and tabcell tables; returns the rows and the index after the table."""
    ncols = len(header.columns)
    rows: list[TableRow] = []
    cells: list[str] = []
    cell_lines: list[int] = []
    first = last = None
    after_blank = False

    def flush():
        nonlocal cells, cell_lines, first, last
        if cells and any(c.strip() for c in cells):
            src = "\n".join(l.raw for l in lines[first: last + 1])
            rows.append(_positional_row(header, cells, cell_lines, lines[last].number, src))
        cells, cell_lines, first, last = [], [], None, None

    def start_row(new_cells: list[str], i: int):
        nonlocal cells, cell_lines, first, last
        flush()
        cells, cell_lines, first, last = new_cells, [lines[i].number] * len(new_cells), i, i

    def complete() -> bool:
        return len(cells) >= ncols or _section_cell(cells) is not None

    i = header.end
    while i < stop:
        ln = lines[i]
        if ln.blank or (header.style != "tabcell" and ln.empty_cell):
            after_blank = True
            i += 1
            continue
        t = ln.text
        if header.style == "pipe":
            if "|" in t:
                if re.fullmatch(r"[|\s:：\-—]+", t):
                    i += 1
                    continue
                start_row(_split_pipe(t), i)
            elif cells and (not complete() or cells[-1].rstrip().endswith(SEPARATOR_END)):
                cells[-1] += t
                last = i
            else:
                break
        elif header.style == "tabline":
            if "\t" in ln.raw.strip("\t "):
                row_cells = [c.strip() for c in ln.raw.split("\t")]
                start_row(row_cells[1:] if row_cells and row_cells[0] == "" else row_cells, i)
            elif cells and (not complete() or cells[-1].rstrip().endswith(SEPARATOR_END)):
                cells[-1] += t
                last = i
            else:
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
            elif cells and (not complete() or cells[-1].rstrip().endswith(SEPARATOR_END)):
                cells[-1] += t
                last = i
            else:
                break
        after_blank = False
        i += 1
    flush()
    return rows, i


def rows_to_tasks(header: Header, rows: list[TableRow]) -> list[TaskRow]:
    """Fill merged cells down (category, lead, support) and make TaskRows."""
    lead_label, support_label = header.label("lead"), header.label("support")
    has_lead = lead_label is not None
    has_support = support_label is not None
    title_layout = any(c.kind == "task" and c.name in ("工作任务", "任务名称", "项目名称") for c in header.columns)
    out: list[TaskRow] = []
    section = category = None
    lead = support = None  # current values of the merged unit cells
    for r in rows:
        if r.section is not None:
            section, category = r.section, None
            continue
        if not r.task and not r.detail and not r.years:
            continue
        if r.category:
            category = r.category
        inherited = []
        if r.lead is None and has_lead:
            if lead is not None:
                inherited.append("lead")
        else:
            lead = r.lead
        if r.support is None and has_support:
            if support is not None:
                inherited.append("support")
        else:
            support = r.support
        text = r.task or (r.detail.pop(0) if r.detail else next(iter(r.years.values())))
        out.append(
            TaskRow(
                part="table",
                text=text,
                title=r.task if title_layout else None,
                seq=r.seq,
                section=section,
                category=category,
                detail="\n".join(r.detail) or None,
                targets=dict(r.years),
                deadline=r.deadline,
                lead_raw=lead or None,
                support_raw=support or None,
                lead=split_units(lead),
                support=split_units(support),
                lead_label=lead_label,
                support_label=support_label,
                inherited=inherited,
                line=r.task_line or r.line,
                line_end=r.line_end,
                source_text=r.source_text,
            )
        )
    return out
