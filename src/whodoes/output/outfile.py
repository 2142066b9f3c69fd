"""Writing results to ``-o FILE``: never onto an input, never half a file.

* ``check_target`` refuses, before the query runs, a target that is an input (symlinks
  resolved): the database being read (also when named through a symlink or $WHODOES_DB),
  anything inside a sources folder (the checkout's or installation's ``sources``, the
  ``sources`` folder beside the database, ``$WHODOES_HOME/sources``), and any existing
  SQLite database (csv written over a database is a database lost).
* ``replace`` writes a temporary file beside the target (``.whodoes-<pid>-<random>.tmp``,
  short whatever the target's name), flushes it and renames it over the target: on a full
  disk, a write error or Ctrl-C the old file is intact and the temporary file removed,
  and the error is one line (``OutputError``, exit 2).  A target that exists and is not a
  regular file (``/dev/stdout``, a FIFO, ``/dev/null``) is written directly.

Standard library only (on the query path when -o is given).
"""

from __future__ import annotations

import os
import stat

from whodoes.errors import UsageError

SQLITE_HEADER = b"SQLite format 3\x00"


class OutputError(UsageError):
    """A result that could not be written (exit 2); the old file, if any, is unchanged."""


def _real(path: str) -> str:
    return os.path.realpath(os.path.expanduser(path))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def source_folders(db: str | None) -> list[str]:
    """The sources folders whose files ``-o`` must never overwrite (real paths)."""
    from whodoes import paths

    folders = []
    data = paths.data_dir()
    if data:
        folders.append(os.path.join(data, "sources"))
    if db:
        folders.append(os.path.join(os.path.dirname(_real(db)), "sources"))
    home = os.environ.get(paths.HOME_VAR, "").strip()
    if home:
        folders.append(os.path.join(os.path.expanduser(home), "sources"))
    return [_real(f) for f in folders]


def is_sqlite(path: str) -> bool:
    """Does the regular file ``path`` start with SQLite's header?"""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_HEADER
    except OSError:
        return False


def check_target(output: str, db: str | None) -> None:
    """UsageError when ``-o output`` would overwrite an input (see the module docstring)."""
    if db is None or not str(db).strip():
        from whodoes.paths import default_db

        db = default_db()
    target = _real(output)
    if _real(db) == target:
        raise UsageError(f"-o {output} is the database being read; write the results to another file")
    for folder in source_folders(db):
        if _inside(target, folder):
            raise UsageError(f"-o {output} is inside the sources folder {folder}; write the results elsewhere")
    if is_sqlite(target):
        raise UsageError(f"-o {output} is an SQLite database; not overwriting it with results (choose another file)")


def _mode_for(target: str) -> int:
    """The permissions of the file being replaced, else those a new file gets (umask)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def replace(output: str, write, *, binary: bool = False) -> None:
    """Call ``write(stream)`` on a temporary file beside ``output``, then rename it over
    ``output`` (see the module docstring).  Text streams are UTF-8 with newline=''."""
    try:
        special = not stat.S_ISREG(os.stat(output).st_mode)
    except OSError:  # not there yet
        special = False
    mode = "wb" if binary else "w"
    kwargs = {} if binary else {"encoding": "utf-8", "newline": ""}
    if special:  # /dev/stdout, a FIFO, /dev/null: no rename possible, written as it is
        try:
            with open(output, mode, **kwargs) as f:
                write(f)
        except OSError as e:
            raise OutputError(f"cannot write {output}: {e.strerror or e}") from None
        return
    target = _real(output)
    folder = os.path.dirname(target)
    existed = os.path.exists(target)
    tmp = os.path.join(folder, f".whodoes-{os.getpid()}-{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, mode, **kwargs) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            left = f"the previous {output} is unchanged" if existed else "nothing was written"
            raise OutputError(f"cannot write {output}: {e.strerror or e}; {left}") from None
        raise
