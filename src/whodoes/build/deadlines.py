"""Deadlines as dates: a 完成时限 / 时间节点 cell, or a deadline phrase in the task text,
read into a due date and a kind, with the text as written kept beside them.

Kinds (``KINDS``):

* ``date``: by a day: 2024年6月底前 -> 2024-06-30, 2025年底前 -> 2025-12-31,
  2025年12月31日前, 2023年上半年 -> 2023-06-30, 年内 -> the end of the plan's first year;
* ``target-year``: a goal for a year, not a deadline written as one: 到2025年，…达到40%,
  or a cell that is only a year (2025年): due the last day of that year;
* ``yearly`` / ``quarterly`` / ``monthly``: 每年, 每季度, 每月 (no single due date; with a
  day, 每年12月底前, the due date is that day in the plan's first year);
* ``ongoing``: 持续推进, 长期坚持, 长期, 常态化 (no due date);
* ``none``: nothing that reads as a deadline.

A cell is read whole; a task's text is searched for the first phrase of the strongest kind
(a dated phrase before a target year before a recurring or ongoing one).  Build path, but
standard library only: ``whodoes due`` needs nothing from here at query time.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

KINDS = ("date", "target-year", "yearly", "quarterly", "monthly", "ongoing", "none")

_Y = r"(?P<y>(?:19|20)\d{2})\s*年"
_M = r"(?P<m>1[0-2]|0?[1-9])\s*月"
_D = r"(?P<d>3[01]|[12]\d|0?[1-9])\s*[日号]"
_BEFORE = r"(?:之?前|以前|止)?"

# dated phrases, most precise first
_DATED = [
    ("day", re.compile(_Y + _M + _D + _BEFORE)),
    ("month", re.compile(_Y + _M + r"(?:份)?(?:底|末|中旬|下旬|上旬)?" + _BEFORE)),
    ("half", re.compile(_Y + r"(?P<h>上半年|下半年)" + r"(?:底|末)?" + _BEFORE)),
    ("quarter", re.compile(_Y + r"(?:第)?(?P<q>[一二三四1-4])\s*季度" + r"(?:末|底)?" + _BEFORE)),
    ("year-end", re.compile(_Y + r"(?:年)?(?:底|末)" + _BEFORE)),
    ("year-before", re.compile(_Y + r"(?:之?前|以前)")),
]
_RANGE = re.compile(r"(?:19|20)\d{2}\s*[-—–~至到]\s*(?P<y>(?:19|20)\d{2})\s*年")
_TARGET = re.compile(
    r"(?:到|至|截至|截止到?)\s*" + _Y + r"(?![底末前]|\d|[上下]半年|第?[一二三四1-4]季度|\s*(?:1[0-2]|0?[1-9])\s*月)"
)
_BARE_YEAR = re.compile(r"^\s*" + _Y + r"\s*$")
_IN_YEAR = re.compile(r"(?:年内|当年|本年度?)(?:完成|底前|内)?")
_RECURRING = [
    ("quarterly", re.compile(r"每(?:个)?季度|按季度?")),
    ("monthly", re.compile(r"每(?:个)?月|按月")),
    ("yearly", re.compile(r"每年(?:度)?")),
]
_RECURRING_DAY = re.compile(r"每年\s*" + _M + r"(?:(?P<d>3[01]|[12]\d|0?[1-9])\s*[日号])?(?:底|末)?" + _BEFORE)
_ONGOING = re.compile(r"持续推进|长期坚持|长期推进|长期|持续开展|持续|常态化|长效")
_NONE_CELL = re.compile(r"^[\s/／\-—–无]*$")


@dataclass(frozen=True)
class Deadline:
    due: str | None  # ISO date, or None (ongoing, recurring without a day, none)
    kind: str  # one of KINDS
    text: str | None  # the cell or the phrase as written


NONE = Deadline(None, "none", None)


def _month_end(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _dated(m: re.Match, how: str) -> str | None:
    y = int(m.group("y"))
    if how == "day":
        month, day = int(m.group("m")), int(m.group("d"))
        if day > calendar.monthrange(y, month)[1]:
            return None
        return f"{y:04d}-{month:02d}-{day:02d}"
    if how == "month":
        return _month_end(y, int(m.group("m")))
    if how == "half":
        return _month_end(y, 6 if m.group("h") == "上半年" else 12)
    if how == "quarter":
        q = "一二三四".find(m.group("q")) + 1 or int(m.group("q"))
        return _month_end(y, 3 * q)
    return f"{y:04d}-12-31"  # year-end, year-before


def _first_dated(text: str) -> tuple[int, Deadline] | None:
    """The earliest-placed dated phrase of ``text``: (position, Deadline)."""
    best: tuple[int, Deadline] | None = None
    taken: list[tuple[int, int]] = []
    for how, rx in _DATED:
        for m in rx.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue  # part of a more precise phrase (2024年6月底前 is not 2024年...)
            due = _dated(m, how)
            taken.append(m.span())
            if due and (best is None or m.start() < best[0]):
                best = (m.start(), Deadline(due, "date", m.group(0).strip()))
    return best


def _recurring(text: str, first_year: int | None) -> Deadline | None:
    m = _RECURRING_DAY.search(text)
    if m:
        month, day = int(m.group("m")), m.group("d")
        due = None
        if first_year:
            due = _month_end(first_year, month) if not day else f"{first_year:04d}-{month:02d}-{int(day):02d}"
        return Deadline(due, "yearly", m.group(0).strip())
    for kind, rx in _RECURRING:
        m = rx.search(text)
        if m:
            return Deadline(None, kind, m.group(0))
    return None


def parse_cell(cell: str | None, first_year: int | None = None) -> Deadline:
    """A 完成时限 / 时间节点 cell, read whole; ``first_year``: the plan's first year (for 年内)."""
    if cell is None or _NONE_CELL.match(cell):
        return NONE
    text = cell.strip()
    found = _first_dated(text)
    if found:
        return Deadline(found[1].due, "date", text)
    m = _RANGE.search(text)
    if m:
        return Deadline(f"{int(m.group('y')):04d}-12-31", "date", text)
    m = _BARE_YEAR.match(text) or _TARGET.search(text)
    if m:
        return Deadline(f"{int(m.group('y')):04d}-12-31", "target-year", text)
    if _IN_YEAR.search(text):
        return Deadline(f"{first_year:04d}-12-31" if first_year else None, "date", text)
    rec = _recurring(text, first_year)
    if rec:
        return Deadline(rec.due, rec.kind, text)
    if _ONGOING.search(text):
        return Deadline(None, "ongoing", text)
    return Deadline(None, "none", text)


def parse_text(text: str | None, first_year: int | None = None) -> Deadline:
    """The deadline phrase of a task's text: a dated phrase (2023年底前完成…), else a target
    year (到2025年，…), else 年内, a recurring phrase (每季度) or an ongoing one (持续推进)."""
    if not text:
        return NONE
    found = _first_dated(text)
    if found:
        return found[1]
    m = _TARGET.search(text)
    if m:
        return Deadline(f"{int(m.group('y')):04d}-12-31", "target-year", m.group(0).strip())
    m = _IN_YEAR.search(text)
    if m and first_year and m.group(0).startswith("年内"):
        return Deadline(f"{first_year:04d}-12-31", "date", m.group(0))
    rec = _recurring(text, first_year)
    if rec:
        return rec
    m = _ONGOING.search(text)
    if m and m.group(0) in ("持续推进", "长期坚持", "长期推进", "常态化"):
        return Deadline(None, "ongoing", m.group(0))
    return NONE


def deadline_of(cell: str | None, text: str | None, first_year: int | None = None) -> Deadline:
    """A task's deadline: its deadline cell when it has one that reads as a deadline, else
    the phrase in its text."""
    from_cell = parse_cell(cell, first_year)
    if from_cell.kind != "none":
        return from_cell
    from_text = parse_text(text, first_year)
    if from_text.kind == "none" and cell and not _NONE_CELL.match(cell):
        return from_cell  # a cell that says something else: kept as written
    return from_text
