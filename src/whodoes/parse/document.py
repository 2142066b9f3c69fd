"""Read one document: find its tables, its task paragraphs, or its numbered tasks.

What counts as a task row (SCHEMA.md): each data row of a task table; each
task paragraph that carries a unit clause; and, in a document that has
neither, each numbered task of its task section.  Narrative paragraphs that
repeat a table's tasks without naming units are not task rows.

``parse_document`` also reports what it recognised, so a user can see why a
document yielded no rows (``whodoes docs --verbose``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whodoes.cleanup import Line
from whodoes.parse.cellrows import read_cellrows
from whodoes.parse.model import TaskRow
from whodoes.parse.paragraphs import inline_tasks, numbered_tasks
from whodoes.parse.tables import find_headers, read_positional, rows_to_tasks

STYLE_NAMES = {
    "pipe": "pipe table",
    "tabline": "TAB-separated table",
    "tabcell": "TAB-flattened table (one cell per line)",
    "cellline": "table flattened one cell per line",
}


@dataclass
class Parsed:
    rows: list[TaskRow]
    layouts: list[str] = field(default_factory=list)  # human-readable, one per recognised layout


def parse_document(lines: list[Line]) -> Parsed:
    headers = find_headers(lines)
    table_rows: list[TaskRow] = []
    layouts: list[str] = []
    in_tables: set[int] = set()
    for k, header in enumerate(headers):
        stop = headers[k + 1].start if k + 1 < len(headers) else len(lines)
        if header.style == "cellline":
            raw_rows, end = read_cellrows(lines, header, stop)
        else:
            raw_rows, end = read_positional(lines, header, stop)
        rows = rows_to_tasks(header, raw_rows)
        in_tables.update(range(header.start, end))
        cols = " | ".join(c.name for c in header.columns)
        layouts.append(
            f"{STYLE_NAMES[header.style]} at line {lines[header.start].number} ({cols}): {len(rows)} rows"
        )
        table_rows += rows
    inline = inline_tasks(lines, in_tables)
    if inline:
        layouts.append(f"task paragraphs with unit clauses: {len(inline)} rows")
    rows = sorted(table_rows + inline, key=lambda r: r.line)
    if not rows:
        rows = numbered_tasks(lines, in_tables)
        if rows:
            layouts.append(f"numbered tasks without units in the task section: {len(rows)} rows")
        else:
            layouts.append("no task table, no unit clause and no numbered task section found")
    return Parsed(rows=rows, layouts=layouts)
