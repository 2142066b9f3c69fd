"""Which task a reference names: ``whodoes show REF``.

* a uid, ``<document id>/<n>`` (``tasks.uid``: the task's 1-based position in its
  document; it stays the same when plans are added or the database is rebuilt);
* the same with a document-id prefix, ``wulong/3``, when the prefix starts the id of one
  document only (else a UsageError naming the documents it starts);
* an old numeric id (``tasks.id``), which follows the order of all documents and so
  changes when a plan is added: accepted when it names the same task here as in the
  shipped database (or this is the shipped database), else a UsageError naming both uids.

Query path: sqlite3 only.
"""

from __future__ import annotations

import sqlite3

from whodoes.errors import UsageError


def _doc_ids(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY ordinal")]


def document_of_prefix(conn: sqlite3.Connection, prefix: str) -> str | None:
    """The document id ``prefix`` names: the id itself, or the one id it starts; None for none."""
    ids = _doc_ids(conn)
    if prefix in ids:
        return prefix
    hits = [i for i in ids if i.startswith(prefix)]
    if len(hits) > 1:
        raise UsageError(
            f"{prefix!r} starts the ids of {len(hits)} documents ({', '.join(hits[:4])}"
            f"{' ...' if len(hits) > 4 else ''}): write more of the document id"
        )
    return hits[0] if hits else None


def short_prefixes(conn: sqlite3.Connection) -> dict[str, str]:
    """document id -> its shortest prefix, cut at a '-', that starts no other document's id
    (``wulong``, ``liangjiang-2018``): the short form of uids in the terminal table."""
    from whodoes.query.db import cached

    def compute():
        from bisect import bisect_left

        ids = sorted(_doc_ids(conn))  # the ids a prefix starts are a run of the sorted list

        def starting(prefix: str) -> int:
            return bisect_left(ids, prefix + "\U0010ffff") - bisect_left(ids, prefix)

        out = {}
        for i in ids:
            parts = i.split("-")
            out[i] = next(
                (p for n in range(1, len(parts) + 1) if starting(p := "-".join(parts[:n])) == 1),
                i,
            )
        return out

    return cached(conn, "short_prefixes", compute)


def short_uid(prefixes: dict[str, str], uid: str | None, document: str | None) -> str:
    if not uid:
        return ""
    doc, _, n = uid.rpartition("/")
    return f"{prefixes.get(document or doc, doc)}/{n}"


def _shipped_uid(conn: sqlite3.Connection, i: int) -> tuple[bool, str | None]:
    """(is there a shipped database other than ``conn``'s, the uid of id ``i`` in it)."""
    import os

    from whodoes.paths import readonly_uri, shipped_db

    shipped = shipped_db()
    here = next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
    if not os.path.isfile(shipped) or (here and os.path.samefile(shipped, here)):
        return False, None
    try:
        other = sqlite3.connect(readonly_uri(shipped), uri=True)
        try:
            row = other.execute("SELECT uid FROM tasks WHERE id = ?", (i,)).fetchone()
        finally:
            other.close()
    except sqlite3.Error:
        return False, None
    return True, (row[0] if row else None)


def _numeric(conn: sqlite3.Connection, i: int) -> int | None:
    """An old numeric id: the task with that id here, when it is the task with that id in
    the shipped database too (or this is the shipped database); else ambiguous."""
    row = conn.execute("SELECT uid FROM tasks WHERE id = ?", (i,)).fetchone()
    if row is None:
        return None
    other, uid = _shipped_uid(conn, i)
    if other and uid != row[0]:
        there = f"{uid} in the shipped database" if uid else "no task in the shipped database"
        raise UsageError(
            f"numeric id {i} is ambiguous: it is {row[0]} in this database but {there} "
            "(numeric ids change when plans are added); give the uid"
        )
    return i


def find_task_id(conn: sqlite3.Connection, ref) -> int | None:
    """The ``tasks.id`` a reference names (see the module docstring), None when no task."""
    text = str(ref).strip()
    if "/" in text:
        doc, _, n = text.rpartition("/")
        if not (n.isascii() and n.isdigit()) or not doc:
            raise UsageError(f"task id must be a uid such as wulong/3 (document/number), not {text[:60]!r}")
        doc_id = document_of_prefix(conn, doc)
        if doc_id is None or len(n.lstrip("0")) > 18:  # (int() refuses 4,300 digits; no plan has 10^18 tasks)
            return None
        row = conn.execute("SELECT id FROM tasks WHERE uid = ?", (f"{doc_id}/{int(n)}",)).fetchone()
        return row[0] if row else None
    if not (text.isascii() and text.isdigit()):
        raise UsageError(
            f"task id must be a uid such as wulong/3 (document/number) or a whole number such as 42, not {text[:40]!r}"
        )
    if len(text.lstrip("0")) > 19:  # beyond any id (and int() refuses 4,300 digits)
        return None
    i = int(text)
    if i < 1 or i > 2**62:
        return None
    return _numeric(conn, i)
