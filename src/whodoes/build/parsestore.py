"""Parsed documents kept in an SQLite file: the build's parse cache, and the shards of
``whodoes parse`` / ``whodoes merge``.

One format for both.  A row of ``parsed`` is one document parsed (whodoes.build.parsed.ParsedDoc,
zlib-compressed JSON) under its **key**: the sha256 of

* the file's name (it is the document's id) and the sha256 of its bytes,
* its metadata.toml entry (canonical JSON),
* the curated data files (data/units.toml and the bodies.toml beside it),
* the reader's version (whodoes.build.parsed.reader_version: the reader's source code) and the
  stored format.

A document whose key is in the store is not parsed again.  The key is all a parse depends
on, so a cache entry is never stale: a changed file, entry, catalogue or reader makes
another key.

**Where the cache is.**  In the user's cache folder (whodoes.paths.cache_home:
``~/.cache/whodoes``, or ``$WHODOES_HOME/cache``), one file per database, named by the
hash of the database's real path (``parse-<hash>.sqlite``).  Not beside the database nor
in the sources folder: a build leaves both folders holding what they held (the database,
the plans), an installation's read-only folders still get a cache, and git never sees
it.  One cache per database, so a build can drop the entries it did not use (``prune``):
the cache holds the current documents only; a cache not used for ``STALE_DAYS`` days
(a database deleted or moved) is removed by the next build.  It is only a cache: one
that cannot be opened or read is made again (or the build goes on without one, with a
note), and deleting it costs one full parse.

**File signatures.**  ``files`` remembers each plan file's size, mtime, ctime and inode
with its sha256, so that a build of 10,000 unchanged files does not read 700 MB to hash
them (what git's index does).  A file changed within the last two seconds is always
hashed (its mtime may not have ticked yet).

Build path only.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path

KIND = "whodoes parse store"
RACY_SECONDS = 2.0  # a file modified this recently is hashed whatever its signature says
COMMIT_EVERY = 100
STALE_DAYS = 30  # documents between commits (a killed build keeps what it parsed)

SCHEMA = """
CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS parsed(key TEXT PRIMARY KEY, id TEXT NOT NULL, file TEXT NOT NULL,
                                  reader TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, size INT, mtime_ns INT, ctime_ns INT, ino INT,
                                 sha256 TEXT);
"""


class ParseStoreError(Exception):
    """A file that is not a parse store (or cannot be opened as one); the message says which."""


def cache_path(out: Path) -> Path:
    """The parse cache of the database ``out`` (see the module docstring)."""
    from whodoes.paths import cache_home

    real = os.path.realpath(out)
    return (
        Path(cache_home()) / f"parse-{hashlib.sha256(real.encode('utf-8', 'surrogateescape')).hexdigest()[:20]}.sqlite"
    )


def remove_stale_caches(folder: Path, keep: Path, days: float | None = None, pattern: str = "parse-*.sqlite") -> None:
    """Parse caches of ``folder`` not used for ``STALE_DAYS`` days (their databases are gone
    or no longer built), except ``keep``; ``pattern``: other caches of the build's."""
    limit = time.time() - 86400 * (STALE_DAYS if days is None else days)
    try:
        for p in Path(folder).glob(pattern):
            if p != keep and p.stat().st_mtime < limit:
                p.unlink(missing_ok=True)
    except OSError:
        pass


def data_digest(units_file: Path | None) -> str:
    """sha256 of the curated data files a parse may depend on: the units file and the
    bodies.toml beside it."""
    h = hashlib.sha256()
    if units_file is not None and Path(units_file).is_file():
        h.update(Path(units_file).read_bytes())
        bodies = Path(units_file).parent / "bodies.toml"
        if bodies.is_file():
            h.update(b"\0bodies\0" + bodies.read_bytes())
    return h.hexdigest()


def doc_key(name: str, sha256: str, meta_text: str, data: str, reader: str) -> str:
    """A document's key (see the module docstring)."""
    return hashlib.sha256("\n".join(("whodoes parse", name, sha256, meta_text, data, reader)).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


class ParseStore:
    """An open parse store (cache or shard)."""

    def __init__(self, path: Path, *, create: bool = True):
        self.path = Path(path)
        self.pending = 0
        if not create and not self.path.is_file():
            raise ParseStoreError(f"{path}: no such shard")
        if self.path.is_file() and self.path.stat().st_size:
            with open(self.path, "rb") as f:
                if f.read(16) != b"SQLite format 3\x00":
                    raise ParseStoreError(f"{path} is not a whodoes shard (not an SQLite file)")
        try:
            self.conn = sqlite3.connect(self.path, timeout=30)
            tables = {t for (t,) in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            kind = (
                self.conn.execute("SELECT value FROM info WHERE key = 'kind'").fetchone() if "info" in tables else None
            )
            if tables and (kind is None or kind[0] != KIND):
                self.conn.close()
                raise ParseStoreError(f"{path} is another SQLite database, not a whodoes shard")
            self.conn.executescript(SCHEMA)
            self.conn.execute("INSERT OR IGNORE INTO info VALUES ('kind', ?)", (KIND,))
            self.conn.commit()
        except sqlite3.Error as e:
            raise ParseStoreError(f"{path}: cannot open the parse store: {e}") from None

    # -- documents ------------------------------------------------------------------------------
    def present(self, keys: list[str]) -> set[str]:
        """Which of ``keys`` the store holds."""
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            sql = f"SELECT key FROM parsed WHERE key IN ({','.join('?' * len(part))})"
            found.update(k for (k,) in self.conn.execute(sql, part))
        return found

    def get(self, key: str) -> bytes | None:
        row = self.conn.execute("SELECT data FROM parsed WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def put(self, key: str, doc_id: str, file: str, reader: str, blob: bytes, *, one_per_id: bool = False) -> None:
        """Keep a parsed document; ``one_per_id`` (a shard): it replaces any other parse of its id."""
        if one_per_id:
            self.conn.execute("DELETE FROM parsed WHERE id = ? AND key != ?", (doc_id, key))
        self.conn.execute("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?, ?)", (key, doc_id, file, reader, blob))
        self._tick()

    def entries(self):
        """(key, id, file, reader, blob) of every document, by file name."""
        yield from self.conn.execute("SELECT key, id, file, reader, data FROM parsed ORDER BY file, id, key")

    def prune(self, keep: set[str], paths: set[str]) -> None:
        """Drop the documents and file signatures a build did not use."""
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep(key TEXT PRIMARY KEY)")
        self.conn.execute("DELETE FROM keep")
        self.conn.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keep))
        self.conn.execute("DELETE FROM parsed WHERE key NOT IN (SELECT key FROM keep)")
        self.conn.execute("DELETE FROM keep")
        self.conn.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((p,) for p in paths))
        self.conn.execute("DELETE FROM files WHERE path NOT IN (SELECT key FROM keep)")
        self.conn.commit()

    # -- file signatures --------------------------------------------------------------------------
    def sha256_of(self, path: Path) -> str:
        """The sha256 of a plan file's bytes, from its remembered signature when unchanged."""
        real = os.path.realpath(path)
        st = os.stat(real)
        sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        row = self.conn.execute(
            "SELECT size, mtime_ns, ctime_ns, ino, sha256 FROM files WHERE path = ?", (real,)
        ).fetchone()
        if row is not None and tuple(row[:4]) == sig:
            return row[4]
        sha = file_sha256(Path(real))
        if time.time() - max(st.st_mtime, st.st_ctime) > RACY_SECONDS:
            self.conn.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)", (real, *sig, sha))
            self._tick()
        return sha

    # -- keeping --------------------------------------------------------------------------------------
    def _tick(self) -> None:
        self.pending += 1
        if self.pending >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        self.conn.commit()
        self.pending = 0

    def close(self) -> None:
        try:
            self.conn.commit()
        finally:
            self.conn.close()
