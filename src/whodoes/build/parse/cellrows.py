"""Rows of a table flattened one cell per line, with no separator at all.

Web pages of Word tables lose their grid when copied as text: every cell
becomes a line, merged cells appear only in the first row they span, and an
empty cell becomes a line holding a non-breaking space.  The grid is rebuilt
from what each line is:

* a number one more than (or a little more than) the last 序号 starts a row;
* a line holding only spaces is an empty cell (the 备注 column closes a row);
* a unit list (every piece ends like a unit name: 局, 分局, 公司, 相关部门 ...)
  is a unit cell; unit cells come after the text cells of their row;
* any other line is a text cell; a text cell after unit cells starts a row
  that has no printed number.

Within a row, the text cells are matched to the text columns of the header
(category, task, per-year columns, deadline): a numbered short cell
("1.实施主体功能定位工程") or a category seen before is the category; when
there are more cells than columns, a cell that does not end a sentence was
wrapped and is joined to the next; as many cells as task + year columns give
the per-year targets; fewer leave the extra cells as detail (a cell spanning
several years cannot be placed).

Section rows (一、… / （一）… followed by a 序号) sit between rows; the 序号 may
restart after them.  Columns printed after the unit columns (完成时限, 备注) are
read after the unit cells: a short date-like cell is the deadline.

When a row's cells line up one for one with the header (after joining a cell
that plainly wraps, one ending in ， or 、), and every unit cell falls in a unit
column, the row is read by position; only rows that do not line up (merged
cells left out) go through the guessing below.

Unit cells: a cell ending in a separator (、 ; ，) continues on the next line.
Two unit cells are lead and support.  A single unit cell is the lead or the
support by the table's own convention, learnt from its rows that print both:
when support cells end in 。 and lead cells never do, the final 。 tells;
otherwise a group marker (等, 相关, 有关, 各) marks support.  The other unit
column is then merged from above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whodoes.build.cleanup import Line
from whodoes.build.parse.clauses import roles_in_cell
from whodoes.build.parse.headers import UNIT_KINDS, Header
from whodoes.build.parse.markers import (
    HEADING_1,
    HEADING_2,
    NUMBERED,
    header_kind,
    is_none_cell,
    looks_like_units,
)
from whodoes.build.parse.tablerows import TableRow, assign_cell, is_section_line
from whodoes.build.parse.tables import SEPARATOR_END, is_table_end

TERMINAL = tuple('。；;！？!?)）”"')
WRAPS = tuple("，,、；;：:（(")
DEADLINE = re.compile(r"(年|月|底|前|季度|持续|长期|常态|每年|逐年)")
_SEQ = re.compile(r"(\d{1,3})[.．、*＊★]?")


@dataclass
class _Raw:
    line: int
    line_end: int
    seq: str | None
    texts: list[str] = field(default_factory=list)
    text_lines: list[int] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    closed: bool = False
    source: list[str] = field(default_factory=list)
    cells: list[tuple[str, int, str]] = field(default_factory=list)  # (text, line, kind) in order
    section: str | None = None
    deadline: str | None = None
    after: list[str] = field(default_factory=list)  # text cells printed after the unit cells (spaced tables)


def _is_deadline(text: str) -> bool:
    return len(text) <= 20 and bool(DEADLINE.search(text)) and "。" not in text


def _unit_cell(text: str) -> bool:
    """Unit names, or a cell stating roles ("牵头单位：A；配合单位：B"); never a heading
    ("（二）获取经营场所（牵头单位：…）" names the lead of a group of rows)."""
    if HEADING_1.match(text) or HEADING_2.match(text):
        return False
    return looks_like_units(text) or roles_in_cell(text) is not None


def _next_text(lines: list[Line], i: int, stop: int) -> str | None:
    while i < stop and lines[i].blank:
        i += 1
    return lines[i].text.strip("|｜ ").strip() if i < stop else None


def _after_sections(lines: list[Line], i: int, stop: int) -> str:
    """The next cell that is not a section line (一、… then （一）… may stand above a row)."""
    for _ in range(3):
        t = _next_text(lines, i, stop) or ""
        if not is_section_line(t):
            return t
        i += 1
        while i < stop and lines[i - 1].blank:
            i += 1
    return ""


@dataclass
class _CellRows:
    """What the header says about the rows of a one-cell-per-line table, and the rows read
    so far (``cur`` the one being read, ``last_seq`` the last 序号)."""

    has_seq: bool  # a 序号 column: a number opens a row
    has_note: bool  # a 备注 column: an empty cell closes a row
    after_units: list[str]  # the kinds of the columns after the last unit column
    units_first: bool  # the first column after 序号 is a unit column (相关部门 | 职责分工)
    units_after_task: bool  # a unit column after the task column
    pipe_led: bool  # every header cell but the first opens with '| ' (see _pipe_led)
    rows: list[_Raw] = field(default_factory=list)
    cur: _Raw | None = None
    last_seq: int = 0

    def open(self, row: _Raw, cell: tuple[str, int, str] | None = None) -> _Raw:
        """A new row, with its first cell."""
        if cell is not None:
            row.cells.append(cell)
        self.cur = row
        self.rows.append(row)
        return row


def _cell_rows(lines: list[Line], header: Header) -> _CellRows:
    last_unit = max(header.index("lead") + header.index("support") + header.index("dual"))
    task_at = next((k for k, c in enumerate(header.columns) if c.kind == "task"), len(header.columns))
    return _CellRows(
        has_seq=bool(header.index("seq")),
        has_note=bool(header.index("note")),
        after_units=[c.kind for c in header.columns[last_unit + 1 :]],
        units_first=next((c.kind for c in header.columns if c.kind != "seq"), "") in UNIT_KINDS,
        units_after_task=any(c.kind in UNIT_KINDS for c in header.columns[task_at + 1 :]),
        pipe_led=_pipe_led(lines, header),
    )


def _segment(lines: list[Line], header: Header, stop: int) -> tuple[list[_Raw], int]:
    """The table's lines grouped into rows of cells (section rows between them); returns
    the rows and the index where the table ends."""
    table = _cell_rows(lines, header)
    i = header.end
    while i < stop:
        if lines[i].blank:
            i += 1
            continue
        ln, i = _cell_at(lines, i, stop, table.units_first)
        if table.has_seq and is_section_line(ln.text) and _SEQ.fullmatch(_after_sections(lines, i + 1, stop)):
            table.open(_Raw(ln.number, ln.number, None, section=ln.text, source=[ln.raw]))
            table.cur = None
            table.last_seq = 0  # numbering may restart in each section
            i += 1
            continue
        if is_table_end(ln):
            break
        _place_cell(table, ln)
        if table.cur is not None:
            table.cur.line_end = ln.number
            table.cur.source.append(ln.raw)
        i += 1
    return table.rows, i


def _place_cell(table: _CellRows, ln: Line) -> None:
    """One cell line into its row: a next 序号 opens a row; an empty cell, a unit cell or a
    deadline goes to the row being read (a unit cell opens one where units come first);
    text goes to it or opens a row of its own."""
    t, cur = ln.text, table.cur
    seq = _SEQ.fullmatch(t) if table.has_seq else None
    first = not table.rows  # an excerpt's table may start at any 序号 (24, 25, …)
    if seq and (first or table.last_seq < int(seq.group(1)) <= table.last_seq + 5):
        table.last_seq = int(seq.group(1))
        table.open(_Raw(ln.number, ln.number, seq.group(1)), (seq.group(1), ln.number, "seq"))
    elif ln.empty_cell:
        if cur is not None and not cur.closed and (cur.texts or cur.units):
            cur.cells.append(("", ln.number, "empty"))
            cur.closed = table.has_note
    elif (
        table.units_first
        and not table.has_seq
        and _unit_cell(t)
        and (cur is None or cur.closed or cur.texts and not (table.units_after_task and cur.cells[-1][2] == "text"))
    ):
        table.open(_Raw(ln.number, ln.number, None, units=[t]), (t, ln.number, "units"))  # 相关部门 | 职责分工
    elif cur is not None and not cur.closed and cur.texts and _unit_cell(t):
        cur.units.append(t)
        cur.cells.append((t, ln.number, "units"))
    elif (
        cur is not None
        and not cur.closed
        and cur.units
        and "deadline" in table.after_units
        and cur.deadline is None
        and _is_deadline(t)
    ):
        cur.deadline = t
        cur.cells.append((t, ln.number, "deadline"))
        cur.closed = table.after_units[-1] == "deadline"  # a deadline column last closes the row
    else:
        if (
            cur is None
            or cur.closed
            or cur.units
            and not (table.units_first and not cur.texts)
            or table.pipe_led
            and cur.texts
            and not ln.raw.lstrip().startswith(("|", "｜"))
        ):
            cur = table.open(_Raw(ln.number, ln.number, None))
        cur.texts.append(t)
        cur.text_lines.append(ln.number)
        cur.cells.append((t, ln.number, "text"))


def _pipe_led(lines: list[Line], header: Header) -> bool:
    """Header cells after the first open with '| ' (牵头单位 / | 目标任务 / | 责任单位): every cell but
    a row's first does, so a text line without the pipe opens a row (its first cells merged from above)."""
    raws = [ln.raw.strip() for ln in lines[header.start : header.end] if ln.text]
    return len(raws) >= 3 and not raws[0].startswith(("|", "｜")) and all(r.startswith(("|", "｜")) for r in raws[1:])


def _cell_at(lines: list[Line], i: int, stop: int, narrow_units: bool) -> tuple[Line, int]:
    """The cell at line i (without the pipes of a "cell |" copy) and the index of its last line:
    in a table whose first column is a (narrow) unit column, a unit name broken over short lines
    (市政 / 府办 / 公厅) is one cell."""
    ln = lines[i]
    t = ln.text.strip("|｜ ").strip()
    broken = _broken_name(lines, i, stop) if narrow_units and len(t) <= 4 and not _unit_cell(t) else None
    if broken is None:
        return Line(ln.number, ln.raw, t), i
    t, last = broken
    return Line(ln.number, "\n".join(cell.raw for cell in lines[i : last + 1]), t), last


def _broken_name(lines: list[Line], i: int, stop: int) -> tuple[str, int] | None:
    """Short lines (four characters at most) that only together read as a unit name: the name, its last line."""
    parts: list[str] = []
    j = last = i
    while j < stop and len(parts) < 8:
        if lines[j].blank:
            break
        t = lines[j].text.strip("|｜ ").strip()
        if not t or len(t) > 4 or re.search(r"[，。、；：,;:]", t):
            break
        parts.append(t)
        last = j
        j += 1
    name = "".join(parts)
    return (name, last) if len(parts) >= 2 and looks_like_units(name) else None


def _join_wrapped_units(cells: list[str]) -> list[str]:
    out: list[str] = []
    for c in cells:
        if out and out[-1].rstrip().endswith(SEPARATOR_END):
            out[-1] = out[-1] + c
        else:
            out.append(c)
    return out


def _join_wrapped_text(cells: list[str], want: int) -> list[str]:
    cells = list(cells)
    while len(cells) > want:
        for k in range(len(cells) - 1):
            if not cells[k].rstrip().endswith(TERMINAL):
                cells[k : k + 2] = [cells[k] + cells[k + 1]]
                break
        else:
            break
    return cells


def _support_by_period(raws: list[_Raw]) -> bool:
    """Does this table end support cells with 。 and never lead cells?"""
    pairs = [_join_wrapped_units(r.units) for r in raws]
    pairs = [p for p in pairs if len(p) == 2]
    if len(pairs) < 3:
        return False
    lead_dot = sum(p[0].rstrip().endswith("。") for p in pairs) / len(pairs)
    support_dot = sum(p[1].rstrip().endswith("。") for p in pairs) / len(pairs)
    return support_dot >= 0.8 and lead_dot <= 0.1


def _single_is_support(cell: str, by_period: bool) -> bool:
    if by_period:
        return cell.rstrip().endswith("。")
    return "等" in cell or bool(re.match(r"^(相关|有关|各|其他)", cell))


def _join_plain_wraps(cells: list[tuple[str, int, str]], want: int) -> list[tuple[str, int, str]]:
    """Join text cells that end in ， 、 ; : ( (the cell goes on) until there are ``want`` cells."""
    cells = list(cells)
    k = 0
    while len(cells) > want and k < len(cells) - 1:
        (a, la, ka), (b, _, kb) = cells[k], cells[k + 1]
        if ka == kb == "text" and a.rstrip().endswith(WRAPS):
            cells[k : k + 2] = [(a + b, la, "text")]
        else:
            k += 1
    return cells


def _by_position(header: Header, r: _Raw) -> TableRow | None:
    """Read a row whose cells line up with the header, or None."""
    columns = [c for c in header.columns if r.seq is not None or c.kind != "seq"]
    cells = _join_plain_wraps(r.cells, len(columns))
    missing = len(columns) - len(cells)
    if 0 < missing and r.seq is None and all(c.kind in UNIT_KINDS + ("category", "title") for c in columns[:missing]):
        columns = columns[missing:]  # the leading cells were merged from the row above (a lead unit column first)
    if len(cells) != len(columns):
        return None
    for (text, _, kind), col in zip(cells, columns):
        if col.kind == "seq" and kind != "seq":
            return None
        if col.kind in UNIT_KINDS and kind not in ("units", "empty"):
            return None
        if col.kind not in UNIT_KINDS and kind == "units" and not is_none_cell(text):
            return None
    row = TableRow(line=r.line, line_end=r.line_end, seq=r.seq, source_text="\n".join(r.source))
    for (text, line, kind), col in zip(cells, columns):
        if kind == "empty" and col.kind in UNIT_KINDS:
            text = "/"  # a cell printed empty, not one merged from the row above
        assign_cell(header, row, col, text, line)
    return row


def read_cellrows(lines: list[Line], header: Header, stop: int) -> tuple[list[TableRow], int]:
    raws, end = _segment(lines, header, stop)
    return build_rows(header, raws), end


def build_rows(header: Header, raws: list[_Raw]) -> list[TableRow]:
    """Rows rebuilt from the cells of each raw row (by position when they line up, else by kind)."""
    has_seq = bool(header.index("seq"))
    text_cols = [c for c in header.columns if c.kind in ("category", "task", "year", "deadline")]
    categories: set[str] = set()
    table = _TableFacts(
        by_period=_support_by_period(raws),
        numbered_categories=any(r.texts and NUMBERED.match(r.texts[0]) and "。" not in r.texts[0] for r in raws),
    )
    out: list[TableRow] = []
    for r in raws:
        if r.section is not None:
            out.append(TableRow(line=r.line, line_end=r.line_end, section=r.section, source_text=r.source[0]))
            continue
        if has_seq and r.seq is None and not r.units:
            continue  # stray lines after a row (page furniture), not a row of their own
        if r.seq is None and _names_roles_only(r.units):
            continue  # 主办 | 协办 under 承办单位: the second line of the header, not a row
        row = _by_position(header, r)
        if row is None:
            row = _by_kind(header, r, text_cols, categories, table)
        out.append(row)
    return out


def _names_roles_only(units: list[str]) -> bool:
    return bool(units) and all((header_kind(u) or ("",))[0] in UNIT_KINDS for u in units)


_PERSON_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:[、，,][\u4e00-\u9fff]{2,4})*$")


def _person_before_units(header: Header, cells: list[str]) -> bool:
    """The last text cell before the units is a name (2-4 characters each) in a table whose
    column before its unit columns names people (分管领导, 责任领导, 责任人)."""
    first_unit = next((k for k, c in enumerate(header.columns) if c.kind in UNIT_KINDS), 0)
    person_column = first_unit > 0 and header.columns[first_unit - 1].name.endswith(("领导", "责任人", "联系人"))
    last = cells[-1].strip() if len(cells) > 1 else ""
    return person_column and bool(_PERSON_NAME.match(last)) and not looks_like_units(last)


@dataclass
class _TableFacts:
    by_period: bool
    numbered_categories: bool


def _by_kind(header: Header, r: _Raw, text_cols: list, categories: set[str], table: _TableFacts) -> TableRow:
    """A row whose cells do not line up with the header: text cells by count, unit cells by order."""
    years = [c.extra for c in text_cols if c.kind == "year"]
    has_category = any(c.kind == "category" for c in text_cols)
    has_title = bool(header.index("title"))
    has_deadline = any(c.kind == "deadline" for c in text_cols)
    row = TableRow(line=r.line, line_end=r.line_end, seq=r.seq, deadline=r.deadline, source_text="\n".join(r.source))
    cells = list(r.texts)
    cell_lines = list(r.text_lines)
    if has_category and cells:
        first = cells[0]
        is_cat = first in categories or (NUMBERED.match(first) and "。" not in first and len(first) <= 40)
        if not table.numbered_categories and not is_cat and len(cells) == len(text_cols) and len(cells) > 1:
            is_cat = not first.rstrip().endswith(TERMINAL)
        if is_cat and len(cells) > 1:
            row.category = cells.pop(0)
            cell_lines.pop(0)
            categories.add(row.category)
    if has_deadline and len(cells) > 1 and len(cells[-1]) <= 20 and DEADLINE.search(cells[-1]):
        row.deadline = cells.pop()
    if _person_before_units(header, cells):
        row.detail.append(cells.pop())  # 分管领导 徐国江: a person, never the task
        cell_lines.pop()
    cells = _join_wrapped_text(cells, has_title + 1 + len(years))
    if has_title and len(cells) == 2 + len(years):
        row.title = cells.pop(0)  # a row that prints its title (merged rows below it do not)
        cell_lines.pop(0)
    if cells:
        row.task = cells[0]
        row.task_line = cell_lines[0]
        _place_years(row, cells[1:], years)
    for cell in r.after:
        if has_deadline and row.deadline is None and _is_deadline(cell):
            row.deadline = cell
        else:
            row.detail.append(cell)
    _place_units(header, row, _join_wrapped_units(r.units), table.by_period)
    return row


def _place_years(row: TableRow, cells: list[str], years: list[str]) -> None:
    """Per-year cells in column order.  As many cells as years: one each.  Fewer, but at least
    two: they stand in the first years' columns (the later ones printed nothing); a single
    cell may span every year, so it stays detail."""
    if years and (len(cells) == len(years) or 2 <= len(cells) < len(years)):
        row.years = dict(zip(years, cells))
    else:
        row.detail = list(cells)


def _place_units(header: Header, row: TableRow, units: list[str], by_period: bool) -> None:
    has_lead = header.label("lead") is not None
    has_support = header.label("support") is not None
    if len(units) >= 2 and has_lead and has_support:
        row.lead, row.support = units[0], "、".join(units[1:])
    elif len(units) == 1:
        if has_lead and has_support:
            if _single_is_support(units[0], by_period):
                row.support = units[0]
            else:
                row.lead = units[0]
        elif has_lead:
            row.lead = units[0]
        else:
            row.support = units[0]
    elif len(units) >= 2:
        if has_lead:
            row.lead = "、".join(units)
        else:
            row.support = "、".join(units)
