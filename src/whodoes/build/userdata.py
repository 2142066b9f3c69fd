"""The user's own database, kept current: after an upgrade it is rebuilt with the new reader.

An installed whodoes (not a checkout) keeps the plans a user adds in their own folder
(``whodoes.paths.user_home()``: ``sources/`` and ``plans.sqlite``), outside the
installation, so installing, reinstalling or upgrading never loses them.  Their database
holds the shipped plans plus their own.  Before a query uses it, ``ensure_current`` checks
that it was built by this version of whodoes from the shipped plans as they are now
(``build_info``: ``whodoes`` version and ``base_digest``, the digest of the shipped plans and
units); if not, it is rebuilt, with one line on standard error saying why.

Query path: sqlite3 only, unless a rebuild is needed (then the build modules).
"""

from __future__ import annotations

import os
import sqlite3

from whodoes import __version__, paths
from whodoes.errors import DataError


def _info(path: str) -> dict[str, str]:
    """``build_info`` of a database ({} when it has none: an older whodoes built it)."""
    from whodoes.paths import readonly_uri as _uri

    try:
        conn = sqlite3.connect(_uri(path), uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM build_info").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def stale_reason(user_db: str, shipped_db: str) -> str | None:
    """Why the user's database must be rebuilt, or None when it is current."""
    mine = _info(user_db)
    if not mine:
        return "it was built by an older whodoes"
    if mine.get("whodoes") != __version__:
        return f"whodoes was upgraded ({mine.get('whodoes')} -> {__version__})"
    if os.path.isfile(shipped_db) and _info(shipped_db).get("base_digest") != mine.get("base_digest"):
        return "the shipped plans changed"
    return None


def rebuild(reason: str | None = None):
    """Rebuild the user's database from the shipped plans and their own; returns the report."""
    from whodoes.build.pipeline import BuildError, build
    from whodoes.errors import err

    db, sources, shipped = paths.user_db(), paths.user_sources(), paths.shipped_sources()
    if reason:
        err(f"{reason}: rebuilding your database {db} with the shipped plans and yours")
    os.makedirs(sources, exist_ok=True)
    try:
        from pathlib import Path

        units = paths.shipped_units()
        return build(
            Path(sources), Path(db), Path(units) if units else None, shipped=Path(shipped) if shipped else None
        )
    except BuildError as e:
        raise DataError(f"cannot rebuild your database: {e}") from None


def ensure_current() -> None:
    """Rebuild the user's database first when it is out of date (installed whodoes only)."""
    if not paths.installed() or os.environ.get(paths.ENV_VAR, "").strip():
        return
    db = paths.user_db()
    if not os.path.isfile(db):
        return
    reason = stale_reason(db, paths.shipped_db())
    if reason:
        rebuild(reason)
