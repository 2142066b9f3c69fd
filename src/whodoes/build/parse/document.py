"""Read one document: find its tables, its task paragraphs, or its numbered tasks.

What counts as a task row (docs/SCHEMA.md): each data row of a task table; each
task paragraph that carries a unit clause; and, in a document that has
neither, each numbered task of its task section.  Narrative paragraphs that
repeat a table's tasks without naming units are not task rows.

``parse_document`` also reports what it recognised, so a user can see why a
document yielded no rows (``whodoes docs --verbose``): every table header with
its columns and row count, a header that was not read because it names no
unit column, the unit clauses by form, and, when nothing was found, what was
looked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whodoes.build.cleanup import Line
from whodoes.build.document.model import Table
from whodoes.build.parse.cellrows import read_cellrows
from whodoes.build.parse.docrules import apply_document_rules
from whodoes.build.parse.grid import read_grids
from whodoes.build.parse.headers import Header, find_headers
from whodoes.build.parse.markers import UNIT_LABELS
from whodoes.build.parse.model import TaskRow
from whodoes.build.parse.paragraphs import inline_tasks, numbered_tasks, task_sections
from whodoes.build.parse.spacedrows import read_spaced
from whodoes.build.parse.tablerows import rows_to_tasks
from whodoes.build.parse.tables import read_positional

STYLE_NAMES = {
    "pipe": "pipe table",
    "tabline": "TAB-separated table",
    "tabcell": "TAB-flattened table (one cell per line)",
    "cellline": "table flattened one cell per line",
    "spaced": "table with cells separated by spaces",
}
FORM_NAMES = {
    "labels": "labelled (牵头单位：…)",
    "sentence": "role sentences in brackets (A牵头，B配合)",
    "plain": "plain role sentences (由A牵头，B配合。)",
    "unit-heading": "numbered items under a heading that names their unit",
    "unit-first": "items that open with their unit (1、区住建局。…)",
}


@dataclass
class Parsed:
    rows: list[TaskRow]
    layouts: list[str] = field(default_factory=list)  # human-readable, one per recognised layout
    warnings: list[str] = field(default_factory=list)  # what a person should check (shown in the build log)


def _columns(header: Header) -> str:
    return " | ".join(c.name for c in header.columns)


_WIDE_GAP = re.compile(r"\s{3,}")


def unfold(lines: list[Line]) -> list[Line]:
    """A page copied onto one line, its cells and paragraphs kept apart only by runs of three or
    more spaces (at least eight of them), is read one piece per line, every piece keeping the
    number of its line."""
    out = []
    for ln in lines:
        if len(_WIDE_GAP.findall(ln.text)) < 8:
            out.append(ln)
            continue
        texts = [t for t in _WIDE_GAP.split(ln.text) if t.strip()]
        raws = [r for r in _WIDE_GAP.split(ln.raw) if r.strip()]
        raws = raws if len(raws) == len(texts) else texts
        out += [Line(ln.number, r, t.strip()) for r, t in zip(raws, texts)]
    return out


_LABELS = "|".join(sorted(UNIT_LABELS, key=len, reverse=True))
# a space before an item number (1. / 一、 / （一）) or a unit label: where a paragraph began
_JOINED_BREAK = re.compile(
    rf"[ \t\u3000]+(?=(?:\d{{1,2}}[.．、](?![\d.．])|[一二三四五六七八九十]{{1,3}}、|[(（][一二三四五六七八九十]{{1,3}}[)）]"
    rf"|(?:{_LABELS})[:：])\S)"
)
_JOINED_ITEM = re.compile(r"[ \t\u3000]\d{1,2}[.．、](?![\d.．])\S")


_JOINED_LABEL = re.compile(rf"[ \t\u3000](?:{_LABELS})[:：]")


def _joined(text: str) -> bool:
    """A long line, not a table row, with two numbered items and a unit label after spaces."""
    return (
        len(text) >= 200
        and not re.search(r"[|｜\t]", text)
        and len(_JOINED_ITEM.findall(text)) >= 2
        and bool(_JOINED_LABEL.search(text))
    )


def unjoin(lines: list[Line]) -> list[Line]:
    """A page whose paragraphs were joined into one long line with single spaces
    ('… 一、A县长牵头重点工作 1.全县生产总值增长7.5%… 责任单位：县发改局 2.落实…') is read one
    paragraph per line: it breaks before each item number and unit label that follows a space,
    once the line holds at least two numbered items and a unit label (and is no table row);
    every piece keeps the number of its line."""
    out = []
    for ln in lines:
        if not _joined(ln.text):
            out.append(ln)
            continue
        texts = [t.strip() for t in _JOINED_BREAK.split(ln.text) if t.strip()]
        raws = [r.strip() for r in _JOINED_BREAK.split(ln.raw) if r.strip()]
        raws = raws if len(raws) == len(texts) else texts
        out += [Line(ln.number, r, t) for r, t in zip(raws, texts)]
    return out


def parse_document(lines: list[Line], tables: list[Table] | None = None) -> Parsed:
    """``tables``: the tables of a file format that knows them (cells cleaned, rows with
    their lines in ``lines``); task tables among them are read as grids (``grid``) and
    their lines left out of the line readers."""
    grid_rows: list[TaskRow] = []
    grid_layouts: list[str] = []
    if tables:
        grid_rows, grid_layouts, used = read_grids(tables, lines)
        lines = [Line(ln.number, "", "") if ln.number in used else ln for ln in lines]
    lines = unjoin(unfold(lines))
    parsed = _read(lines, grid_rows, grid_layouts)
    report = apply_document_rules(parsed.rows, lines)
    parsed.layouts += report.layouts
    parsed.warnings += report.warnings
    return parsed


# A page that explains a plan (its title ends in 解读, or it names its 解读机构 / 政策解读单位).
_INTERPRETATION = re.compile(r"^.{0,60}解读[》」]?$|^(?:政策)?解读(?:机构|单位)")


def _read(lines: list[Line], grid_rows: list[TaskRow] | None = None, grid_layouts: list[str] | None = None) -> Parsed:
    headers = find_headers(lines)
    table_rows: list[TaskRow] = list(grid_rows or [])
    layouts: list[str] = list(grid_layouts or [])
    warnings: list[str] = []
    in_tables: set[int] = set()
    for k, header in enumerate(headers):
        where = f"line {lines[header.start].number} ({_columns(header)})"
        if not header.unit_column:
            layouts.append(
                f"a table header at {where} had no unit column (牵头单位 / 责任单位 / 配合单位 ...): its rows were not read"
            )
            continue
        stop = next((h.start for h in headers[k + 1 :]), len(lines))
        if header.style == "cellline":
            raw_rows, end = read_cellrows(lines, header, stop)
        elif header.style == "spaced":
            raw_rows, end = read_spaced(lines, header, stop)
        else:
            raw_rows, end = read_positional(lines, header, stop)
        rows = rows_to_tasks(header, raw_rows)
        in_tables.update(range(header.start, end))
        layouts.append(f"{STYLE_NAMES[header.style]} at {where}: {len(rows)} rows")
        layouts += table_readings(header, rows)
        if not rows:
            warnings.append(f"a table header at {where} was found, but no row below it could be placed in its columns")
        table_rows += rows
    inline, forms = inline_tasks(lines, in_tables)
    if inline:
        by_form = ", ".join(f"{FORM_NAMES[f]} {n}" for f, n in forms.items() if n > 0)
        layouts.append(f"task paragraphs with unit clauses: {len(inline)} rows ({by_form})")
    rows = sorted(table_rows + inline, key=lambda r: r.line)
    if rows:
        return Parsed(rows=rows, layouts=layouts, warnings=warnings)
    if any(_INTERPRETATION.search(ln.text) for ln in lines):
        layouts.append(
            "the page is an interpretation (政策解读) of a plan: its numbered points summarise the plan "
            "and are not read as tasks"
        )
        return Parsed(rows=[], layouts=layouts, warnings=warnings)
    rows = numbered_tasks(lines, in_tables)
    if rows:
        layouts.append(f"numbered tasks without units in the task section: {len(rows)} rows")
        return Parsed(rows=rows, layouts=layouts, warnings=warnings)
    return Parsed(rows=[], layouts=layouts + _why_nothing(lines, headers, in_tables), warnings=warnings)


_STARRED = re.compile(r"[★☆※]|[\u4e00-\u9fff][*＊](?![*＊])")


def table_readings(header: Header, rows: list[TaskRow]) -> list[str]:
    """The readings taken where a table's layout is ambiguous, for ``whodoes docs --verbose``."""
    notes = []
    if header.inferred:
        notes.append(
            "  no header printed above these rows: the columns were read off the rows (a number is the 序号, "
            "the longest text the task, unit lists the unit columns: the first read as the lead, the next as the support)"
        )
    years = header.index("year")
    short = [r for r in rows if 0 < len(r.targets) < len(years)]
    if short:
        notes.append(
            f"  {len(short)} rows print fewer per-year cells than the {len(years)} year columns "
            f"(first at line {short[0].line}): read as the first years' cells, the later years print nothing"
        )
    duals = [c for c in header.columns if c.kind == "dual"]
    if len(duals) >= 2 and header.roles.get(duals[1].extra or "") == "support":
        notes.append(
            f"  two responsibility columns ({duals[0].name} | {duals[1].name}) and no lead or support "
            "label: the first read as the lead, the second as the support"
        )
    starred = [r for r in rows if _STARRED.search(r.source_text)]
    if starred:
        notes.append(
            f"  {len(starred)} rows mark units with ★ / *: the marked unit read as the lead, the others as support"
        )
    return notes


def _why_nothing(lines: list[Line], headers: list[Header], in_tables: set[int]) -> list[str]:
    """What was looked for and not found, for a document that yielded no rows."""
    why = []
    if not any(h.unit_column for h in headers):
        why.append("no task table (a header row naming a task column and a unit column) found")
    why.append("unit clauses found: 0")
    sections = task_sections(lines, in_tables)
    if sections:
        names = "; ".join(f"'{t}' at line {n}" for n, t in sections)
        why.append(f"task section {names} has no numbered items (1. / 1． / （一）)")
    else:
        why.append(
            "no task section heading (重点任务 / 主要任务 / 工作任务 ...) found, "
            "and no numbered items in sections other than 总体要求 / 保障措施 ..."
        )
    return why
