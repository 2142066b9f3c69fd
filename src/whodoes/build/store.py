"""Store: write the database with sqlite-utils, atomically.

The database is written to a temporary file beside the target
(``.plans.sqlite.<pid>.<random>.tmp``), checked (``PRAGMA integrity_check`` and
the row counts, on the final, vacuumed file), flushed to disk, then renamed
into place with ``os.replace``: readers see the old file or the new one, never
half of one (a reader that opened the old file keeps reading it), and a failed
or interrupted build leaves the old database untouched.  A build that was
killed (kill -9, power loss) leaves its temporary file behind; the next build
beside the same target removes it (``remove_stale``), and no query ever opens
one (queries open the target path only).

Documents are written one at a time (tasks in batches), so memory does not
grow with the corpus.  The schema is described in docs/DESIGN.md; its
version is in ``PRAGMA user_version``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import sqlite_utils

from whodoes import schema
from whodoes.schema import SCHEMA_VERSION

BATCH = 500


class StoreError(Exception):
    pass


def bigrams(text: str) -> str:
    """Space-separated character bigrams of the searchable characters (for 2-character queries)."""
    chars = [c for c in text if c.isalnum()]
    return " ".join(a + b for a, b in zip(chars, chars[1:]))


class RowWriter:
    """Writes documents and their task rows over an open connection: the part of writing
    that a build (``Writer``, a new file) and an add in place (whodoes.build.incremental,
    a transaction of the database) share."""

    conn: sqlite3.Connection
    next_task_id: int  # the id of the next task row
    doc_ordinal: int  # documents written so far (the next one's ordinal - 1)

    # -- rows -----------------------------------------------------------------
    def add_document(
        self, doc: dict, rows: list, resolve, extras: list[dict] | None = None, grams: list[str] | None = None
    ) -> int:
        """Write one document and its task rows; ``resolve(name, jurisdiction)`` gives a unit id;
        ``extras``: per row, more task columns (level, project, due, due_kind, deadline_text);
        ``grams``: per row, its bigrams when they were computed already (whodoes.build.parsed)."""
        self.doc_ordinal += 1
        record = dict(doc)
        record["ordinal"] = self.doc_ordinal
        record["task_count"] = len(rows)
        record["layouts"] = json.dumps(record.get("layouts", []), ensure_ascii=False)
        self._insert("documents", [record])
        jurisdiction = doc.get("jurisdiction")
        tasks, links, gram_rows = [], [], []
        for ordinal, r in enumerate(rows, 1):
            task_id = self.next_task_id
            self.next_task_id += 1
            tasks.append(
                {
                    "id": task_id,
                    "uid": task_uid(doc["id"], ordinal),
                    "document_id": doc["id"],
                    "ordinal": ordinal,
                    "part": r.part,
                    **(extras[ordinal - 1] if extras else {}),
                    "seq": r.seq,
                    "section": r.section,
                    "category": r.category,
                    "title": r.title,
                    "text": r.text,
                    "detail": r.detail,
                    "targets": json.dumps(r.targets, ensure_ascii=False),
                    "deadline": r.deadline,
                    "commanders": json.dumps(r.commanders, ensure_ascii=False),
                    "lead_label": r.lead_label,
                    "support_label": r.support_label,
                    "lead_raw": r.lead_raw,
                    "support_raw": r.support_raw,
                    "inherited": json.dumps(r.inherited),
                    "line": r.line,
                    "line_end": r.line_end,
                    "source_text": r.source_text,
                    "location": r.location,
                }
            )
            for role, names in (("lead", r.lead), ("support", r.support)):
                label = r.lead_label if role == "lead" else r.support_label
                for position, name in enumerate(names, 1):
                    links.append(
                        {
                            "task_id": task_id,
                            "role": role,
                            "position": position,
                            "name": name,
                            "unit_id": resolve(name, jurisdiction),
                            "label": label,
                            "inherited": int(role in r.inherited),
                        }
                    )
            if grams and len(grams) == len(rows):
                gram_rows.append((task_id, grams[ordinal - 1]))
            else:
                searchable = " ".join(x for x in (r.category, r.title, r.text, r.detail) if x)
                gram_rows.append((task_id, bigrams(searchable)))
            if len(tasks) >= BATCH:
                self._flush(tasks, links, gram_rows)
                tasks, links, gram_rows = [], [], []
        self._flush(tasks, links, gram_rows)
        return len(rows)

    def add_key(self, document_id: str, key: str) -> None:
        """A document's parse key (``document_keys``)."""
        self.conn.execute("INSERT INTO document_keys VALUES (?, ?)", (document_id, key))

    def _flush(self, tasks, links, grams) -> None:
        self._insert("tasks", tasks)
        self._insert("task_units", links)
        self.conn.executemany(
            "INSERT INTO tasks_fts(rowid, category, title, text, detail) VALUES (?, ?, ?, ?, ?)",
            [(t["id"], t["category"], t["title"], t["text"], t["detail"]) for t in tasks],
        )
        if grams:
            self.conn.executemany("INSERT INTO task_grams(rowid, grams) VALUES (?, ?)", grams)

    def _insert(self, table: str, rows: list[dict]) -> None:
        """Rows that all have the same keys, with one executemany (sqlite-utils' insert_all
        spends more time building its statements than SQLite spends inserting)."""
        if not rows:
            return
        cols = list(rows[0])
        sql = f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' * len(cols))})"
        self.conn.executemany(sql, [tuple(r[c] for c in cols) for r in rows])


class Writer(RowWriter):
    """Writes one database; use as a context manager around ``add_document`` calls."""

    def __init__(self, out_path: Path):
        self.out_path = Path(os.path.realpath(out_path))  # through a symlink: replace the file it names
        if self.out_path.is_dir():
            raise StoreError(f"{out_path} is a folder; give the path of the .sqlite file")
        self.out_path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(self.out_path)
        settle_journal(self.out_path)
        fd, tmp = tempfile.mkstemp(
            prefix=f"{temp_prefix(self.out_path)}{os.getpid()}.", suffix=".tmp", dir=self.out_path.parent
        )
        os.close(fd)
        self.tmp_path = Path(tmp)
        self.replaced = False
        try:
            self.conn = sqlite3.connect(self.tmp_path)
            self.conn.execute("PRAGMA journal_mode = OFF")
            self.conn.execute("PRAGMA synchronous = OFF")
            self.db = sqlite_utils.Database(self.conn)
            self.next_task_id = 1
            self.doc_ordinal = 0
            self._create_schema()
        except BaseException:
            self.abort()
            raise

    # -- schema ---------------------------------------------------------------
    def _create_schema(self) -> None:
        for name, spec in schema.TABLES.items():
            self.db.table(name).create(spec["columns"], pk=spec.get("pk"), foreign_keys=spec.get("foreign_keys"))
        for statement in schema.CREATE_EXTRA:
            self.conn.execute(statement)

    def add_units(self, units: list[dict], names: list[dict]) -> None:
        self.db.table("units").insert_all(units, batch_size=BATCH)
        self.db.table("unit_names").insert_all(names, batch_size=BATCH)

    def add_bodies(self, types: list[dict], names: list[dict], places: list[dict]) -> None:
        """The general catalogue: body types, their names, places (see ``_create_schema``)."""
        self.db.table("body_types").insert_all(types, batch_size=BATCH)
        self.db.table("type_names").insert_all(names, batch_size=BATCH)
        self.db.table("places").insert_all(places, batch_size=BATCH)

    def add_info(self, info: dict[str, str]) -> None:
        """What the database was built from (whodoes version, digests): ``build_info``."""
        self.db.table("build_info").insert_all(({"key": k, "value": v} for k, v in sorted(info.items())), replace=True)

    def add_chars(self, pairs: dict[str, str]) -> None:
        self.db.table("chars_t2s").insert_all(
            ({"trad": t, "simp": s} for t, s in sorted(pairs.items())), batch_size=BATCH
        )

    def add_phrases(self, phrases: list[dict], char_pinyin: list[dict], counts: list[tuple[str, int, int]]) -> None:
        """The plans' phrases with their pinyin, the characters' readings and every phrase's
        count (whodoes.build.phrasebook)."""
        self._insert("phrases", phrases)
        self._insert("char_pinyin", char_pinyin)
        self.conn.executemany("INSERT INTO phrase_counts VALUES (?, ?, ?)", counts)

    # -- finish -----------------------------------------------------------------
    def _finish_schema(self) -> None:
        db = self.db
        for table, columns, unique in schema.INDEXES:
            db.table(table).create_index(columns, unique=unique)
        self.conn.execute("INSERT INTO task_grams(task_grams) VALUES ('optimize')")
        for view in schema.VIEWS:
            self.conn.executescript(view)
        self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _check(self) -> None:
        """The finished file: integrity_check and the row counts of what was written."""
        check = self.conn.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise StoreError(f"integrity check of the new database failed: {check}")
        counts = {
            "documents": (self.conn.execute("SELECT count(*) FROM documents").fetchone()[0], self.doc_ordinal),
            "tasks": (self.conn.execute("SELECT count(*) FROM tasks").fetchone()[0], self.next_task_id - 1),
        }
        for table, (found, written) in counts.items():
            if found != written:
                raise StoreError(f"the new database holds {found} {table}, {written} were written")
        if self.conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            raise StoreError("the new database has no schema version")

    def commit(self, before_install=None) -> None:
        """Finish, check, flush and move the new database into place; ``before_install(tmp)``
        runs just before the rename, with the new database complete on disk (``whodoes add``
        puts its files in place there: whodoes.build.transaction)."""
        try:
            self._finish_schema()
            self.conn.commit()
            self.conn.execute("VACUUM")
            self._check()
            self.conn.close()
            try:
                mode = os.stat(self.out_path).st_mode & 0o777  # keep the old database's permissions
            except OSError:
                mode = 0o644
            os.chmod(self.tmp_path, mode)
            fsync_path(self.tmp_path)
            if before_install is not None:
                before_install(self.tmp_path)
            os.replace(self.tmp_path, self.out_path)
            self.replaced = True
        except BaseException:
            self.abort()
            raise
        fsync_path(self.out_path.parent)  # the rename itself; best effort

    def abort(self) -> None:
        """Drop the temporary file (the target is untouched)."""
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 - not opened, or already closed
            pass
        if not self.replaced:
            self.tmp_path.unlink(missing_ok=True)

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()


def task_uid(document_id: str, ordinal: int) -> str:
    """A task's stable id: its document's id and its 1-based position in the document
    ("wulong-2019-two-mountains-base-plan/3").  It depends only on the document's text (and
    the reader), not on the other documents, so adding a plan never changes it."""
    return f"{document_id}/{ordinal}"


def temp_prefix(out_path: Path) -> str:
    """The name every temporary file of a build of ``out_path`` starts with."""
    return f".{Path(out_path).name}."


def temp_files(out_path: Path) -> list[Path]:
    """Temporary files of builds of ``out_path`` (running, or left by a killed build)."""
    out_path = Path(out_path)
    try:
        return sorted(out_path.parent.glob(f"{glob_escape(temp_prefix(out_path))}*.tmp"))
    except OSError:
        return []


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _alive(pid: int) -> bool:
    """Is process ``pid`` running (a killed process not yet reaped, a zombie, is not)?"""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: someone else's process
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):  # no /proc (macOS ...): alive, as kill said
        return True


def remove_stale(out_path: Path, max_age: float = 3600.0) -> list[Path]:
    """Remove temporary files that builds of ``out_path`` left behind when they were killed.

    A file is stale when the process named in it (``.plans.sqlite.<pid>.<random>.tmp``)
    is gone; a file without a pid (older builds) when it is older than ``max_age``
    seconds.  A build running at the same time keeps its file.  Returns the removed files.
    """
    removed = []
    prefix = temp_prefix(out_path)
    for path in temp_files(out_path):
        pid_text = path.name[len(prefix) :].split(".", 1)[0]
        try:
            stale = not _alive(int(pid_text)) if pid_text.isdigit() else time.time() - path.stat().st_mtime > max_age
            if stale:
                path.unlink()
                removed.append(path)
        except OSError:
            pass
    return removed


def settle_journal(db_path: Path) -> None:
    """Let SQLite roll back what an add killed while it patched ``db_path`` in place left in
    its rollback journal (whodoes.build.incremental), before a build replaces the file: a hot
    journal left beside a new database would be played into it.  SQLite decides: a journal
    of a transaction still running, or one already settled, is left alone."""
    try:
        if os.path.getsize(f"{db_path}-journal") == 0 or not os.path.isfile(db_path):
            return
    except OSError:
        return
    try:
        conn = sqlite3.connect(db_path, timeout=60)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # not a database: replaced whole


def fsync_path(path: Path) -> None:
    """Flush a file (or a folder: a rename in it) to disk; ignored where not supported."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
