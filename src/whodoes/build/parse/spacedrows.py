"""Rows of a table whose cells are separated by runs of spaces (a web table copied as text).

    序号 目标任务 责任单位 上半年推进情况
    一、经济社会发展主要预期目标
    1 地区生产总值增长6%以上。 区发展改革委 地区生产总值同比增长2.9%。
    2 第一产业增加值增长5%。 区农业农村委
    区林业局
    第一产业增加值同比增长3.4%。

A row starts at a line that opens with the next 序号; the lines up to the next row
are its cells too (a unit cell holding one unit per line, a cell wrapped onto the
next line).  Each line is cut at the runs of spaces the header uses; the pieces are
then read by kind like a table flattened one cell per line (``cellrows``): text
cells, then unit cells, then the text cells printed after the units (progress,
完成时限), which are detail or the deadline.  A cell with a space inside
("加强水资源保 护") is joined back when the row has more text cells than columns.
"""

from __future__ import annotations

import re

from whodoes.build.cleanup import Line
from whodoes.build.parse.cellrows import TERMINAL, _is_deadline, _Raw, _unit_cell, build_rows
from whodoes.build.parse.headers import Header
from whodoes.build.parse.markers import ATTACHMENT
from whodoes.build.parse.tablerows import TableRow, is_section_line

_ROW_START = re.compile(r"^(\d{1,3})(?:[.．、]\s*|\s+|$)")


def _next_seq(text: str, last: int, after_section: bool) -> int | None:
    m = _ROW_START.match(text)
    if not m:
        return None
    n = int(m.group(1))
    if last < n <= last + 5 or after_section and n == 1:
        return n
    return None


def _slots(r: _Raw) -> int:
    """Columns a raw row has filled: consecutive unit cells make one."""
    n, prev = 0, None
    for _, _, kind in r.cells:
        if not (kind == prev == "units"):
            n += 1
        prev = kind
    return n


_INNER_SPACE = re.compile(r"(?<=[\u4e00-\u9fff，。、；：])\s(?=[\u4e00-\u9fff，。、；：])")


def _add(r: _Raw, piece: str, number: int) -> None:
    if not _unit_cell(piece):
        piece = _INNER_SPACE.sub("", piece)  # a line break inside the cell ("加强水资源保 护")
    if r.units and not _unit_cell(piece):
        r.after.append(piece)
        r.cells.append((piece, number, "text"))
    elif r.texts and _unit_cell(piece):
        r.units.append(piece)
        r.cells.append((piece, number, "units"))
    else:
        r.texts.append(piece)
        r.text_lines.append(number)
        r.cells.append((piece, number, "text"))


def _continue_row(r: _Raw, pieces: list[str], ncols: int) -> bool:
    """Is a line without a 序号 more cells of the current row?"""
    if r.units and all(_unit_cell(p) for p in pieces) and not r.after:
        return True
    if _slots(r) < ncols:
        return True
    if _closes_with_deadline(r, pieces):
        return True
    last = r.cells[-1][0]
    return not last.rstrip().endswith(TERMINAL)  # a wrapped last cell


def _closes_with_deadline(r: _Raw, pieces: list[str]) -> bool:
    """'  3月底' on a line of its own under a row with units: the row's 完成时限 cell, printed
    after a progress cell that wrapped onto the lines before."""
    return bool(r.units) and len(pieces) == 1 and _is_deadline(pieces[0]) and r.deadline is None


def _wrap_last(r: _Raw, text: str) -> None:
    """A line continuing the last cell of a full row."""
    cell, number, kind = r.cells[-1]
    r.cells[-1] = (cell + text, number, kind)
    if kind == "units":
        r.units[-1] += text
    elif r.after:
        r.after[-1] += text
    else:
        r.texts[-1] += text


def _wraps_task(r: _Raw, piece: str) -> bool:
    """A line of text under a row whose task cell stops mid-sentence: the rest of the task."""
    return (
        bool(r.texts)
        and bool(r.units)
        and not r.after
        and not _unit_cell(piece)
        and not r.texts[-1].rstrip().endswith(TERMINAL)
    )


def _wrap_task(r: _Raw, piece: str) -> None:
    r.texts[-1] += _INNER_SPACE.sub("", piece)
    k = next(i for i in range(len(r.cells) - 1, -1, -1) if r.cells[i][2] == "text")
    cell, number, kind = r.cells[k]
    r.cells[k] = (r.texts[-1], number, kind)


def read_spaced(lines: list[Line], header: Header, stop: int) -> tuple[list[TableRow], int]:
    has_seq = bool(header.index("seq"))
    ncols = len([c for c in header.columns if c.kind != "seq"]) + has_seq
    raws: list[_Raw] = []
    cur: _Raw | None = None
    last_seq, after_section = 0, False
    end = header.end
    i = header.end
    while i < stop:
        ln = lines[i]
        t = ln.text
        if not t:
            i += 1
            continue
        if ATTACHMENT.match(t) and len(t) < 60:
            break
        n = _next_seq(t, last_seq, after_section) if has_seq else None
        line_pieces = [p for p in re.split(header.gap, t) if p]
        if not has_seq and len(line_pieces) >= 2 and any(_unit_cell(p) for p in line_pieces[1:]):
            cur = _Raw(ln.number, ln.number, None)  # no 序号 column: a line with a text and a unit cell starts a row
            raws.append(cur)
            pieces = line_pieces
        elif n is not None:
            last_seq, after_section = n, False
            cur = _Raw(ln.number, ln.number, str(n))
            cur.cells.append((str(n), ln.number, "seq"))
            raws.append(cur)
            start = _ROW_START.match(t)  # it matched: it gave n
            rest = t[start.end() :] if start else t
            pieces = [p for p in re.split(header.gap, rest.strip()) if p]
        elif is_section_line(t) and not re.search(r"\s{2,}", t):
            cur, after_section = None, True
            raws.append(_Raw(ln.number, ln.number, None, section=t, source=[ln.raw]))
            i += 1
            continue
        elif cur is not None:
            pieces = [p for p in re.split(header.gap, t) if p]
            if not _continue_row(cur, pieces, ncols):
                break
            if _closes_with_deadline(cur, pieces):
                cur.deadline = pieces[0]
                pieces = []
            elif len(pieces) == 1 and _wraps_task(cur, pieces[0]):
                _wrap_task(cur, pieces[0])
                pieces = []
            elif _slots(cur) >= ncols:
                _wrap_last(cur, t)
                pieces = []
        else:
            break
        for p in pieces:
            _add(cur, p, ln.number)
        cur.line_end = ln.number
        cur.source.append(ln.raw)
        end = i + 1
        i += 1
    while raws and raws[-1].section is not None:
        raws.pop()
    return build_rows(header, raws), end
