"""Shell completion from the database: unit names, document ids, jurisdictions.

Typer's own completion (``whodoes --install-completion``) calls these through the
``autocompletion=`` callbacks declared with the parameters (``Param(complete=...)`` in
whodoes.cli.commandline and whodoes.cli.app).  Each takes the click context (for ``--db`` typed
earlier on the line) and the word being completed, and returns ``(value, help)`` pairs;
zsh and fish show the help, bash only the values.
A database that cannot be opened completes nothing (completion must never print an error
into the user's prompt).  sqlite3 + stdlib only.
"""

from __future__ import annotations

import sqlite3

MAX_ITEMS = 200


def _connect(ctx=None, db: str | None = None):
    from whodoes.query import db as _db

    if db is None and ctx is not None:
        params = getattr(ctx, "params", None) or {}
        db = params.get("db")
        parent = getattr(ctx, "parent", None)
        if db is None and parent is not None:
            db = (getattr(parent, "params", None) or {}).get("db")
    try:
        return _db.connect(db)
    except Exception:  # noqa: BLE001 - a missing or broken database completes nothing
        return None


def unit_names(conn: sqlite3.Connection, incomplete: str) -> list[tuple[str, str]]:
    """Names (canonical, short forms, former names, as written, and those of the units' types
    of body: 发改委) starting with ``incomplete``,
    each with the unit(s) it names; canonical names first, then by length.

    Prefixes only: Typer keeps just the candidates that start with the word typed, so
    pinyin (cgj) and traditional characters, which ``whodoes unit`` accepts, do not
    complete."""
    text = (incomplete or "").strip()
    sql = """SELECT n.name, n.how, u.name AS unit, u.jurisdiction
               FROM unit_names n JOIN units u ON u.id = n.unit_id
              WHERE substr(n.name, 1, ?) = ?
             UNION ALL  -- the names of the types of body the units are of (发改委, 环保局)
             SELECT t.name, t.how, u.name, u.jurisdiction
               FROM type_names t JOIN units u ON u.type = t.type
              WHERE substr(t.name, 1, ?) = ?
              ORDER BY 1, 4"""
    try:
        rows = conn.execute(sql, (len(text), text, len(text), text)).fetchall()
    except sqlite3.Error:
        return []
    by_name: dict[str, dict] = {}
    for name, how, unit, jurisdiction in rows:
        entry = by_name.setdefault(name, {"canonical": False, "units": []})
        entry["canonical"] = entry["canonical"] or how == "canonical"
        label = f"{unit} ({jurisdiction})" if jurisdiction else unit
        if label not in entry["units"]:
            entry["units"].append(label)
    names = sorted(by_name, key=lambda n: (not by_name[n]["canonical"], len(n), n))
    out = []
    for n in names[:MAX_ITEMS]:
        units = by_name[n]["units"]
        out.append((n, "; ".join(units[:3]) + (" ..." if len(units) > 3 else "")))
    return out


def document_ids(conn: sqlite3.Connection, incomplete: str) -> list[tuple[str, str]]:
    """Document ids starting with ``incomplete`` (else containing it), with their titles."""
    text = (incomplete or "").strip().lower()
    try:
        rows = conn.execute("SELECT id, title FROM documents ORDER BY ordinal, id").fetchall()
    except sqlite3.Error:
        return []
    starts = [(r[0], r[1] or "") for r in rows if r[0].lower().startswith(text)]
    if starts:
        return starts
    return [(r[0], r[1] or "") for r in rows if text in r[0].lower() or text in (r[1] or "").lower()]


def jurisdiction_names(conn: sqlite3.Connection, incomplete: str) -> list[tuple[str, str]]:
    """Jurisdictions (those of the documents and units) starting with ``incomplete``."""
    text = (incomplete or "").strip()
    try:
        rows = conn.execute(
            """SELECT jurisdiction, count(*) FROM documents WHERE jurisdiction IS NOT NULL
               GROUP BY jurisdiction ORDER BY min(ordinal)"""
        ).fetchall()
    except sqlite3.Error:
        return []
    return [(j, f"{n} document{'s' if n != 1 else ''}") for j, n in rows if j.startswith(text)]


# ----------------------------------------------------------------------------------------------
# the callbacks (typer passes ``ctx`` and ``incomplete`` by name)


def _run(kind, ctx, incomplete):
    conn = _connect(ctx)
    if conn is None:
        return []
    try:
        return kind(conn, incomplete or "")
    finally:
        conn.close()


def complete_unit(ctx, incomplete):
    """Completion of ``whodoes unit QUERY``."""
    return _run(unit_names, ctx, incomplete)


def complete_doc(ctx, incomplete):
    """Completion of ``--doc``."""
    return _run(document_ids, ctx, incomplete)


def complete_where(ctx, incomplete):
    """Completion of ``--where``."""
    return _run(jurisdiction_names, ctx, incomplete)


CALLBACKS = {"unit": complete_unit, "doc": complete_doc, "where": complete_where}
