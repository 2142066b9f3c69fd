"""Where the databases and the plans live: the one place that decides.

``database(db)`` is the database a query reads (``--db`` when given, else ``default_db()``);
``build_folders`` and ``add_folders`` decide where ``build`` and ``add`` read and write.

``default_db()`` is the database a query uses when neither ``--db`` nor
``WHODOES_DB`` names one:

1. ``$WHODOES_DB`` when set (and not blank);
2. the source checkout's ``data/plans.sqlite`` (relative to this file:
   ``src/whodoes/paths.py`` -> ``data/plans.sqlite``), for editable installs
   and for running from the repository;
3. installed (no checkout): the user's own database, ``<user_home()>/plans.sqlite``,
   when ``whodoes add`` has made one (the shipped plans plus the user's; see
   whodoes.build.userdata, which rebuilds it after an upgrade);
4. ``<sys.prefix>/share/whodoes/plans.sqlite``, where a non-editable
   ``pip install .`` puts it (pyproject ``[tool.setuptools.data-files]``);
   then the base prefix and the user base (``pip install --user``).

When none exists the first candidate is returned, so that the error message
names a sensible place.  ``default_db()`` returns a plain string (os.path, not
pathlib: this module is on the query path, where every millisecond of import
counts); ``checkout_root()`` returns a pathlib.Path for the build path.
"""

from __future__ import annotations

import os
import sys

ENV_VAR = "WHODOES_DB"
DB_NAME = "plans.sqlite"


def _checkout_root() -> str | None:
    here = os.path.dirname(os.path.realpath(__file__))  # <root>/src/whodoes
    root = os.path.dirname(os.path.dirname(here))
    if os.path.isfile(os.path.join(root, "pyproject.toml")) and os.path.isdir(os.path.join(root, "data")):
        return root
    return None


def checkout_root():
    """The source checkout holding this package (a pathlib.Path), or None when installed."""
    root = _checkout_root()
    if root is None:
        return None
    from pathlib import Path

    return Path(root)


def data_dir() -> str | None:
    """The folder holding sources/ and units.toml: the checkout's data/, else
    <prefix>/share/whodoes (a non-editable install), else None."""
    root = _checkout_root()
    if root is not None:
        return os.path.join(root, "data")
    for prefix in (sys.prefix, getattr(sys, "base_prefix", sys.prefix)):
        path = os.path.join(prefix, "share", "whodoes")
        if os.path.isdir(path):
            return path
    return None


def candidates() -> list[str]:
    """Every place the shipped database is looked for, in order ($WHODOES_DB aside)."""
    out: list[str] = []
    root = _checkout_root()
    if root is not None:
        out.append(os.path.join(root, "data", DB_NAME))
    prefixes = [sys.prefix, getattr(sys, "base_prefix", sys.prefix)]
    userbase = getattr(sys.modules.get("site"), "USER_BASE", None)
    if userbase:
        prefixes.append(userbase)
    for prefix in prefixes:
        path = os.path.join(prefix, "share", "whodoes", DB_NAME)
        if path not in out:
            out.append(path)
    return out


def shipped_db() -> str:
    """The database shipped with whodoes (the checkout's data/plans.sqlite, or the
    installation's share/whodoes/plans.sqlite); the first candidate when none exists."""
    found = candidates()
    for path in found:
        if os.path.isfile(path):
            return path
    return found[0]


def default_db() -> str:
    """The database to query when no ``--db`` is given (see the module docstring):
    $WHODOES_DB, else (installed) the user's database when there is one, else the shipped one."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return os.path.expanduser(env)
    if installed():
        mine = user_db()
        if os.path.isfile(mine):
            return mine
    found = candidates()
    for path in found:
        if os.path.isfile(path):
            return path
    return found[0]


HOME_VAR = "WHODOES_HOME"


def installed() -> bool:
    """True when whodoes runs from an installation (not from a source checkout): then added
    plans go to the user's folder (``user_home()``), never into the installation."""
    return _checkout_root() is None


def user_db() -> str:
    """The user's database: the shipped plans plus their own (``<user_home>/plans.sqlite``)."""
    return os.path.join(user_home(), DB_NAME)


def user_sources() -> str:
    """The user's own plans (``<user_home>/sources``, with its metadata.toml)."""
    return os.path.join(user_home(), "sources")


def shipped_sources() -> str | None:
    """The shipped plans: data/sources of the checkout or the installation, or None."""
    data = data_dir()
    return os.path.join(data, "sources") if data else None


def shipped_units() -> str | None:
    """The curated units file that ships with whodoes (data/units.toml), or None."""
    data = data_dir()
    path = os.path.join(data, "units.toml") if data else None
    return path if path and os.path.isfile(path) else None


def user_home() -> str:
    """The user's own whodoes folder: added plans, their database, progress records.

    ``$WHODOES_HOME`` when set, else the platform's user data folder
    (``~/.local/share/whodoes`` on Linux, from platformdirs).  It lives outside
    the installation, so installing, reinstalling or upgrading whodoes never
    touches it.  Not created here: the commands that write into it create it.
    """
    env = os.environ.get(HOME_VAR, "").strip()
    if env:
        return os.path.expanduser(env)
    import platformdirs  # only when the user's folder is asked for

    return platformdirs.user_data_dir("whodoes", appauthor=False)


def database(db: str | None = None) -> str:
    """The database a query reads: ``--db`` when given (``~`` expanded), else ``default_db()``."""
    if db is not None and str(db).strip():
        return os.path.abspath(os.path.expanduser(str(db)))
    return default_db()


def default_sources() -> str:
    """data/sources of the checkout or the installation (``build`` and ``add`` without --sources)."""
    data = data_dir()
    if data is None:
        from whodoes.errors import DataError

        raise DataError("cannot find data/sources; give --sources DIR")
    return os.path.join(data, "sources")


def build_folders(sources: str | None, out: str | None, units: str | None):
    """Where ``whodoes build`` reads and writes: (sources, database, units file, shipped folder).

    Installed with plans of the user's own and neither --sources nor --out: the user's
    database, built from the shipped plans plus theirs.  Otherwise the given folder (or the
    shipped data/sources) into the given database (or ``default_db()``)."""
    shipped = None
    if sources is None and out is None and installed() and os.path.isdir(user_sources()):
        sources, out, shipped = user_sources(), user_db(), shipped_sources()
        units = units or shipped_units()
    return (
        sources if sources is not None else default_sources(),
        out if out is not None else default_db(),
        units,
        shipped,
    )


def add_folders(sources: str | None, db: str | None):
    """Where ``whodoes add`` writes: (sources folder, database, units file, shipped folder).

    Installed (not a checkout) and no --sources: the user's own folder (``user_home()``:
    sources/ and plans.sqlite, outside the installation), the database built from the shipped
    plans plus the user's.  In a checkout, or with --sources: that folder alone."""
    env = os.environ.get(ENV_VAR, "").strip()
    if sources is None and installed():
        sources = user_sources()
        os.makedirs(sources, exist_ok=True)
        db = db or (os.path.expanduser(env) if env else user_db())
        return sources, db, shipped_units(), shipped_sources()
    if not db:
        if env:
            db = os.path.expanduser(env)
        elif sources is not None:  # a folder of one's own: its database beside it, never the shipped one
            db = os.path.join(os.path.dirname(os.path.normpath(sources)), DB_NAME)
        else:
            db = default_db()
    return sources if sources is not None else default_sources(), db, None, None


def readonly_uri(path: str) -> str:
    """A ``file:`` URI for sqlite3 that opens ``path`` read-only.

    Only the characters that mean something in a URI are escaped (% ? #);
    everything else, including non-ASCII, is passed as it is.
    """
    text = os.path.abspath(path)
    text = text.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    if os.sep != "/":  # pragma: no cover - Windows
        text = "/" + text.replace(os.sep, "/")
    return f"file:{text}?mode=ro"


def special_kind(mode: int) -> str:
    """What a file that is not a regular file is: 'a FIFO (named pipe)', 'a device' ..."""
    import stat

    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def cache_home() -> str:
    """Where the build keeps what it can make again (the parse caches of whodoes.parsestore):
    ``<WHODOES_HOME>/cache`` when ``$WHODOES_HOME`` is set, else the platform's user cache
    folder (``~/.cache/whodoes`` on Linux).  Deleting it costs one full parse, nothing more."""
    env = os.environ.get(HOME_VAR, "").strip()
    if env:
        return os.path.join(os.path.expanduser(env), "cache")
    import platformdirs

    return platformdirs.user_cache_dir("whodoes", appauthor=False)
