"""The plans' phrases and the characters' pinyin, written by the build for ``whodoes task``'s
forgiving search (whodoes.query.spelling reads them at query time, without rjieba or pypinyin).

A phrase is a word of the plans as rjieba (jieba's dictionary and HMM, in Rust) cuts their
text (海绵, 城市, 河长制, 管理局), or two or three such words in a row within a run of Chinese
characters (海绵城市, 城市管理) that stand so in at least ``MIN_TASKS`` tasks.  A phrase
neither starts nor ends with a function word (的, 和, 并 ...) nor holds one alone.  So a
phrase always begins and ends where words do: never a fragment such as 绵城.

Each phrase is stored with its toneless pinyin (as a phrase: 重庆 chongqing) and initials.
Each character of GB2312 and of the corpus is stored with its readings (the most common
first: 长 zhang, chang), so a query's pinyin can be computed at query time (海棉城市 -> haimianchengshi, the pinyin of
海绵城市: the homophone an input method offers).
"""

from __future__ import annotations

import re

from whodoes.build.cleanup import CJK

MAX_LEN = 8  # characters
MAX_WORDS = 3
MIN_TASKS = 2  # for a phrase of several words (a single word: 1)
# words that make no phrase of their own and that no phrase starts, ends or goes through
FUNCTION_WORDS = frozenset(
    "的 了 和 与 及 并 或 而 之 等 也 就 都 将 把 由 对 在 为 以 是 从 向 被 给 于 其 各 "
    "以及 或者 并且 进一步 有关 相关 等等".split()
)
_RUN = re.compile(f"[{CJK}]+")


def phrases_of(text: str) -> set[tuple[str, bool]]:
    """The phrases of one task's text, each with whether it is of several words."""
    found: set[tuple[str, bool]] = set()
    for words in _word_runs(text):
        for i, first in enumerate(words):
            if first in FUNCTION_WORDS:
                continue
            phrase = ""
            for k, word in enumerate(words[i : i + MAX_WORDS]):
                if word in FUNCTION_WORDS:
                    break
                phrase += word
                if len(phrase) > MAX_LEN:
                    break
                if len(phrase) >= 2:
                    found.add((phrase, k > 0))
    return found


def task_phrases(rows) -> dict[str, int]:
    """The phrase counts of one document's task rows (category, title, text, detail of each):
    what its parse keeps, so that the build only adds them up."""
    counter = PhraseCounter()
    for r in rows:
        counter.add(" ".join(x for x in (r.category, r.title, r.text, r.detail) if x))
    return counter.tallies()


def _word_runs(text: str):
    """The words of each run of Chinese characters of ``text``, a list per run."""
    import rjieba  # build path only

    for run in _RUN.findall(text or ""):
        yield rjieba.cut(run)


class PhraseCounter:
    """The phrases of the tasks, counted as the build adds them one task at a time (the
    texts are not kept: the build's memory does not grow with the corpus, only with the
    number of distinct phrases).  A count's key is the phrase behind "+" (of several words)
    or "=" (one word): compact to keep in a document's parse, and quick to add up."""

    def __init__(self):
        self.counts: dict[str, int] = {}  # "+" or "=" and the phrase -> tasks

    def add(self, text: str) -> None:
        """One task's text (category, title, text, detail)."""
        get = self.counts.get
        for phrase, several in phrases_of(text):
            key = ("+" if several else "=") + phrase
            self.counts[key] = get(key, 0) + 1

    def merge(self, counts: dict[str, int]) -> None:
        """Counts made elsewhere (a document's, by its parse: ``tallies``)."""
        get = self.counts.get
        for key, n in counts.items():
            self.counts[key] = get(key, 0) + n

    def tallies(self) -> dict[str, int]:
        """The counts as a document's parse keeps them (what ``merge`` takes)."""
        return dict(self.counts)

    def entries(self) -> list[tuple[str, int, int]]:
        """(phrase, several (0/1), tasks) of every phrase counted, in order: the rows of
        ``phrase_counts`` (so that an add in place can count on)."""
        return sorted((key[1:], int(key[0] == "+"), n) for key, n in self.counts.items())

    def phrases(self) -> dict[str, int]:
        """phrase -> the number of tasks holding it (a phrase of several words: in
        ``MIN_TASKS`` tasks at least)."""
        out: dict[str, int] = {}
        for key, n in self.counts.items():
            if n >= (MIN_TASKS if key[0] == "+" else 1):
                phrase = key[1:]
                out[phrase] = max(out.get(phrase, 0), n)
        return out

    def rows(self, keys=None) -> list[dict]:
        """The rows of the ``phrases`` table (``keys``: a PinyinMemo's, else pinyin computed)."""
        return phrase_rows(self.phrases(), keys)


def phrase_rows(phrases: dict[str, int], keys=None) -> list[dict]:
    """The rows of the ``phrases`` table: phrase, length, pinyin, initials, tasks, by phrase
    (``keys``: text -> (pinyin, initials); default whodoes.build.units.catalog.pinyin_keys)."""
    if keys is None:
        from whodoes.build.units.catalog import pinyin_keys as keys
    rows = []
    for p, n in sorted(phrases.items()):
        full, initials = keys(p)
        rows.append({"phrase": p, "length": len(p), "pinyin": full, "initials": initials, "tasks": n})
    return rows


def phrases(texts) -> dict[str, int]:
    """The phrases of ``texts`` (one string per task) -> the number of tasks holding each."""
    counter = PhraseCounter()
    for text in texts:
        counter.add(text)
    return counter.phrases()


def common_characters() -> set[str]:
    """The characters of GB2312 (the 6,763 an input method offers first)."""
    out = set()
    for code in range(0x4E00, 0xA000):
        ch = chr(code)
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        out.add(ch)
    return out


def readings_of(ch: str) -> list[str]:
    """The toneless readings of one character (ü as v), the most common first: 长 zhang, chang."""
    from pypinyin import Style, pinyin

    readings = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    syllables = [re.sub(r"[^a-z]", "", r.lower().replace("ü", "v")) for r in (readings[0] if readings else [])]
    return list(dict.fromkeys(s for s in syllables if s))


def char_pinyin_rows(chars, readings=readings_of, common: bool = True) -> list[dict]:
    """The rows of the ``char_pinyin`` table: each Chinese character of ``chars`` (and of
    GB2312 unless ``common`` is False) with each of its readings, ``rank`` 0 the most common
    (``readings``: a memo's, else ``readings_of``)."""
    rows = []
    wanted = {c for c in chars if _RUN.fullmatch(c)}
    for ch in sorted(common_characters() | wanted if common else wanted):
        for rank, syllable in enumerate(readings(ch)):
            rows.append({"char": ch, "pinyin": syllable, "rank": rank})
    return rows
