"""Progress records: dated progress entries on tasks, kept in the user's own folder.

The records live in ``<user_home>/progress.sqlite`` (``whodoes.paths.user_home()``:
$WHODOES_HOME or the platform's user data folder), apart from the plan database, which
``whodoes build`` and ``whodoes add`` rebuild and an upgrade replaces.  The file has its own
schema (``PRAGMA user_version`` = ``RECORDS_VERSION``) and is created on the first write.

Entries are only ever added (triggers refuse UPDATE and DELETE).  Each one is keyed by the
task's stable id, ``uid`` = ``<document id>/<n>`` (n: the task's 1-based position in its
document), and carries the task's text hash and the document's sha256, so that it can be
re-attached after the plans change:

1. the task at ``uid`` has the same text (hash): attached there;
2. else a task of the same document has that text (it moved): attached to it;
3. else the entry is an *orphan*: kept, listed by ``whodoes progress --orphans``, and a
   person re-attaches it (``whodoes progress --attach ENTRY TASK_ID``, itself an added row).

Query path: sqlite3 and the standard library only; the progress file is opened only when
it exists (``latest_by_task``).
"""

from __future__ import annotations

import os
import sqlite3
from typing import Literal, overload

from whodoes.errors import DataError, UsageError

RECORDS_NAME = "progress.sqlite"
RECORDS_VERSION = 1
STATUSES = ("done", "on-track", "behind", "not-started")
STATUS_LABELS = {"done": "已完成", "on-track": "正常推进", "behind": "滞后", "not-started": "未启动"}
# words a filled-in ledger may use for a status (checked in this order: 未完成 before 完成)
STATUS_WORDS = (
    ("not-started", ("not-started", "not started", "未启动", "未开始", "尚未启动", "未开展")),
    ("behind", ("behind", "滞后", "进度滞后", "落后", "未完成", "延期")),
    (
        "on-track",
        ("on-track", "on track", "正常推进", "按计划推进", "推进中", "正在推进", "序时推进", "进行中", "有序推进"),
    ),
    ("done", ("done", "已完成", "完成", "办结", "已办结")),
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL,            -- the task's stable id: <document id>/<n>
  document_id TEXT NOT NULL,
  doc_sha256 TEXT,              -- the document's sha256 when the entry was recorded
  text_hash TEXT NOT NULL,      -- text_hash() of the task's text then
  task_text TEXT,               -- the task's text then (for a person re-attaching it)
  date TEXT NOT NULL,           -- the date the progress refers to (YYYY-MM-DD)
  status TEXT,                  -- done | on-track | behind | not-started, or NULL
  note TEXT,                    -- the progress as reported (推进情况)
  reporter TEXT,                -- --by
  source TEXT,                  -- "command line" or the imported file and row
  recorded_at TEXT NOT NULL     -- when whodoes wrote it (UTC)
);
CREATE INDEX IF NOT EXISTS entries_uid ON entries(uid);
CREATE TABLE IF NOT EXISTS attachments (   -- a person re-attaching an entry to another task
  id INTEGER PRIMARY KEY,
  entry_id INTEGER NOT NULL REFERENCES entries(id),
  uid TEXT NOT NULL,
  document_id TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS entries_never_change BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'progress entries are never changed, only added'); END;
CREATE TRIGGER IF NOT EXISTS entries_never_deleted BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'progress entries are never deleted'); END;
CREATE TRIGGER IF NOT EXISTS attachments_never_change BEFORE UPDATE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments are never changed, only added'); END;
"""


# ----------------------------------------------------------------------------------------------
# the stable task id and the text hash


def has_uid_column(conn: sqlite3.Connection) -> bool:
    """Does the plan database carry ``tasks.uid`` (issue 15)?"""
    return any(r[1] == "uid" for r in conn.execute("PRAGMA table_info(tasks)"))


def uid_sql(conn: sqlite3.Connection, alias: str = "t") -> str:
    """The SQL expression of a task's stable id: ``tasks.uid`` where the database has it,
    else the same value computed: ``<document id>/<ordinal>`` (the build numbers a
    document's tasks 1, 2, ... in order, so the ordinal is the 1-based position)."""
    if has_uid_column(conn):
        return f"{alias}.uid"
    return f"({alias}.document_id || '/' || {alias}.ordinal)"


def text_hash(text: str | None) -> str:
    """sha256 (first 16 hex digits) of a task's text with all white space removed."""
    import hashlib

    return hashlib.sha256("".join((text or "").split()).encode("utf-8")).hexdigest()[:16]


def find_task(conn: sqlite3.Connection, ref) -> dict | None:
    """The task a TASK_ID names (``whodoes.query.taskref``: a uid such as ``wulong/3``, or a
    numeric id that names the same task as in the shipped database), or None."""
    from whodoes.query.taskref import find_task_id

    task_id = find_task_id(conn, ref)
    if task_id is None:
        return None
    row = conn.execute(
        f"SELECT t.id, {uid_sql(conn)}, t.document_id, t.text, t.ordinal, d.sha256"
        " FROM tasks t JOIN documents d ON d.id = t.document_id WHERE t.id = ?",
        (task_id,),
    ).fetchone()
    if row is None:
        return None
    return {"id": row[0], "uid": row[1], "document_id": row[2], "text": row[3], "ordinal": row[4], "doc_sha256": row[5]}


# ----------------------------------------------------------------------------------------------
# the file


def records_path() -> str:
    """Where the progress records are: <user_home>/progress.sqlite.

    On Linux the folder is computed here as platformdirs computes it ($XDG_DATA_HOME or
    ~/.local/share, then whodoes): every unit/task query asks whether the file exists, and
    importing platformdirs would cost more than the rest of that question
    (tests/query/test_progress.py checks that both agree)."""
    import sys

    from whodoes.paths import HOME_VAR, user_home

    if not os.environ.get(HOME_VAR, "").strip() and sys.platform.startswith("linux"):
        base = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
        return os.path.join(base, "whodoes", RECORDS_NAME)
    return os.path.join(user_home(), RECORDS_NAME)


@overload
def open_records(path: str | None = None, *, create: Literal[True]) -> sqlite3.Connection: ...
@overload
def open_records(path: str | None = None, *, create: bool = False) -> sqlite3.Connection | None: ...
def open_records(path: str | None = None, *, create: bool = False) -> sqlite3.Connection | None:
    """The progress file, or None when it does not exist (and ``create`` is False)."""
    path = path or records_path()
    if not create and not os.path.isfile(path):
        return None
    if create:
        try:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        except OSError as e:
            raise DataError(f"cannot create the folder of the progress records {path}: {e.strerror or e}") from None
    try:
        conn = sqlite3.connect(path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and create:
            conn.executescript(SCHEMA)
            conn.execute(f"PRAGMA user_version = {RECORDS_VERSION}")
            conn.commit()
        elif version != RECORDS_VERSION:
            conn.close()
            raise DataError(
                f"{path} is not a whodoes progress file of version {RECORDS_VERSION} (it says {version}); "
                "move it aside (it is never overwritten)"
            )
    except sqlite3.DatabaseError as e:
        raise DataError(
            f"cannot read the progress records {path}: {e}; move the file aside (whodoes never overwrites it)"
        ) from None
    conn.row_factory = sqlite3.Row
    return conn


def now_utc() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_date(value) -> str:
    """--date: YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD, a date or datetime); default today."""
    import datetime as dt

    if value is None or str(value).strip() == "":
        return dt.date.today().isoformat()
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip().replace("/", "-").replace(".", "-")
    text = text.replace("年", "-").replace("月", "-").replace("日", "")
    try:
        y, m, d = (int(p) for p in text.split(" ")[0].split("T")[0].split("-"))
        return dt.date(y, m, d).isoformat()
    except (ValueError, TypeError):
        raise UsageError(f"a date is YYYY-MM-DD such as 2024-03-31, not {str(value)[:40]!r}") from None


def check_status(value, *, words: bool = False) -> str | None:
    """--status: one of STATUSES (``words``: also the Chinese words of a filled-in ledger)."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().lower().replace("_", "-")
    if text in STATUSES:
        return text
    if words:
        for status, spelled in STATUS_WORDS:
            if any(w in text for w in spelled):
                return status
    raise UsageError(f"--status must be one of {', '.join(STATUSES)}, not {str(value)[:40]!r}")


def add_entry(
    rec: sqlite3.Connection,
    task: dict,
    note: str | None,
    *,
    date=None,
    status=None,
    by=None,
    source: str = "command line",
) -> int:
    """Add one entry for ``task`` (a ``find_task`` dict); returns its id.  Not committed."""
    cur = rec.execute(
        "INSERT INTO entries (uid, document_id, doc_sha256, text_hash, task_text, date, status, note, reporter,"
        " source, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            task["uid"],
            task["document_id"],
            task.get("doc_sha256"),
            text_hash(task["text"]),
            task["text"],
            check_date(date),
            check_status(status),
            note,
            by,
            source,
            now_utc(),
        ),
    )
    entry = cur.lastrowid
    assert entry is not None  # an INSERT sets it
    return entry


def attach(rec: sqlite3.Connection, entry_id: int, task: dict) -> None:
    """A person re-attaches entry ``entry_id`` to ``task`` (an added row; the entry stays as it was)."""
    if rec.execute("SELECT 1 FROM entries WHERE id = ?", (entry_id,)).fetchone() is None:
        raise UsageError(f"no progress entry {entry_id} (see `whodoes progress --orphans`)")
    rec.execute(
        "INSERT INTO attachments (entry_id, uid, document_id, text_hash, recorded_at) VALUES (?, ?, ?, ?, ?)",
        (entry_id, task["uid"], task["document_id"], text_hash(task["text"]), now_utc()),
    )


# ----------------------------------------------------------------------------------------------
# entries and the tasks they belong to now


def all_entries(rec: sqlite3.Connection) -> list[dict]:
    """Every entry, with the key it is matched by now (its latest attachment, else its own)."""
    rows = [dict(r) for r in rec.execute("SELECT * FROM entries ORDER BY date, id")]
    moved = {r["entry_id"]: r for r in rec.execute("SELECT * FROM attachments ORDER BY id")}
    for e in rows:
        a = moved.get(e["id"])
        e["key"] = (a["uid"], a["document_id"], a["text_hash"]) if a else (e["uid"], e["document_id"], e["text_hash"])
        e["reattached"] = a is not None
    return rows


def place_entries(conn: sqlite3.Connection, entries: list[dict]) -> None:
    """Set each entry's ``task_id`` (the task it belongs to in this database, or None),
    ``attached`` ("same" | "moved" | "re-attached") and, for orphans, ``why``."""
    docs = sorted({e["key"][1] for e in entries})
    by_uid: dict = {}
    by_hash: dict = {}
    known: set = set()
    if docs:
        marks = ",".join("?" * len(docs))
        for tid, uid, doc, text, ordinal in conn.execute(
            f"SELECT t.id, {uid_sql(conn)}, t.document_id, t.text, t.ordinal FROM tasks t"
            f" WHERE t.document_id IN ({marks}) ORDER BY t.document_id, t.ordinal",
            docs,
        ):
            h = text_hash(text)
            by_uid[uid] = (tid, h, ordinal)
            by_hash.setdefault((doc, h), []).append((ordinal, tid))
            known.add(doc)
    for e in entries:
        uid, doc, h = e["key"]
        e["task_id"], e["attached"], e["why"] = None, None, None
        here = by_uid.get(uid)
        if here is not None and here[1] == h:
            e["task_id"], e["attached"] = here[0], "re-attached" if e["reattached"] else "same"
            continue
        same_text = by_hash.get((doc, h))
        if same_text:
            n = int(uid.rpartition("/")[2]) if uid.rpartition("/")[2].isdigit() else 0
            e["task_id"] = min(same_text, key=lambda p: abs(p[0] - n))[1]  # the nearest place
            e["attached"] = "moved"
            continue
        if doc not in known:
            e["why"] = f"document {doc} is not in the database"
        elif here is None:
            e["why"] = f"no task {uid} any more, and no task of {doc} has its text"
        else:
            e["why"] = f"the text of {uid} changed, and no task of {doc} has the old text"


def entries_for_task(conn: sqlite3.Connection, task_id: int, rec: sqlite3.Connection | None = None) -> list[dict]:
    """The entries that belong to task ``task_id`` in this database, oldest first."""
    rec = rec if rec is not None else open_records()
    if rec is None:
        return []
    entries = all_entries(rec)
    place_entries(conn, entries)
    return [e for e in entries if e["task_id"] == task_id]


def orphans(conn: sqlite3.Connection, rec: sqlite3.Connection | None = None) -> list[dict]:
    """The entries no task of this database takes (text changed, document gone)."""
    rec = rec if rec is not None else open_records()
    if rec is None:
        return []
    entries = all_entries(rec)
    place_entries(conn, entries)
    return [e for e in entries if e["task_id"] is None]


def latest_by_task(
    conn: sqlite3.Connection, *, since: str | None = None, until: str | None = None, path: str | None = None
) -> dict[int, dict]:
    """{task id: its latest entry dated ``since``..``until``}, with ``status`` the latest
    status given up to then (an entry without a status keeps the one before).
    Empty when there is no progress file (it is not created)."""
    rec = open_records(path)
    if rec is None:
        return {}
    try:
        entries = all_entries(rec)
    finally:
        rec.close()
    place_entries(conn, entries)
    out: dict[int, dict] = {}
    for e in entries:  # by date, then id: later ones win
        if e["task_id"] is None or (until and e["date"] > until):
            continue
        status = e["status"] or (out.get(e["task_id"]) or {}).get("status")
        if since and e["date"] < since:
            prior = out.setdefault(e["task_id"], {"entry": None, "status": None, "status_date": None})
            if e["status"]:
                prior.update(status=e["status"], status_date=e["date"])
            continue
        prev = out.get(e["task_id"]) or {}
        out[e["task_id"]] = {
            "entry": e,
            "status": status,
            "status_date": e["date"] if e["status"] else prev.get("status_date"),
        }
    return out


def annotate(conn: sqlite3.Connection, rows: list[dict]) -> None:
    """Add ``status`` and ``status_date`` (the latest recorded) to task rows; empty without records."""
    latest = latest_by_task(conn) if rows else {}
    for r in rows:
        got = latest.get(r["id"]) or {}
        r["status"] = got.get("status") or ""
        r["status_date"] = got.get("status_date") or ""
