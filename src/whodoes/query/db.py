"""Query-time database access: open read-only with sqlite3, check the schema, diagnose
damage, cache lookups per connection.

Standard library only (this module is on the query path).  Every problem
with the database becomes a ``DataError`` with a one-line message that says
what is wrong and how to rebuild; the CLI turns it into exit code 2.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time

from whodoes.errors import DataError, UsageError, WhodoesError  # noqa: F401  (raised here; re-exported for old callers)
from whodoes.paths import readonly_uri as _uri  # noqa: F401
from whodoes.paths import special_kind
from whodoes.schema import REQUIRED_TABLES, SCHEMA_VERSION  # noqa: E402  (stated once, with the store)

REBUILD_HINT = "rebuild it with `whodoes build` (or `python scripts/build_db.py`)"


def _check_file(path: str) -> None:
    """Missing, a folder, empty, not SQLite or shorter than its header says -> DataError."""
    try:
        info = os.stat(path)
    except PermissionError:  # a folder on the way that may not be searched: not "not found"
        raise DataError(f"cannot reach database {path}: permission denied on a folder of its path") from None
    except (OSError, ValueError):
        raise DataError(f"database not found: {path}; {REBUILD_HINT}, or point --db / WHODOES_DB at one") from None
    if os.path.isdir(path):
        raise DataError(f"database path is a folder: {path}; give the .sqlite file")
    if not stat.S_ISREG(info.st_mode):  # reading a FIFO or /dev/stdin would wait forever
        raise DataError(f"database path is {special_kind(info.st_mode)}, not a file: {path}; give the .sqlite file")
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
        raise DataError(
            f"database is in WAL mode, which whodoes does not read (queries never write): {path}; {REBUILD_HINT}"
        )
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
    _roll_back_killed_add(path)
    try:
        conn = sqlite3.connect(_uri(path), uri=True, factory=GuardedConnection)
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


def _roll_back_killed_add(path: str) -> None:
    """A ``whodoes add`` killed while it patched the database in place (whodoes.build.incremental)
    leaves SQLite's rollback journal beside it; a read-only connection cannot roll it back
    ("attempt to write a readonly database"), so one read-write open lets SQLite do it.
    SQLite's own locks decide: the journal of an add still running is left alone."""
    try:
        if os.path.getsize(path + "-journal") == 0:
            return
    except OSError:
        return  # no journal: the usual case, one stat
    try:
        conn = sqlite3.connect(path, timeout=5)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # not ours to write: the read-only open says what is wrong


QUERY_SECONDS_VAR = "WHODOES_QUERY_SECONDS"
QUERY_SECONDS = 30.0  # a whodoes statement takes milliseconds; one computing this long never ends


class RunawayGuard:
    """SQLite's progress handler for query connections: ends a statement that has computed
    for more than $WHODOES_QUERY_SECONDS seconds of CPU time (default 30; a crafted
    database whose ``documents`` is a view that never ends) and turns Ctrl-C, which Python
    cannot deliver while SQLite runs, into an interrupted statement.  CPU time, counted
    from the statement's ``execute`` (``GuardedConnection``): a loaded machine does not
    stop an honest query.  ``stopped`` says why a statement was ended: the CLI reports it
    (``runaway_error``) instead of SQLite's bare "interrupted"."""

    EVERY = 100_000  # SQLite virtual-machine steps between calls (~1 ms)
    stopped: str | None = None  # "time" | "interrupt", for the last guard that fired
    limit_used = QUERY_SECONDS

    def __init__(self):
        try:
            self.limit = float(os.environ.get(QUERY_SECONDS_VAR) or QUERY_SECONDS)
        except ValueError:
            self.limit = QUERY_SECONDS
        self.start = time.process_time()

    def restart(self) -> None:
        self.start = time.process_time()

    def __call__(self) -> int:
        try:
            if time.process_time() - self.start > self.limit:
                RunawayGuard.stopped, RunawayGuard.limit_used = "time", self.limit
                return 1
        except KeyboardInterrupt:
            RunawayGuard.stopped = "interrupt"
            return 1
        return 0


class GuardedConnection(sqlite3.Connection):
    """A query connection with a ``RunawayGuard``, restarted by every ``execute``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard = RunawayGuard()
        self.set_progress_handler(self.guard, RunawayGuard.EVERY)

    def execute(self, *args, **kwargs):
        self.guard.restart()
        return super().execute(*args, **kwargs)


def runaway_error(e: Exception) -> BaseException | None:
    """After an sqlite3 error: KeyboardInterrupt when Ctrl-C ended the statement, a DataError
    when it ran too long, else None (another error)."""
    why, RunawayGuard.stopped = RunawayGuard.stopped, None
    if why == "interrupt" or (why is None and str(e) == "interrupted"):  # Ctrl-C just before the guard's try
        return KeyboardInterrupt()
    if why == "time":
        return DataError(
            f"a query computed for more than {RunawayGuard.limit_used:g} s and was stopped: the database may be crafted "
            f"or damaged (a view that never ends?); {REBUILD_HINT} (${QUERY_SECONDS_VAR} sets the limit)"
        )
    return None


_opened: list[str] = []  # the databases connect() opened in this process, for diagnose()


def diagnose() -> DataError | None:
    """After an unexpected error in a query: is a database this process opened damaged?

    Runs ``PRAGMA integrity_check`` (milliseconds; unlike quick_check it also finds an index that
    disagrees with its table) only on this error path, so that a damaged
    database that passed the header and schema checks is reported as damaged, not as an
    internal error.  None when every database checks out.
    """
    for path in _opened:
        if not os.path.isfile(path):
            continue
        try:
            conn = sqlite3.connect(_uri(path), uri=True)
            try:
                row = conn.execute("PRAGMA integrity_check(1)").fetchone()  # also index vs table
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
    name lists and jurisdictions a query may look up several times (whodoes.query.jurisdictions,
    whodoes.query.fuzzy)."""
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
    if (
        isinstance(e, UnicodeDecodeError) or "decode to UTF-8" in text
    ):  # sqlite3: "Could not decode to UTF-8 column 'x' ..."
        column = text.split("column '", 1)[1].split("'", 1)[0] if "column '" in text else ""
        return "it holds text that is not UTF-8" + (f" in column {column}" if column else "")
    return " ".join(text.split())


def database_error(e: sqlite3.Error | UnicodeDecodeError) -> DataError:
    """A one-line DataError for an sqlite3 error (or undecodable text) raised while querying."""
    return DataError(f"database error: {_reason(e)}; {REBUILD_HINT}")
