"""A table body row: its cells assigned to columns, then made a task with merged cells filled down.

Every table reader (``tables`` for pipe / TAB tables, ``cellrows`` for tables
flattened one cell per line) produces ``TableRow``s; ``rows_to_tasks`` turns
them into TaskRows the same way for all of them:

* a section row (一、… alone in a row, or 一 | title in the 序号 column) sets the
  section of the rows below it;
* an empty category, title or unit cell was merged with the cell above: its
  value is filled down, and a filled-down unit cell is marked inherited; "/"
  means printed empty, never filled down;
* in a table with one unit column, a cell may state the roles itself
  ("A（牵头）、B", "牵头单位：A；配合单位：B", "A牵头，B配合").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whodoes.build.parse.clauses import roles_in_cell
from whodoes.build.parse.headers import UNIT_KINDS, Column, Header
from whodoes.build.parse.markers import HEADING_1, HEADING_2, LEAD_MARKS, SECTION_SEQ, is_none_cell, split_pieces
from whodoes.build.parse.model import TaskRow
from whodoes.build.parse.split import split_units


@dataclass
class TableRow:
    """A body row with its cells assigned: a section row has only ``section``."""

    line: int
    line_end: int
    task_line: int | None = None  # the line where the task text starts (the row's "line")
    seq: str | None = None
    section: str | None = None
    category: str | None = None
    title: str | None = None
    task: str | None = None
    years: dict[str, str] = field(default_factory=dict)
    detail: list[str] = field(default_factory=list)
    deadline: str | None = None
    lead: str | None = None  # None: merged from above; "" : printed empty ("/")
    support: str | None = None
    source_text: str = ""


def section_cell(cells: list[str]) -> str | None:
    """A row that only names a section: one filled cell "一、…" / "（一）…", or a
    Chinese number in the 序号 cell beside a title ("一 | 推进产业绿色转型 | | |")."""
    filled = [c.strip() for c in cells if c.strip()]
    if len(filled) == 1 and is_section_line(filled[0]):
        return filled[0]
    if len(filled) == 2 and cells and SECTION_SEQ.match(cells[0].strip()) and len(filled[1]) < 40:
        number = cells[0].strip()
        return number + filled[1] if number[-1] in "、.．)）" else f"{number}、{filled[1]}"
    return None


def is_section_line(text: str) -> bool:
    return bool(HEADING_1.match(text) or HEADING_2.match(text)) and len(text) < 40


def assign_cell(header: Header, row: TableRow, col: Column, cell: str, cell_line: int) -> None:
    """Put one cell of a body row where its column says; "/" means printed empty."""
    if col.kind in UNIT_KINDS:
        value = "" if is_none_cell(cell) else (cell or None)
        if col.extra is not None and header.roles.get(col.extra) == "lead":
            row.lead = value
        else:
            row.support = value
        return
    cell = cell.replace("\n", "")
    if col.kind == "seq":
        row.seq = cell or None
    elif col.kind == "category":
        row.category = cell or None
    elif col.kind == "title":
        row.title = cell or None
    elif col.kind == "task":
        if row.task is None:
            row.task = cell or None
            row.task_line = cell_line
        elif cell:
            row.detail.append(cell)
    elif col.kind == "year":
        if cell and not is_none_cell(cell) and col.extra is not None:
            row.years[col.extra] = cell
    elif col.kind == "deadline":
        row.deadline = None if is_none_cell(cell) else (cell or None)
    elif col.kind == "other":
        if cell and not is_none_cell(cell):
            row.detail.append(cell)


def _starred_lead(r: TableRow) -> None:
    """A lead cell marking its lead unit (A*、B) beside a support column: the unmarked ones support."""
    pieces = [p.strip() for p in split_pieces(r.lead or "") if p.strip()]
    starred = [p for p in pieces if p[:1] in LEAD_MARKS or p[-1:] in LEAD_MARKS]
    if starred and len(starred) < len(pieces):
        rest = [p for p in pieces if p not in starred]
        r.lead = "、".join(p.strip(LEAD_MARKS) for p in starred)
        r.support = "、".join(rest + ([r.support] if r.support else []))


@dataclass
class _Columns:
    """What the header says about how a row becomes a task."""

    lead_label: str | None
    support_label: str | None
    title_layout: bool  # the task column is named like a title (工作任务, 任务名称, 项目名称)
    title_column: bool
    category_column: bool

    @classmethod
    def of(cls, header: Header) -> _Columns:
        return cls(
            lead_label=header.label("lead"),
            support_label=header.label("support"),
            title_layout=any(
                c.kind == "task" and c.name in ("工作任务", "任务名称", "项目名称") for c in header.columns
            ),
            title_column=bool(header.index("title")),
            category_column=bool(header.index("category")),
        )


@dataclass
class _FilledDown:
    """The values merged cells carry down: those of the rows above."""

    section: str | None = None
    category: str | None = None
    title: str | None = None
    lead: str | None = None
    support: str | None = None

    def take(self, r: TableRow, cols: _Columns) -> list[str]:
        """Take the row's own cells; returns the unit cells it inherits from above."""
        if r.category:
            self.category = r.category
        if r.title:
            self.title = r.title
        inherited = []
        if r.lead is None and cols.lead_label is not None:
            if self.lead is not None:
                inherited.append("lead")
        else:
            self.lead = r.lead
        if r.support is None and cols.support_label is not None:
            if self.support is not None:
                inherited.append("support")
        else:
            self.support = r.support
        return inherited


def _own_roles(r: TableRow, cols: _Columns) -> str | None:
    """A unit cell stating the roles itself (one unit column: "牵头单位：A；配合单位：B") or
    a starred lead (two columns); returns the label of the row's support units."""
    if cols.support_label is None and r.lead:
        roles = roles_in_cell(r.lead)
        if roles:
            r.lead, r.support, label = roles
            return label
    elif r.lead and cols.support_label is not None:
        _starred_lead(r)
    return cols.support_label


def _task_row(
    r: TableRow, above: _FilledDown, cols: _Columns, inherited: list[str], support_label: str | None
) -> TaskRow:
    text = r.task or (r.detail.pop(0) if r.detail else next(iter(r.years.values())))
    lead, support = above.lead, above.support
    return TaskRow(
        part="table",
        text=text,
        title=above.title if cols.title_column else (r.task if cols.title_layout else None),
        seq=r.seq,
        section=above.section,
        category=above.category if cols.category_column or not cols.title_column else above.title,
        detail="\n".join(r.detail) or None,
        targets=dict(r.years),
        deadline=r.deadline,
        lead_raw=lead or None,
        support_raw=support or None,
        lead=split_units(lead),
        support=split_units(support),
        lead_label=cols.lead_label,
        support_label=support_label if support else cols.support_label,
        inherited=inherited,
        line=r.task_line or r.line,
        line_end=r.line_end,
        source_text=r.source_text,
    )


def rows_to_tasks(header: Header, rows: list[TableRow]) -> list[TaskRow]:
    """Fill merged cells down (category, title, lead, support) and make TaskRows."""
    cols = _Columns.of(header)
    out: list[TaskRow] = []
    above = _FilledDown()
    for r in rows:
        if r.section is not None:
            above.section, above.category, above.title = r.section, None, None
            continue
        if not r.task and not r.detail and not r.years:
            continue
        support_label = _own_roles(r, cols)
        inherited = above.take(r, cols)
        out.append(_task_row(r, above, cols, inherited, support_label))
    _split_run_together(out)
    return out


def _split_run_together(rows: list[TaskRow]) -> None:
    """A unit cell written without separators ('文化宣传股文化馆') that is two names the same
    table prints apart elsewhere ('文化宣传股', '文化馆') is those two names."""
    known = {n for r in rows for n in r.lead + r.support}
    for r in rows:
        r.lead, r.support = _apart(r.lead, known), _apart(r.support, known)


def _apart(names: list[str], known: set[str]) -> list[str]:
    out = []
    for n in names:
        cut = next((k for k in range(3, len(n) - 2) if n[:k] in known and n[k:] in known), None)
        out += [n[:cut], n[cut:]] if cut else [n]
    return out
