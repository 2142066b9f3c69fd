"""Table headers: find the header row of each task table and name its columns.

A table is recognised by its header: a run of cells that are all column names
(序号, 工作任务 / 主要内容 / 措施, 牵头单位 / 责任单位 / 配合单位, 2018年任务, 完成时限 ...)
among which a task column.  A few short names we do not know (预期成效) may
stand beside at least three known ones.  The header also tells how the table
was flattened:

* ``pipe``     one row per line, cells separated by ``|`` (or ``｜``);
* ``tabline``  one row per line, cells separated by TABs;
* ``tabcell``  one cell per line, each starting with a TAB;
* ``cellline`` one cell per line with no separator at all.

A pipe or TAB header may take two lines, the second naming the per-year
columns under a spanning cell (年度目标 -> 2023年 | 2024年 | 2025年).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whodoes.build.cleanup import Line
from whodoes.build.parse.markers import (
    DEADLINE_HEADERS,
    assign_roles,
    could_be_header,
    header_kind,
    header_type,
    header_word,
    looks_like_units,
)

UNIT_KINDS = ("lead", "support", "dual")


@dataclass
class Column:
    # seq | category | title | task | year | lead | support | dual | deadline | note | other
    kind: str
    extra: str | None  # the year for "year", the label for unit columns
    name: str


@dataclass
class Header:
    style: str  # pipe | tabline | tabcell | cellline
    start: int  # index into lines of the first header line
    end: int  # index of the first line after the header
    columns: list[Column]
    roles: dict[str, str] = field(default_factory=dict)  # unit label -> lead/support
    unit_column: bool = True  # False: a header without unit columns (reported, not read)
    gap: str = r"\s+"  # spaced tables: the run of spaces that separates cells
    inferred: bool = False  # no header printed: the columns were read off the rows

    def index(self, kind: str) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.kind == kind]

    def label(self, role: str) -> str | None:
        for c in self.columns:
            if c.kind in UNIT_KINDS and c.extra is not None and self.roles.get(c.extra) == role:
                return c.extra
        return None


def columns_of(cells: list[str]) -> list[Column] | None:
    """The columns of a header row, or None when the cells are not all column names.

    Names we do not know (short words) may stand beside at least three known
    ones, as long as they are fewer; their cells are kept as detail.
    """
    cols, unknown = [], 0
    for cell in cells:
        kind = header_kind(cell)
        if kind is None:
            if not could_be_header(cell):
                return None
            kind, unknown = ("other", None), unknown + 1
        cols.append(Column(kind[0], kind[1], header_word(cell)))
    known = len(cols) - unknown
    if known < 2 or unknown and (known < 3 or unknown >= known):
        return None
    cols = _normalise(cols)
    return cols if any(c.kind == "task" for c in cols) else None


def _years_under_their_group(cols: list[Column]) -> list[Column]:
    """A header flattened row by row: 年度目标 in the first row, its years (2018年度 …) at the end
    of the second.  The years stand where their spanning cell stands."""
    groups = [k for k, c in enumerate(cols) if c.kind == "yeargroup"]
    years = [c for c in cols if c.kind == "year"]
    if len(groups) != 1 or not years or cols[-1].kind != "year" or cols[groups[0] + 1].kind == "year":
        return cols
    rest = [c for c in cols if c.kind != "year"]
    k = rest.index(cols[groups[0]])
    return rest[: k + 1] + years + rest[k + 1 :]


def _normalise(cols: list[Column]) -> list[Column]:
    """Give every table one text column ("task"), and at most one "title" column before it.

    * a cell spanning per-year columns (年度目标) is not a column of its own;
    * a category column right of the task column is a task column (重点任务 | 措施);
    * 工作目标 / 指标 columns are the task only when there is no other task column;
    * no task column: the (last) category column holds the task (序号 | 措施 | 责任单位);
    * two task columns (重点任务 | 具体措施): the first is the row's title (filled
      down from merged cells), the second its text; any further one is detail.
    """
    cols = _years_under_their_group(cols)
    cols = [
        c
        for k, c in enumerate(cols)
        if not (c.kind == "yeargroup" and k + 1 < len(cols) and cols[k + 1].kind == "year")
    ]
    for c in cols:
        if c.kind == "yeargroup":
            c.kind = "deadline" if c.name in DEADLINE_HEADERS else "other"
    first = next((k for k, c in enumerate(cols) if c.kind in ("task", "task2")), len(cols))
    for c in cols[first + 1 :]:
        if c.kind == "category":
            c.kind = "task"
    tasks = [c for c in cols if c.kind == "task"]
    for k, c in enumerate(c for c in cols if c.kind == "task2"):
        c.kind = "task" if not tasks and k == 0 else "other"
    tasks = [c for c in cols if c.kind == "task"]
    cats = [c for c in cols if c.kind == "category"]
    if not tasks and cats:
        cats[-1].kind = "task"
    elif len(tasks) >= 2:
        tasks[0].kind = "title"
    if not any(c.kind == "task" for c in cols):
        _text_column_as_task(cols)
    return cols


def _text_column_as_task(cols: list[Column]) -> None:
    """A table with no task column of a known name: the first text column before its unit
    columns holds the task (序号 | 实事项目 | 工作举措 | 责任单位, 序号 | 2022年预期目标 | 责任单位);
    a year column counts only when it is the table's only one."""
    years = [c for c in cols if c.kind == "year"]
    for c in cols:
        if c.kind in UNIT_KINDS:
            return
        if c.kind == "other" and header_kind(c.name) is None or c.kind == "year" and len(years) == 1:
            c.kind, c.extra = "task", None
            return


_PIPE = re.compile(r"[|｜]")
_BREAK = re.compile(r"<br\s*/?>", re.I)


def split_pipe(text: str) -> list[str]:
    """Cells of a pipe row; markdown bold and <br> inside cells are dropped."""
    text = _BREAK.sub("", text).strip()
    cells = [c.strip().strip("*").strip() for c in _PIPE.split(text)]
    if cells and cells[0] == "" and _PIPE.match(text):
        cells = cells[1:]
    if cells and cells[-1] == "" and _PIPE.match(text[-1:]):
        cells = cells[:-1]
    return cells


def has_pipe(text: str) -> bool:
    return bool(_PIPE.search(text))


def tab_cells(ln: Line) -> list[str]:
    """The cells of a TAB-separated line, in clean text (simplified, debris removed);
    each leading TAB is an empty cell."""
    leading = len(ln.raw) - len(ln.raw.lstrip("\t"))
    return [""] * leading + [c.strip() for c in ln.text.split("\t")]


def is_tab_row(ln: Line) -> bool:
    return "\t" in ln.raw.strip("\t ")


def find_headers(lines: list[Line]) -> list[Header]:
    """Every header row of a task table, in order; headers without a unit column are
    returned too (``unit_column`` False) so that the document can say why it read nothing."""
    headers: list[Header] = []
    i, n = 0, len(lines)
    while i < n:
        header = _header_at(lines, i)
        if header is None:
            i += 1
            continue
        headers.append(header)
        i = header.end
    if not any(h.style == "pipe" for h in headers):
        headers += _headerless_pipe_table(lines, headers)
        headers.sort(key=lambda h: h.start)
    for h in headers:
        h.unit_column = any(c.kind in UNIT_KINDS for c in h.columns)
        if not h.roles:
            h.roles = table_roles([c.extra for c in h.columns if c.kind in UNIT_KINDS and c.extra is not None])
    return headers


def _headerless_pipe_table(lines: list[Line], headers: list[Header]) -> list[Header]:
    """Pipe rows with no header above them (an excerpt that starts below it).  The columns are
    read off the rows: a number is the 序号, the longest text the task, a text before it its
    title (category before the 序号), unit lists the unit columns, the first the lead, the next
    the support (the reading a careful person takes without the header's words)."""
    taken = {k for h in headers for k in range(h.start, h.end)}
    start = next((k for k, ln in enumerate(lines) if k not in taken and len(split_pipe(ln.text)) >= 4), None)
    if start is None:
        return []
    rows = [split_pipe(ln.text) for ln in lines[start : start + 8] if has_pipe(ln.text)]
    template = max(rows, key=len)
    kinds = [
        "seq" if re.fullmatch(r"\d{1,3}", c) else "units" if c and looks_like_units(c) else "text" for c in template
    ]
    texts = [k for k, kind in enumerate(kinds) if kind == "text"]
    if len(rows) < 2 or kinds.count("seq") != 1 or "units" not in kinds or not texts:
        return []
    task = max(texts, key=lambda k: len(template[k]))
    seq = kinds.index("seq")
    cols, units = [], 0
    for k, kind in enumerate(kinds):
        if kind == "units":
            cols.append(
                Column("dual" if units == 0 else "support", "责任单位" if units == 0 else "配合单位", "(units)")
            )
            units += 1
        elif kind == "seq":
            cols.append(Column("seq", None, "序号"))
        else:
            name = "task" if k == task else "category" if k < seq else "title" if k < task else "other"
            cols.append(Column(name, None, f"({name})"))
    header = Header("pipe", start, start, cols, roles={"责任单位": "lead", "配合单位": "support"})
    header.inferred = True
    return [header]


def table_roles(labels: list[str]) -> dict[str, str]:
    """The role of each unit column.  Two responsibility columns and no lead or support label
    (责任部门 | 责任街镇): the first is the lead column, the next the support."""
    roles = assign_roles(labels)
    duals = [label for label in labels if header_type(label) == "dual"]
    if len(duals) >= 2 and len(duals) == len(labels) and len(set(duals)) == len(duals):
        roles.update({label: "support" for label in duals[1:]})
    return roles


def _row_cells(ln: Line, style: str) -> list[str]:
    if style == "pipe":
        return split_pipe(ln.text)
    cells = tab_cells(ln)
    while cells and not cells[0]:
        cells.pop(0)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _header_at(lines: list[Line], i: int) -> Header | None:
    ln = lines[i]
    if not ln.text:
        return None
    for style, separated in (("pipe", has_pipe(ln.text)), ("tabline", is_tab_row(ln))):
        if not separated:
            continue
        cells = _row_cells(ln, style)
        two = _two_line(lines, i, style, cells)
        if two:
            return two
        cols = columns_of(cells)
        if cols:
            return Header(style, i, i + 1, cols)
    if re.search(r"\S\s+\S", ln.text):
        spaced = _spaced(lines, i)
        if spaced:
            return spaced
    if not header_kind(ln.text):
        return None
    return _cell_per_line(lines, i)


def _two_line(lines: list[Line], i: int, style: str, first: list[str]) -> Header | None:
    """A header whose second line names the columns under spanning cells of the first."""
    if all(c and header_type(c) not in (None, "yeargroup") for c in first):
        return None
    j = i + 1
    while j < len(lines) and lines[j].blank:
        j += 1
    if j >= len(lines):
        return None
    second = _row_cells(lines[j], style)
    if not any(second) or not all(header_kind(c) for c in second if c):
        return None
    if len(second) == len(first):  # the grid kept: empty cells under / beside spanning ones
        merged = [b or a for a, b in zip(first, second)]
    else:  # only the sub-header cells were printed: they replace the spanning cell
        spans = [k for k, c in enumerate(first) if c and (header_kind(c) or ("",))[0] == "yeargroup"]
        if len(spans) != 1:
            return None
        k = spans[0]
        merged = first[:k] + [c for c in second if c] + first[k + 1 :]
    cols = columns_of([c for c in merged if c])
    if not cols:
        return None
    return Header(style, i, j + 1, cols)


# The second half of header words broken over two lines (责任 / 单位).
_WORD_ENDS = re.compile(r"^(单位|部门|领导|时限|时间|任务|内容|措施|事项|目标|处室|科室|情况|节点|期限)$")


def _spaced(lines: list[Line], i: int) -> Header | None:
    """A header whose cells are separated by runs of spaces ("序号 目标任务 责任单位 推进情况").

    Letter-spaced words ("协助 单位") are joined; a header broken over two lines, the
    second holding only word ends ("责任 配合" / "单位 单位"), is read as one.
    """
    text = lines[i].text
    runs = re.findall(r"(?<=\S)\s+(?=\S)", text)
    gap = r"\s{2,}" if runs and all(len(r) >= 2 for r in runs) else r"\s+"
    tokens = re.split(gap, text.strip())
    end = i + 1
    j = i + 1
    while j < len(lines) and lines[j].blank:
        j += 1
    if j < len(lines) and lines[j].text:
        ends = lines[j].text.split()
        if all(_WORD_ENDS.match(e) for e in ends):
            tokens = _attach_ends(tokens, ends)
            end = j + 1 if tokens else end
    if not tokens or len(tokens) < 3:
        return None
    cols = columns_of(tokens) or columns_of(_join_spaced_letters(tokens))
    if not cols or not any(c.kind in UNIT_KINDS for c in cols):
        return None
    return Header("spaced", i, end, cols, gap=gap)


def _attach_ends(tokens: list[str], ends: list[str]) -> list[str]:
    """Give each word end of the second line to the next first-line word it completes."""
    out, k = list(tokens), 0
    for e in ends:
        while k < len(out) and (header_kind(out[k] + e) is None or header_type(out[k]) in ("seq", "task", "category")):
            k += 1
        if k == len(out):
            return []
        out[k] += e
        k += 1
    return out


def _join_spaced_letters(tokens: list[str]) -> list[str]:
    """'协助 单位' -> '协助单位': join neighbours that make a column name only together."""
    out: list[str] = []
    for t in tokens:
        if out and header_kind(out[-1] + t) and not (header_kind(t) and header_kind(out[-1])):
            out[-1] += t
        else:
            out.append(t)
    return out


_PAREN_LINE = re.compile(r"^[(（](?![一二三四五六七八九十\d]+[)）])[^()（）]{1,20}[)）]?$|^[^()（）]{1,20}[)）]$")


def _cell_per_line(lines: list[Line], i: int) -> Header | None:
    """One header cell per line (with or without a leading TAB), blank lines between."""
    cells: list[str] = []
    last, j, n = i, i, len(lines)
    while j < n:
        if lines[j].blank:
            j += 1
            continue
        t = lines[j].text
        if cells and _PAREN_LINE.match(t):  # 责任股室 / (单位): the rest of the cell above
            cells[-1] += t
            last = j
            j += 1
            continue
        if cells and not header_kind(t) and header_kind(cells[-1] + t) and not header_kind(cells[-1]):
            cells[-1] += t  # 牵头责任 / 部门: a header cell broken over two lines
            last = j
            j += 1
            continue
        if lines[j].empty_cell or not (
            header_kind(t)
            or could_be_header(t)
            and (_next_is_header(lines, j + 1) or header_kind(t + _next_cell(lines, j + 1)))
        ):
            break
        cells.append(t)
        last = j
        j += 1
    cols = columns_of(cells) if len(cells) >= 3 or _unit_and_task(cells) else None
    if not cols:
        return None
    return Header("tabcell" if lines[i].tabbed else "cellline", i, last + 1, cols)


def _next_cell(lines: list[Line], j: int) -> str:
    while j < len(lines) and lines[j].blank:
        j += 1
    return lines[j].text if j < len(lines) else ""


def _unit_and_task(cells: list[str]) -> bool:
    """Two header cells are a table only as a unit column and a task column (相关部门 | 职责分工)."""
    kinds = sorted((header_kind(c) or ("",))[0] for c in cells)
    return len(cells) == 2 and kinds[1] == "task" and kinds[0] in UNIT_KINDS


def _next_is_header(lines: list[Line], j: int) -> bool:
    """Is the next non-blank line a known column name?  (An unknown cell must stand between known ones.)"""
    while j < len(lines) and lines[j].blank:
        j += 1
    return j < len(lines) and header_kind(lines[j].text) is not None
