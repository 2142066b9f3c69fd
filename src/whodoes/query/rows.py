"""Task rows: tasks read from the database and assembled into the dicts the queries return.

A row has the task's columns, its document's (title, jurisdiction, period, file: read once
per document), its units as written and canonical (read once per unit), with a year
filter that year's target, and with ``details`` the decoded JSON columns and every unit
cell entry.  The keys are ``TASK_KEYS`` (+ ``DETAIL_KEYS``).
"""

from __future__ import annotations

import sqlite3

from whodoes.query.filters import Filters, filter_sql

# The keys of a task row, in order.  ``year``/``target`` only with a year filter; ``unit``,
# ``unit_jurisdiction``, ``role``, ``as_written`` only in tasks_for_unit rows; ``match`` only in
# search_tasks rows; the keys after ``source_file`` only with details=True.
TASK_KEYS = (
    "id",
    "uid",
    "document",
    "document_title",
    "jurisdiction",
    "period",
    "doc_sha256",
    "level",
    "project",
    "seq",
    "section",
    "category",
    "title",
    "text",
    "detail",
    "deadline",
    "due",
    "due_kind",
    "deadline_text",
    "lead",
    "support",
    "lead_canonical",
    "support_canonical",
    "lead_label",
    "support_label",
    "line",
    "line_end",
    "source_file",
)
DETAIL_KEYS = ("part", "targets", "commanders", "inherited", "lead_raw", "support_raw", "location")


def loads(text: str | None, default):
    """Decode a JSON column; json is imported only for non-trivial values."""
    if text is None or text in ("", "null", "{}", "[]"):
        return type(default)()
    import json

    try:
        value = json.loads(text)
    except ValueError:
        return type(default)()
    return value if isinstance(value, type(default)) else type(default)()


def period(start: int | None, end: int | None) -> str:
    """A plan's period as shown: "2018-2020", or "2020" for one year."""
    if start and end:
        return f"{start}-{end}" if start != end else str(start)
    return str(start or end or "")


def ids_json(ids) -> str:
    """Ids as a JSON array, one parameter for ``json_each`` however many there are."""
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


def _json_strings(values) -> str:
    return "[" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "]"


# The columns of a task row; the document's columns come from ``_documents`` (once per
# document, not once per row).  Rows are read as tuples: sqlite3.Row and its lookups by name
# cost more than the query itself for thousands of rows.
_COLS = (
    "t.id",
    "t.document_id",
    "t.seq",
    "t.section",
    "t.category",
    "t.title",
    "t.text",
    "t.detail",
    "t.deadline",
    "t.lead_label",
    "t.support_label",
    "t.line",
    "t.line_end",
    "t.uid",
    "t.level",
    "t.project",
    "t.due",
    "t.due_kind",
    "t.deadline_text",
)
_N = len(_COLS)
_DETAIL_COLS = ("t.part", "t.targets", "t.commanders", "t.inherited", "t.lead_raw", "t.support_raw", "t.location")


def tuples(conn: sqlite3.Connection, sql: str, args=()) -> list[tuple]:
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(sql, args).fetchall()


def _select(year: int | None, details: bool = True) -> str:
    # the year is a checked int; json_extract spares importing json for one target
    target = f"json_extract(t.targets, '$.\"{int(year)}\"')" if year is not None else "NULL"
    cols = ", ".join((*_COLS, target, *(_DETAIL_COLS if details else ())))
    return f"SELECT {cols} FROM tasks t JOIN documents d ON d.id = t.document_id"


def _documents(conn: sqlite3.Connection, ids) -> dict[str, tuple]:
    """document id -> (title, jurisdiction, period, sha256, file)."""
    rows = tuples(
        conn,
        "SELECT id, title, jurisdiction, period_start, period_end, sha256, file FROM documents"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (_json_strings(ids),),
    )
    return {r[0]: (r[1], r[2], period(r[3], r[4]), r[5], r[6]) for r in rows}


def _records(conn: sqlite3.Connection, rows: list[tuple], *, year: int | None, details: bool) -> dict[int, dict]:
    """Task rows (tuples in the order of ``_select``) -> {id: record}, units attached."""
    docs = _documents(conn, {r[1] for r in rows})
    records: dict[int, dict] = {}
    for r in rows:
        doc = docs.get(r[1]) or (None, None, "", None, None)
        rec = {
            "id": r[0],
            "uid": r[13],
            "document": r[1],
            "document_title": doc[0],
            "jurisdiction": doc[1],
            "period": doc[2],
            "doc_sha256": doc[3],
            "level": r[14],
            "project": r[15],
            "seq": r[2],
            "section": r[3],
            "category": r[4],
            "title": r[5],
            "text": r[6],
            "detail": r[7],
            "deadline": r[8],
            "due": r[16],
            "due_kind": r[17],
            "deadline_text": r[18],
            "lead": [],
            "support": [],
            "lead_canonical": [],
            "support_canonical": [],
            "lead_label": r[9],
            "support_label": r[10],
            "line": r[11],
            "line_end": r[12],
            "source_file": doc[4],
        }
        if year is not None:
            rec["year"] = year
            target = r[_N]
            rec["target"] = target if target is None or isinstance(target, str) else str(target)
        if details:
            rec["part"] = r[_N + 1]
            rec["targets"] = loads(r[_N + 2], {})
            rec["commanders"] = loads(r[_N + 3], [])
            rec["inherited"] = loads(r[_N + 4], [])
            rec["lead_raw"] = r[_N + 5]
            rec["support_raw"] = r[_N + 6]
            rec["location"] = r[_N + 7]  # where in the file: "line 12", "p. 3, table 1, row 5" ...
        records[r[0]] = rec
    _attach_units(conn, records, details=details)
    return records


_NO_UNIT = (None, None, None, None)


def _attach_units(conn: sqlite3.Connection, records: dict[int, dict], *, details: bool) -> None:
    if not records:
        return
    extra = ", position, label, inherited" if details else ""
    rows = tuples(
        conn,
        f"""SELECT task_id, role, name, unit_id{extra} FROM task_units
             WHERE task_id IN (SELECT value FROM json_each(?)) ORDER BY task_id, role, position""",
        (ids_json(records),),
    )
    # each unit once: (canonical name, jurisdiction, kind, key)
    units = {
        r[0]: r[1:]
        for r in tuples(
            conn,
            "SELECT id, name, jurisdiction, kind, key FROM units WHERE id IN (SELECT value FROM json_each(?))",
            (ids_json({r[3] for r in rows if r[3] is not None}),),
        )
    }
    labels: dict[tuple, str] = {}  # (unit id, name as written) -> "城市管理局 (两江新区)"
    for r in rows:
        rec = records.get(r[0])
        role = r[1]
        if rec is None or role not in ("lead", "support"):
            continue
        name = r[2]
        rec[role].append(name)
        label = labels.get((r[3], name))
        if label is None:
            unit = units.get(r[3]) or _NO_UNIT
            canonical = unit[0] or name
            label = labels[r[3], name] = f"{canonical} ({unit[1]})" if unit[1] else canonical
        canonicals = rec[role + "_canonical"]
        if label not in canonicals:
            canonicals.append(label)
        if details:
            unit = units.get(r[3]) or _NO_UNIT
            rec.setdefault("units", []).append(
                {
                    "role": role,
                    "position": r[4],
                    "name": name,
                    "unit_id": r[3],
                    "unit_key": unit[3],
                    "canonical": unit[0] or name,
                    "jurisdiction": unit[1],
                    "kind": unit[2],
                    "label": r[5],
                    "inherited": bool(r[6]),
                }
            )
    if details:
        for rec in records.values():
            rec.setdefault("units", [])


def fetch_tasks(
    conn: sqlite3.Connection,
    ids=None,
    *,
    filters: Filters | None = None,
    year: int | None = None,
    details: bool = True,
    order: str | None = "document",
) -> list[dict]:
    """Task rows for ``ids`` (all tasks when None), filtered, in document order (``order``
    None: in any order, for callers that order the rows themselves).

    ``details`` also decodes targets, commanders and inherited and adds ``units`` (every
    unit cell entry with its canonical unit, label and inherited flag).
    """
    f = filters or Filters(year=year)
    where, args = filter_sql(f)
    sql = _select(f.year, details) + f" WHERE {where}"
    if ids is not None:
        sql += " AND t.id IN (SELECT value FROM json_each(?))"
        args = [*args, ids_json(ids)]
    if order == "document":
        sql += " ORDER BY d.ordinal, t.ordinal, t.id"
    return list(_records(conn, tuples(conn, sql, args), year=f.year, details=details).values())


def fetch_by_id(conn: sqlite3.Connection, ids, *, year: int | None, details: bool) -> dict[int, dict]:
    """{id: task row} for ``ids``, with ``year``'s target (for callers that rank the rows themselves)."""
    if not ids:
        return {}
    return {r["id"]: r for r in fetch_tasks(conn, ids, year=year, details=details, order=None)}
