"""``whodoes add`` on a big database: add the new documents to it in place, in one SQLite
transaction, instead of writing every row again.

Writing a 10,000-plan database takes minutes however fast the parse cache makes the
parse; adding one plan's rows to it takes a second.  ``patch`` does that when it can be
shown to give what a build would (else it returns None and ``add`` builds as before):

* the database has ``document_keys`` and the ``parse_context`` (reader, curated data) of
  this whodoes, the same base folder, and at least ``PATCH_MIN_DOCUMENTS`` documents
  (below that a full write from the parse cache takes about as long, and keeps the task
  ids in document order);
* every document it holds is still there with the same key (bytes, metadata entry): the
  change is only new documents.

What differs from a full build: the new tasks' numeric ids come after all others
(``tasks.id`` "changes when plans are added" anyway; the stable ``uid`` is what it is in
a build) and units first met in them get the next unit ids.  ``documents.ordinal`` is
renumbered, so every listing is in file-name order as after a build.

**Atomicity.**  All rows are written in one transaction (``BEGIN IMMEDIATE``; SQLite's
rollback journal): readers see the old database until ``COMMIT`` and the new one after.
A kill -9 before ``COMMIT`` leaves a hot journal that SQLite rolls back at the next
read-write open (the next add or build, or a query: whodoes.query.db.connect lets SQLite roll
it back before it reads).  The add's own journal (whodoes.build.transaction) is written just
before ``COMMIT`` with a token that the transaction also writes into ``build_info``: the
next command completes the add (moves the staged files into place) only if the database
holds that token, else it undoes it.

Build path only.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from pathlib import Path

from whodoes.build.phrasebook import PhraseCounter, char_pinyin_rows, phrase_rows
from whodoes.build.pinyinmemo import PinyinMemo, shared_memo
from whodoes.build.pipeline import (
    MAX_SIZE,
    BuildError,
    BuildReport,
    DocReport,
    PlanFile,
    UnitIds,
    _parsed,
    _plan_files,
    _traditional_forms,
    _write_document,
    default_units_file,
    digest,
    document_chars,
    folder_label,
    key_plans,
    load_catalog,
    open_cache,
    parse_context,
    unit_rows,
)
from whodoes.build.store import SCHEMA_VERSION, RowWriter, StoreError
from whodoes.build.transaction import TOKEN_KEY

PATCH_MIN_DOCUMENTS = 50


class Patcher(RowWriter):
    """Writes rows into an open transaction of an existing database (no temporary file)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.next_task_id = (conn.execute("SELECT max(id) FROM tasks").fetchone()[0] or 0) + 1
        self.doc_ordinal = conn.execute("SELECT count(*) FROM documents").fetchone()[0]


def _db_state(db: Path) -> tuple[dict[str, str], dict[str, str]] | None:
    """(document id -> key, build_info) of a database that could be patched, else None."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return None
        tables = {t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"document_keys", "build_info", "tasks_fts", "task_grams", "phrase_counts"} <= tables:
            return None
        keys = dict(conn.execute("SELECT document_id, key FROM document_keys"))
        info = dict(conn.execute("SELECT key, value FROM build_info"))
        if len(keys) != conn.execute("SELECT count(*) FROM documents").fetchone()[0]:
            return None
        return keys, info
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def new_plans(
    sources: Path, db: Path, units_file, *, staged=None, shipped=None, store=None, max_size: int = MAX_SIZE
) -> list[PlanFile] | None:
    """The plans to add to ``db`` in place, or None when it must be built (module docstring)."""
    if not os.path.isfile(db):
        return None
    state = _db_state(db)
    if state is None:
        return None
    keys, info = state
    if len(keys) < PATCH_MIN_DOCUMENTS or info.get("parse_context") != parse_context(units_file):
        return None
    folders = [Path(shipped), sources] if shipped is not None else [sources]
    if info.get("base_folder") != folder_label(folders[0], db):
        return None
    files, metadata = _plan_files(folders, staged)
    plans = [
        PlanFile(p, metadata.get(p), sources if staged is not None and p.parent == Path(staged) else p.parent)
        for p in files
    ]
    key_plans(plans, store, units_file, max_size)
    now = {p.path.stem: p.key for p in plans}
    if any(now.get(doc_id) != key for doc_id, key in keys.items()):
        return None  # a document changed or is gone: a build
    return [p for p in plans if p.path.stem not in keys]


def patch(
    sources: Path,
    db: Path,
    units_file=None,
    *,
    staged=None,
    shipped=None,
    before_commit=None,
    max_size: int = MAX_SIZE,
    jobs=None,
    on_start=None,
    on_document=None,
) -> BuildReport | None:
    """Add the new plans of ``sources`` (with ``staged`` over it) to ``db`` in place; None when
    it must be built instead.  ``before_commit(token)`` runs just before ``COMMIT``."""
    started = time.perf_counter()
    db = Path(os.path.realpath(db))
    units_file = units_file or default_units_file(Path(shipped) if shipped is not None else Path(sources))
    report = BuildReport(out=db)
    store = open_cache(db, report)
    try:
        plans = new_plans(Path(sources), db, units_file, staged=staged, shipped=shipped, store=store, max_size=max_size)
        if plans is None:
            return None
        if on_start:
            on_start(len(plans))
        _apply(db, plans, load_catalog(units_file), units_file, report, store, jobs, before_commit, on_document)
    except (StoreError, sqlite3.Error) as e:
        raise BuildError(f"cannot add to {db}: {e}; the previous database is unchanged") from None
    finally:
        if store is not None:
            store.close()
    report.patched = True
    report.seconds = time.perf_counter() - started
    return report


def _apply(db: Path, plans, catalog, units_file, report: BuildReport, store, jobs, before_commit, on_document):
    """The new documents, their units and characters, in one transaction."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=60)
    try:
        conn.execute("BEGIN IMMEDIATE")
        memo = shared_memo()
        ids = UnitIds(catalog, memo)
        ids.ids = dict(conn.execute("SELECT key, id FROM units"))
        known = set(ids.ids)
        writer = Patcher(conn)
        seen_chars, phrases = set[str](), PhraseCounter()
        for index, d in enumerate(_parsed(plans, store, jobs, report), 1):
            _write_document(writer, d, catalog, ids, report, db)
            writer.add_key(d.id, d.key)
            seen_chars.update(document_chars(d))
            phrases.merge(d.phrase_counts())
            if on_document:
                on_document(d.id, len(d.rows), index)
        _add_units(writer, catalog, ids, known, seen_chars)
        conn.executemany(
            "INSERT OR IGNORE INTO chars_t2s VALUES (?, ?)", sorted(_traditional_forms(seen_chars).items())
        )
        _add_phrases(conn, phrases, memo, seen_chars)
        memo.save()
        _renumber(conn)
        token = secrets.token_hex(16)
        _update_info(conn, db, units_file, token)
        _check(conn, writer, report)
        if before_commit is not None:
            before_commit(token)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def _add_units(writer: Patcher, catalog, ids: UnitIds, known: set[str], seen_chars: set[str]) -> None:
    """The units first met in the new documents, with their names."""
    new = [unit for unit in catalog.units() if unit.key not in known and unit.key in ids.ids]
    units, names = unit_rows(new, ids, seen_chars)
    writer._insert("units", units)
    writer._insert("unit_names", names)


def _add_phrases(conn: sqlite3.Connection, new: PhraseCounter, memo: PinyinMemo, seen_chars: set[str]) -> None:
    """The new documents' phrase counts added to ``phrase_counts``; the phrases they touch
    written again into ``phrases`` as a build would count them; the readings of characters
    that the database had not met."""
    conn.executemany(
        "INSERT INTO phrase_counts VALUES (?, ?, ?) "
        "ON CONFLICT (phrase, several) DO UPDATE SET tasks = tasks + excluded.tasks",
        new.entries(),
    )
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS touched (phrase TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM touched")
    conn.executemany("INSERT OR IGNORE INTO touched VALUES (?)", ((key[1:],) for key in new.counts))
    now = PhraseCounter()
    now.merge(
        dict(
            conn.execute(
                "SELECT CASE WHEN several THEN '+' ELSE '=' END || phrase, tasks FROM phrase_counts "
                "WHERE phrase IN (SELECT phrase FROM touched)"
            )
        )
    )
    conn.executemany(
        "INSERT OR REPLACE INTO phrases (phrase, length, pinyin, initials, tasks) VALUES (?, ?, ?, ?, ?)",
        [tuple(r.values()) for r in phrase_rows(now.phrases(), memo.keys)],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO char_pinyin (char, pinyin, rank) VALUES (?, ?, ?)",
        [tuple(r.values()) for r in char_pinyin_rows(seen_chars, memo.readings, common=False)],
    )


def _renumber(conn: sqlite3.Connection) -> None:
    """documents.ordinal in file-name order, as a build numbers them."""
    order = conn.execute("SELECT id FROM documents ORDER BY file, id").fetchall()
    conn.executemany(
        "UPDATE documents SET ordinal = ? WHERE id = ? AND ordinal IS NOT ?",
        [(n, doc_id, n) for n, (doc_id,) in enumerate(order, 1)],
    )


def _update_info(conn: sqlite3.Connection, db: Path, units_file, token: str) -> None:
    """base_digest over the base folder's documents as they are now; the add's token."""
    info = dict(conn.execute("SELECT key, value FROM build_info"))
    base = conn.execute("SELECT file, sha256 FROM documents WHERE folder = ?", (info.get("base_folder"),)).fetchall()
    conn.execute("INSERT OR REPLACE INTO build_info VALUES ('base_digest', ?)", (digest(base, units_file),))
    conn.execute("INSERT OR REPLACE INTO build_info VALUES (?, ?)", (TOKEN_KEY, token))


def _check(conn: sqlite3.Connection, writer: Patcher, report: BuildReport) -> None:
    """The counts the patch should have made; the report's totals."""
    docs, tasks = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "tasks"))
    if docs != writer.doc_ordinal or conn.execute("SELECT max(id) FROM tasks").fetchone()[0] != writer.next_task_id - 1:
        raise StoreError(f"the patched database holds {docs} documents and {tasks} tasks, not what was written")
    new = {d.id for d in report.documents}
    for doc_id, count, encoding, layouts in conn.execute("SELECT id, task_count, encoding, layouts FROM documents"):  # noqa: B007
        if doc_id not in new:
            report.documents.append(DocReport(doc_id, count, encoding, False, [], False))
    report.rows = tasks
    report.units = conn.execute("SELECT count(*) FROM units").fetchone()[0]
