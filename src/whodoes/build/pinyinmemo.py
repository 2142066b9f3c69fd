"""The pinyin the build computes, remembered from one build to the next.

Every build writes the pinyin of every unit name of the catalogue (some 5,700), of every
phrase of the plans and the readings of every character of GB2312 (6,763): pypinyin takes
about 70 µs a syllable, so that alone was 1.5 s of each build of the five shipped plans,
and of each ``whodoes add`` that builds.  The answers depend only on the text, on pypinyin's
version and on our code that turns its output into keys (whodoes.build.units.catalog and
whodoes.build.phrasebook), so they are kept in one
SQLite file in the user's cache folder (whodoes.paths.cache_home), named by those versions.

It is only a cache: one that cannot be opened, read or written is ignored (the build
computes what it needs), and concurrent builds each add what they computed (INSERT OR IGNORE
of the same answers).  Build path only.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from functools import lru_cache
from pathlib import Path

FORMAT = 1
# the modules that turn pypinyin's output into our keys: their source is part of the memo's name
KEY_MODULES = ("whodoes.build.units.catalog", "whodoes.build.phrasebook")


def memo_path() -> Path:
    """The memo of this pypinyin and this reader (see the module docstring)."""
    from importlib.metadata import version
    from importlib.util import find_spec

    from whodoes.paths import cache_home

    h = hashlib.sha256(f"{FORMAT} {version('pypinyin')}".encode())
    for module in KEY_MODULES:
        spec = find_spec(module)
        if spec is None or spec.origin is None:
            raise ValueError(f"{module} is not installed")
        h.update(Path(spec.origin).read_bytes())
    return Path(cache_home()) / f"pinyin-{h.hexdigest()[:16]}.sqlite"


class PinyinMemo:
    """``keys(text)`` = catalog.pinyin_keys(text) and ``readings(ch)`` =
    phrasebook.readings_of(ch), each computed once per machine."""

    def __init__(self, path: Path | None):
        self.path = path
        self.known: dict[str, str] = {}
        self.new: dict[str, str] = {}
        if path is not None:
            self._load(path)

    @classmethod
    def open(cls) -> PinyinMemo:
        """This machine's memo; memos of other versions unused for STALE_DAYS days are removed."""
        from whodoes.build.parsestore import remove_stale_caches

        try:
            path = memo_path()
        except (OSError, ValueError):
            return cls(None)
        remove_stale_caches(path.parent, keep=path, pattern="pinyin-*.sqlite")
        try:
            os.utime(path)  # in use: not stale
        except OSError:
            pass
        return cls(path)

    def _load(self, path: Path) -> None:
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                self.known = dict(conn.execute("SELECT text, value FROM memo"))
            finally:
                conn.close()
        except sqlite3.Error:
            self.known = {}  # none yet, or unreadable: computed again

    def _get(self, key: str, compute) -> str:
        value = self.known.get(key)
        if value is None:
            value = self.known[key] = self.new[key] = compute()
        return value

    def keys(self, text: str) -> tuple[str, str]:
        """(pinyin, initials) of a name or phrase (whodoes.build.units.catalog.pinyin_keys)."""
        from whodoes.build.units.catalog import pinyin_keys

        full, _, initials = self._get("k" + text, lambda: " ".join(pinyin_keys(text))).partition(" ")
        return full, initials

    def readings(self, ch: str) -> list[str]:
        """The readings of a character, the most common first (whodoes.build.phrasebook.readings_of)."""
        from whodoes.build.phrasebook import readings_of

        return self._get("r" + ch, lambda: " ".join(readings_of(ch))).split()

    def save(self) -> None:
        """Keep what this build computed (silently nothing when the cache cannot be written)."""
        if self.path is None or not self.new:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=5)
            try:
                with conn:
                    conn.execute("CREATE TABLE IF NOT EXISTS memo (text TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID")
                    conn.executemany("INSERT OR IGNORE INTO memo VALUES (?, ?)", sorted(self.new.items()))
            finally:
                conn.close()
            self.new = {}
        except (sqlite3.Error, OSError):
            pass


@lru_cache(maxsize=1)
def shared_memo() -> PinyinMemo:
    """This process's memo, read once (a parse worker keeps it for every document it parses)."""
    return PinyinMemo.open()
