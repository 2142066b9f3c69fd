"""Query-time database access: open read-only with sqlite3, check the schema, diagnose
damage, cache lookups per connection.

Standard library only (this module is on the query path).  Every problem
with the database becomes a ``DataError`` with a one-line message that says
what is wrong and how to rebuild; the CLI turns it into exit code 2.
"""

from __future__ import annotations

import os
import sqlite3

SCHEMA_VERSION = 2
REQUIRED_TABLES = ("documents", "tasks", "units", "unit_names", "task_units", "chars_t2s", "body_types", "type_names",
                   "places")
REBUILD_HINT = "rebuild it with `whodoes build` (or `python scripts/build_db.py`)"


class WhodoesError(Exception):
    """An error the user caused or can fix; the message is one line. Exit code 2."""

    exit_code = 2


class DataError(WhodoesError):
    """The database is missing, unreadable or of another schema."""


class UsageError(WhodoesError):
    """A bad query or option value; the message names the accepted values."""


def _uri(path: str) -> str:
    """A ``file:`` URI for sqlite3 that opens ``path`` read-only.

    Only the characters that mean something in a URI are escaped (% ? #);
    everything else, including non-ASCII, is passed as it is.
    """
    text = os.path.abspath(path)
    text = text.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    if os.sep != "/":  # pragma: no cover - Windows
        text = "/" + text.replace(os.sep, "/")
    return f"file:{text}?mode=ro"


def _check_file(path: str) -> None:
    """Missing, a folder, empty, not SQLite or shorter than its header says -> DataError."""
    try:
        os.stat(path)
    except PermissionError:  # a folder on the way that may not be searched: not "not found"
        raise DataError(f"cannot reach database {path}: permission denied on a folder of its path") from None
    except (OSError, ValueError):
        raise DataError(f"database not found: {path}; {REBUILD_HINT}, or point --db / WHODOES_DB at one") from None
    if os.path.isdir(path):
        raise DataError(f"database path is a folder: {path}; give the .sqlite file")
    try:
        with open(path, "rb") as f:
            head = f.read(100)
            size = os.fstat(f.fileno()).st_size
    except OSError as e:
        raise DataError(f"cannot read database {path}: {e.strerror}") from None
    if not head:
        raise DataError(f"database is empty: {path}; {REBUILD_HINT}")
    if not head.startswith(b"SQLite format 3\x00"):
        raise DataError(f"not an SQLite database: {path}; {REBUILD_HINT}")
    if len(head) < 100:
        raise DataError(f"database is truncated: {path}; {REBUILD_HINT}")
    if head[18] == 2 or head[19] == 2:  # WAL: reading it would create -wal/-shm files beside it
        raise DataError(f"database is in WAL mode, which whodoes does not read (queries never write): {path}; {REBUILD_HINT}")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    # the page count in the header is valid when "version-valid-for" equals the change counter
    if head[92:96] == head[24:28] and pages and size < pages * page_size:
        raise DataError(f"database is truncated ({size} of {pages * page_size} bytes): {path}; {REBUILD_HINT}")


def connect(path: str | os.PathLike | None = None, *, check: bool = True) -> sqlite3.Connection:
    """Open the database read-only; check the file, the schema version and the tables.

    ``path`` defaults to ``whodoes.paths.default_db()`` ($WHODOES_DB, the
    checkout's data/plans.sqlite, or <prefix>/share/whodoes/plans.sqlite).
    Rows come back as ``sqlite3.Row``.
    """
    if path is None or str(path).strip() == "":
        from whodoes.paths import default_db

        path = default_db()
    path = os.path.expanduser(os.fspath(path))
    _check_file(path)
    try:
        conn = sqlite3.connect(_uri(path), uri=True)
    except sqlite3.Error as e:
        raise DataError(f"cannot open database {path}: {e}; {REBUILD_HINT}") from None
    conn.row_factory = sqlite3.Row
    if check:
        try:
            _check_schema(conn, path)
        except BaseException:
            conn.close()
            raise
    if path not in _opened:
        _opened.append(path)
    return conn


_opened: list[str] = []  # the databases connect() opened in this process, for diagnose()


def diagnose() -> DataError | None:
    """After an unexpected error in a query: is a database this process opened damaged?

    Runs ``PRAGMA quick_check`` (a few ms) only on this error path, so that a damaged
    database that passed the header and schema checks is reported as damaged, not as an
    internal error.  None when every database checks out.
    """
    for path in _opened:
        if not os.path.isfile(path):
            continue
        try:
            conn = sqlite3.connect(_uri(path), uri=True)
            try:
                row = conn.execute("PRAGMA quick_check(1)").fetchone()
            finally:
                conn.close()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as e:
            return DataError(f"database is damaged ({_reason(e)}): {path}; {REBUILD_HINT}")
        if row is not None and row[0] != "ok":
            first = " ".join(str(row[0]).replace("*** in database main ***", "").split())[:120]
            return DataError(f"database is damaged ({first}): {path}; {REBUILD_HINT}")
    return None


def _check_schema(conn: sqlite3.Connection, path: str) -> None:
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    except (sqlite3.DatabaseError, UnicodeDecodeError) as e:  # (text that is not UTF-8: damaged bytes)
        raise DataError(f"database is damaged ({_reason(e)}): {path}; {REBUILD_HINT}") from None
    if version != SCHEMA_VERSION:
        if version == 0 and not names & set(REQUIRED_TABLES):
            raise DataError(f"not a whodoes database (no whodoes tables): {path}; {REBUILD_HINT}")
        raise DataError(
            f"database schema version is {version}, this whodoes reads version {SCHEMA_VERSION}: {path}; {REBUILD_HINT}"
        )
    missing = [t for t in REQUIRED_TABLES if t not in names]
    if missing:
        raise DataError(f"database lacks table(s) {', '.join(missing)}: {path}; {REBUILD_HINT}")


_CACHE: dict = {}  # one connection's cached lookups: {"conn": ..., "version": ..., key: value}


def cached(conn: sqlite3.Connection, key, compute):
    """``compute()`` once per connection (and per change of the database under it): the
    name lists and jurisdictions a query may look up several times (whodoes.jurisdictions,
    whodoes.fuzzy)."""
    try:
        version = conn.execute("PRAGMA data_version").fetchone()[0]
    except sqlite3.Error:
        return compute()
    if _CACHE.get("conn") is not conn or _CACHE.get("version") != version:
        _CACHE.clear()
        _CACHE.update(conn=conn, version=version)
    if key not in _CACHE:
        _CACHE[key] = compute()
    return _CACHE[key]


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    return row is not None


def _reason(e: Exception) -> str:
    text = str(e)
    if isinstance(e, UnicodeDecodeError) or "decode to UTF-8" in text:  # sqlite3: "Could not decode to UTF-8 column 'x' ..."
        column = text.split("column '", 1)[1].split("'", 1)[0] if "column '" in text else ""
        return "it holds text that is not UTF-8" + (f" in column {column}" if column else "")
    return " ".join(text.split())


def database_error(e: sqlite3.Error | UnicodeDecodeError) -> DataError:
    """A one-line DataError for an sqlite3 error (or undecodable text) raised while querying."""
    return DataError(f"database error: {_reason(e)}; {REBUILD_HINT}")
