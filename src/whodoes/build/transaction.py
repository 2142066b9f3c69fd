"""The sources folder as a transaction: ``whodoes add`` and ``whodoes build`` of one folder
take turns, and an ``add`` stopped at any moment (Ctrl-C, SIGTERM, kill -9, power loss)
leaves the plan files, metadata.toml and the database in agreement: the new document is
in all three or in none.

* **Lock.**  ``SOURCES/.whodoes.lock``, an exclusive ``flock`` held for the whole command
  (re-entrant within one process: ``add`` holds it and calls ``build``).  A second command
  on the folder waits, saying so on stderr.  The file is removed on release (a waiter
  that locked a removed file tries again), so a folder at rest holds no lock file.  A
  folder that cannot be written (an installation's sources) is built without a lock:
  nothing can add to it either.
* **Staging.**  ``add`` copies the new files and writes the new metadata.toml into
  ``SOURCES/.whodoes-add/`` (hidden: builds never read it as a plan).  The build reads the
  folder with the staged files over it (``build(staged=...)``) and writes the new database
  to a temporary file.  Until then nothing the user had has changed.
* **Commit.**  When the new database is checked and on disk, ``commit`` writes the journal
  ``SOURCES/.whodoes-add.journal`` (what to move where, written atomically), moves the
  staged files and metadata.toml into place, and the build renames the new database over
  the old; then ``finish`` removes the journal and the staging folder.  SIGINT and SIGTERM
  wait until the commit is done (``SignalHold``).
* **In place.**  An add to a big database patches it in one SQLite transaction instead
  (whodoes.build.incremental): the journal is written just before that COMMIT and names a token
  the COMMIT writes into the database; the files move after it.
* **Recovery.**  Whoever takes the lock next (``add`` or ``build``) first looks: a journal
  means the commit had begun, so it is completed (the remaining renames; roll forward) --
  for an add in place only when the database holds the journal's token, else undone;
  a staging folder without a journal means it had not, so the staging folder is removed
  (roll back: the old files, metadata and database were never touched).

Build path only (imports fcntl and json).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from whodoes.build.store import fsync_path

LOCK_NAME = ".whodoes.lock"
STAGING_NAME = ".whodoes-add"
JOURNAL_NAME = ".whodoes-add.journal"
METADATA_FILE = "metadata.toml"

_held: dict[str, list] = {}  # real path of a locked folder -> [fd or None, depth, notes]


class LockError(Exception):
    """The folder cannot be locked (it cannot be written)."""


def _holder(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            pid = f.read(20).strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


def _acquire(folder: Path, on_wait, required: bool) -> int | None:
    """An fd holding the exclusive lock on ``folder``; None when the folder cannot be
    written and ``required`` is False."""
    path = str(folder / LOCK_NAME)
    waited = False
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as e:
            if not required and isinstance(e, (PermissionError, OSError)) and e.errno in (1, 13, 30):
                return None  # EPERM, EACCES, EROFS: a folder nobody adds to
            raise LockError(f"cannot lock the sources folder {folder}: {e.strerror or e}") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None and not waited:
                    on_wait(f"waiting for another whodoes add or build of {folder}{_holder(path)} to finish ...")
                waited = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            mine = os.fstat(fd)
            try:
                now = os.stat(path)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_ino, now.st_dev) == (mine.st_ino, mine.st_dev):
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the holder removed the file as it let go: lock the new one


def _release(folder: Path, fd: int | None) -> None:
    if fd is None:
        return
    try:
        os.unlink(folder / LOCK_NAME)  # while still holding it (see _acquire)
    except OSError:
        pass
    os.close(fd)


@contextmanager
def locked(folder, *, on_wait=None, required: bool = True):
    """Hold the folder's lock; yields the notes of what recovery did (see the module
    docstring).  Re-entrant: an inner ``locked`` of the same folder just yields []."""
    folder = Path(folder)
    key = os.path.realpath(folder)
    if key in _held:
        _held[key][1] += 1
        try:
            yield []
        finally:
            _held[key][1] -= 1
        return
    fd = _acquire(folder, on_wait, required)
    _held[key] = [fd, 1]
    try:
        notes = recover(folder) if fd is not None else []
        yield notes
    finally:
        del _held[key]
        _release(folder, fd)


# ----------------------------------------------------------------------------------------------
# staging, commit, recovery


def staging_dir(folder: Path) -> Path:
    """A fresh, empty staging folder (anything left there belongs to no transaction)."""
    staging = Path(folder) / STAGING_NAME
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def _write_journal(folder: Path, data: dict) -> None:
    journal = folder / JOURNAL_NAME
    tmp = folder / (JOURNAL_NAME + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, journal)
    fsync_path(folder)


def commit(folder: Path, files: list[str], db: Path, db_tmp: Path) -> None:
    """The point of no return (called with the new database checked and on disk, before it
    is renamed): the journal, then the staged files and metadata.toml into place."""
    folder = Path(folder)
    _write_journal(folder, {"pid": os.getpid(), "files": list(files), "db": str(db), "db_tmp": str(db_tmp)})
    _roll_forward(folder, files, None, None)


def journal_in_place(folder: Path, files: list[str], db: Path, token: str) -> None:
    """An add that patches the database in place (whodoes.build.incremental): the journal, written
    just before the database's COMMIT, names the token that COMMIT makes durable; the files
    are moved once it is done (``roll_forward_files``)."""
    _write_journal(Path(folder), {"pid": os.getpid(), "files": list(files), "db": str(db), "token": token})


def roll_forward_files(folder: Path, files: list[str]) -> None:
    """After the COMMIT of an add in place: the staged files and metadata.toml into place."""
    _roll_forward(Path(folder), files, None, None)


def _roll_forward(folder: Path, files: list[str], db: str | None, db_tmp: str | None) -> None:
    staging = folder / STAGING_NAME
    for name in [*files, METADATA_FILE]:
        staged = staging / name
        if staged.exists():
            os.replace(staged, folder / name)
    if db and db_tmp and os.path.exists(db_tmp):
        os.replace(db_tmp, db)
        fsync_path(Path(db).parent)
    fsync_path(folder)


def finish(folder: Path) -> None:
    """After the commit: the journal and the staging folder go."""
    folder = Path(folder)
    try:
        os.unlink(folder / JOURNAL_NAME)
    except FileNotFoundError:
        pass
    fsync_path(folder)
    shutil.rmtree(folder / STAGING_NAME, ignore_errors=True)


def abandon(folder: Path) -> None:
    """Before the commit: drop what was staged (nothing else was touched)."""
    shutil.rmtree(Path(folder) / STAGING_NAME, ignore_errors=True)


def committing(folder: Path) -> bool:
    return (Path(folder) / JOURNAL_NAME).exists()


def recover(folder: Path) -> list[str]:
    """Complete or undo what an ``add`` stopped half-way left (see the module docstring);
    returns one note per thing done."""
    folder = Path(folder)
    journal = folder / JOURNAL_NAME
    notes = []
    try:
        (folder / (JOURNAL_NAME + ".tmp")).unlink()  # a journal never finished: the commit had not begun
    except FileNotFoundError:
        pass
    if journal.exists():
        try:
            data = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:  # never half-written (renamed into place): changed by hand
            raise LockError(
                f"{journal} cannot be read ({e}); the staged files are in {folder / STAGING_NAME}: "
                "move them into place by hand, or remove both to undo the add"
            ) from None
        if "token" in data and not _token_committed(data):  # in place, stopped before its COMMIT
            _undo_in_place(folder)
            notes.append(
                f"undid an add of {', '.join(data.get('files') or ['metadata.toml'])} that was stopped "
                "before its database was changed"
            )
            return notes
        _roll_forward(folder, data.get("files", []), data.get("db"), data.get("db_tmp"))
        finish(folder)
        notes.append(
            f"completed an add of {', '.join(data.get('files') or ['metadata.toml'])} that was stopped "
            f"while it was putting its files in place"
        )
    elif (folder / STAGING_NAME).exists():
        staged = sorted(p.name for p in (folder / STAGING_NAME).iterdir() if p.name != METADATA_FILE)
        abandon(folder)
        notes.append(
            f"undid an add{' of ' + ', '.join(staged) if staged else ''} that was stopped before it "
            "had changed anything"
        )
    return notes


TOKEN_KEY = "add_token"  # build_info: the token of the last add patched in place (whodoes.build.incremental)


def committed_token(db: Path) -> str | None:
    """The token of the last add patched into ``db`` (opening it read-write lets SQLite roll
    back what a killed add left half-written)."""
    import sqlite3

    try:
        conn = sqlite3.connect(db, timeout=60)
        try:
            row = conn.execute("SELECT value FROM build_info WHERE key = ?", (TOKEN_KEY,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _token_committed(data: dict) -> bool:
    """Does the journal's database hold its token (was the add's COMMIT done)?"""
    return bool(data.get("db")) and committed_token(Path(data["db"])) == data["token"]


def _undo_in_place(folder: Path) -> None:
    abandon(folder)
    try:
        os.unlink(folder / JOURNAL_NAME)
    except FileNotFoundError:
        pass
    fsync_path(folder)


class SignalHold:
    """SIGINT and SIGTERM wait (blocked, then delivered on ``release``) while the commit
    runs: ``hold()`` in the commit, ``release()`` once the journal is gone."""

    def __init__(self):
        self.old = None

    def hold(self) -> None:
        import signal
        import threading

        if self.old is None and threading.current_thread() is threading.main_thread():
            self.old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})

    def release(self) -> None:
        if self.old is not None:
            import signal

            old, self.old = self.old, None
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
