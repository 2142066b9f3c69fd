"""The phrases of the plans a ``whodoes task`` query may mean when it finds nothing as
written: a typo of one character (海棉城市 -> 海绵城市), a homophone (the common typo of an
input method: same pinyin), the pinyin or initials of a phrase (haimianchengshi, hmcs);
and the "did you mean" phrases when nothing matches at all.

Reads the tables ``phrases`` and ``char_pinyin`` that the build writes (whodoes.build.phrasebook):
no pypinyin or segmenter at query time.  A database built before them (no such tables)
searches as written only.  rapidfuzz is imported only to suggest phrases for latin letters
that match no pinyin.
"""

from __future__ import annotations

import sqlite3

from whodoes.query.db import cached, has_table

MAX_PHRASES = 3  # phrases a query is taken to mean, at most (the most used first)
MAX_LEN = 16  # longer queries are not looked up as phrases
MAX_READINGS = 32  # readings of a query compared with the phrases' pinyin, at most


class Near:
    """A phrase a query may mean: ``how`` "pinyin" | "initials" (the query is its pinyin or
    initials), "homophone" (written with other characters of the same pinyin), "typo" (one
    character off); ``tasks``: the tasks the build found it in."""

    __slots__ = ("phrase", "how", "tasks", "pinyin")

    def __init__(self, phrase: str, how: str, tasks: int, pinyin: str = ""):
        self.phrase, self.how, self.tasks, self.pinyin = phrase, how, tasks, pinyin

    def __repr__(self) -> str:
        return f"Near({self.phrase!r}, {self.how!r}, {self.tasks})"

    @property
    def reason(self) -> str:
        """Why the query was taken to mean the phrase, for the summary line."""
        return {
            "pinyin": f"pinyin {self.pinyin}",
            "initials": "initials",
            "homophone": f"same pinyin {self.pinyin}",
            "typo": "one character off",
        }[self.how]


def available(conn: sqlite3.Connection) -> bool:
    """The database has the phrase tables (built by a whodoes that writes them)."""
    return cached(conn, ("phrase tables",), lambda: has_table(conn, "phrases") and has_table(conn, "char_pinyin"))


def is_chinese(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def latin_letters(text: str) -> str | None:
    """ "Hai Mian" -> "haimian"; None unless the text is latin letters (and spaces, ' - _ .)."""
    letters = "".join(ch for ch in text.lower() if ch not in " '-_.·")
    if not letters:
        return None
    if not letters.isascii():
        from whodoes.query.matching import ascii_letters  # full-width letters (imports unicodedata)

        return ascii_letters(text)
    return letters if letters.isalpha() else None


def query_pinyins(conn: sqlite3.Connection, text: str) -> list[str]:
    """The toneless pinyin a Chinese ``text`` may be read as, character by character: the
    most common reading of each first, then the others (长 zhang, chang), at most
    ``MAX_READINGS``; [] when a character has no reading in the table."""
    chars = sorted(set(text))
    marks = ",".join("?" * len(chars))
    readings: dict[str, list[str]] = {}
    for ch, syllable in conn.execute(
        f"SELECT char, pinyin FROM char_pinyin WHERE char IN ({marks}) ORDER BY char, rank", chars
    ):
        readings.setdefault(ch, []).append(syllable)
    if len(readings) < len(chars):
        return []
    out = [""]
    for ch in text:
        out = [p + r for p in out for r in readings[ch]][:MAX_READINGS]
    return out


def query_pinyin(conn: sqlite3.Connection, text: str) -> str | None:
    """The most common reading of a Chinese ``text`` (None when a character has none)."""
    found = query_pinyins(conn, text)
    return found[0] if found else None


def distance(a: str, b: str) -> int:
    """Levenshtein distance of two short strings."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def by_pinyin(conn: sqlite3.Connection, letters: str) -> list[Near]:
    """The phrases whose pinyin or initials are ``letters`` (the most used first); else,
    for 4 letters or more, those whose pinyin starts with them."""
    rows = conn.execute(
        """SELECT phrase, tasks, pinyin, pinyin = ? FROM phrases WHERE pinyin = ? OR initials = ?
            ORDER BY pinyin = ? DESC, tasks DESC, length DESC, phrase LIMIT ?""",
        (letters, letters, letters, letters, MAX_PHRASES),
    ).fetchall()
    if not rows and len(letters) >= 4:
        rows = conn.execute(
            """SELECT phrase, tasks, pinyin, 1 FROM phrases WHERE pinyin > ? AND pinyin < ?
                ORDER BY tasks DESC, length, phrase LIMIT ?""",
            (letters, letters + "{", MAX_PHRASES),
        ).fetchall()
    return [Near(p, "pinyin" if full else "initials", n, pinyin) for p, n, pinyin, full in rows]


def _candidates(conn: sqlite3.Connection, text: str, spread: int, shared: int) -> list[tuple[str, int, str]]:
    """(phrase, tasks, pinyin) of the phrases within ``spread`` characters of the length of
    ``text`` that hold at least ``shared`` of its characters, or have its pinyin."""
    chars = list(dict.fromkeys(text))
    pinyins = query_pinyins(conn, text) or ["\x00"]
    held = " + ".join("(instr(phrase, ?) > 0)" for _ in chars)
    return conn.execute(
        f"""SELECT phrase, tasks, pinyin FROM phrases
             WHERE length BETWEEN ? AND ? AND ({held} >= ? OR pinyin IN ({",".join("?" * len(pinyins))}))""",
        (len(text) - spread, len(text) + spread, *chars, shared, *pinyins),
    ).fetchall()


def by_characters(conn: sqlite3.Connection, text: str) -> list[Near]:
    """The phrases ``text`` (Chinese) may mean: the same pinyin (in one of its readings)
    written with other characters (at most half of them other), else one character off
    (for 3 characters or more); the best kind only, the most used first."""
    n = len(text)
    readings = set(query_pinyins(conn, text))
    found = []
    for phrase, tasks, phrase_pinyin in _candidates(conn, text, 1, max(1, n - 1)):
        d = distance(text, phrase)
        homophone = phrase_pinyin in readings
        if d and ((homophone and d <= max(1, n // 2)) or (d == 1 and n >= 3)):
            found.append(
                (
                    (not homophone, d),
                    -tasks,
                    phrase,
                    Near(phrase, "homophone" if homophone else "typo", tasks, phrase_pinyin),
                )
            )
    found.sort(key=lambda x: x[:3])
    return [near for rank, _, _, near in found if rank == found[0][0]][:MAX_PHRASES]


def nearest(conn: sqlite3.Connection, text: str, *, typos: bool = True) -> list[Near]:
    """The phrases a query that found nothing as written may mean (see the module's
    docstring); [] for several Chinese words, long queries, or a database without the tables."""
    if len(text) > MAX_LEN * 2 or not available(conn):
        return []
    if all(map(is_chinese, text)):
        found = by_characters(conn, text) if typos and 2 <= len(text) <= MAX_LEN else []
    else:
        letters = latin_letters(text)
        found = by_pinyin(conn, letters) if letters and len(letters) >= 2 else []
    kept: list[Near] = []
    for near in found:  # 海绵城市建设 after 海绵城市 adds no task
        if not any(k.phrase in near.phrase for k in kept):
            kept.append(near)
    return kept


def suggestions(conn: sqlite3.Connection, text: str, n: int = 5) -> list[str]:
    """Whole phrases of the plans near a query that found nothing: for Chinese, those two
    characters off, then the phrases the query holds (宇宙城市: 城市); for latin letters,
    those whose pinyin is nearest (rapidfuzz).  Never a fragment of the query."""
    if len(text) > MAX_LEN * 2 or not available(conn):
        return []
    words = [w for w in text.split(" ") if w]
    if words and all(is_chinese(ch) for w in words for ch in w):
        out: list[str] = []
        for word in words:
            near = sorted((distance(word, p), -t, p) for p, t, _ in _candidates(conn, word, 2, max(1, len(word) - 2)))
            out += [p for d, _, p in near if d <= 2]
            held = conn.execute(
                """SELECT phrase FROM phrases WHERE instr(?, phrase) > 0
                                    ORDER BY length DESC, tasks DESC, phrase LIMIT ?""",
                (word, n),
            ).fetchall()
            out += [p for (p,) in held if not any(p in q for q in out)]
        return list(dict.fromkeys(out))[:n]
    letters = latin_letters(text)
    if not letters or len(letters) < 3:
        return []
    from rapidfuzz import fuzz, process

    choices = cached(
        conn,
        ("phrase pinyin",),
        lambda: dict(conn.execute("SELECT phrase, pinyin FROM phrases ORDER BY tasks DESC, phrase")),
    )
    out = []
    for _, _, phrase in process.extract(letters, choices, scorer=fuzz.ratio, limit=4 * n, score_cutoff=75):
        if not any(p in phrase for p in out):  # 推进海绵城市 adds nothing to 海绵城市
            out.append(phrase)
    return out[:n]
