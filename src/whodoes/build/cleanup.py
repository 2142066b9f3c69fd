"""Text clean-up: derive the text every later stage reads from the original.

The original bytes stay untouched in data/sources/; this module makes the
working text:

* pinyin debris after characters is removed: ``關(guān)`` -> ``關``
  (web copies of some plans carry ruby annotations flattened into the text);
* stray ``?`` next to Chinese characters (mis-decoded spaces) is removed;
* traditional Chinese is converted to simplified with OpenCC, when the
  document is written in traditional characters;
* non-breaking and other odd spaces become plain spaces.

Full-width and half-width punctuation are both kept as written; parsers
accept either.  Line structure is preserved (one output line per input line)
so every row keeps its source line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Tone-marked vowels that only occur in pinyin.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_PAREN = re.compile(rf"(?<=[{CJK}])[(（]\s*([a-zA-Z{_TONED}üÜ]{{1,7}})\s*[)）]")
# (?<!\?): a run of ? is tried from its start only (else ?????... is quadratic)
_STRAY_Q = re.compile(rf"(?<=[{CJK}])\?+|(?<!\?)\?+(?=[{CJK}])|(?<=[{CJK}])\?+$")
_ODD_SPACES = re.compile("[\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff]")


@lru_cache(maxsize=1)
def _toneless_syllables() -> frozenset[str]:
    """Valid pinyin syllables without tones (for neutral-tone debris such as ``(de)``)."""
    from pypinyin.constants import PINYIN_DICT  # build path only

    return frozenset(_strip_tones(reading) for readings in PINYIN_DICT.values() for reading in readings.split(","))


_TONE_MAP = str.maketrans(
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ",
    "aaaaeeeeiiiioooouuuuüüüünnnm",
)


def _strip_tones(s: str) -> str:
    return s.translate(_TONE_MAP).lower()


def _drop_pinyin(match: re.Match) -> str:
    word = match.group(1)
    if any(c in _TONED for c in word):
        return ""
    if word.islower() and _strip_tones(word) in _toneless_syllables():
        return ""
    return match.group(0)


def remove_debris(text: str) -> str:
    """Remove pinyin in parentheses after characters and stray question marks."""
    if "(" in text or "（" in text:
        text = _PINYIN_PAREN.sub(_drop_pinyin, text)
    if "?" in text:
        text = _STRAY_Q.sub("", text)
    return text


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # build path only

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def is_traditional(text: str, threshold: float = 0.02) -> bool:
    """True when enough characters change under t2s to call the text traditional.

    Simplified text run through t2s changes almost nothing; a traditional
    document changes a large share of its characters.
    """
    sample = "".join(re.findall(rf"[{CJK}]", text[:20000]))
    if not sample:
        return False
    converted = to_simplified(sample)
    changed = sum(1 for a, b in zip(sample, converted) if a != b)
    return changed / len(sample) > threshold


def normalize_spaces(text: str) -> str:
    return _ODD_SPACES.sub(" ", text)


@dataclass(frozen=True)
class Line:
    """One source line: its number, its original text and the derived text."""

    number: int  # 1-based
    raw: str  # as decoded from the file (no newline)
    text: str  # cleaned, simplified, stripped

    @property
    def blank(self) -> bool:
        """Empty in the source (no character at all, not even a space), or only the pipes
        of a table flattened one cell per line with its cell borders on lines of their own."""
        raw = self.raw.strip("\r")
        return raw == "" or raw.strip("|｜ \t") == "" and "|" in raw or "｜" in raw and raw.strip("|｜ \t") == ""

    @property
    def empty_cell(self) -> bool:
        """A line holding only spaces (often NBSP): an empty cell of a flattened table."""
        return not self.blank and self.text == ""

    @property
    def tabbed(self) -> bool:
        """Starts with a TAB: a cell of a TAB-flattened table."""
        return self.raw.startswith("\t")


def clean_text(text: str, traditional: bool | None = None) -> str:
    """Clean a whole text (any number of lines); used for queries in tests and for one-off strings."""
    text = remove_debris(normalize_spaces(text))
    if traditional is None:
        traditional = is_traditional(text)
    if traditional:
        text = to_simplified(text)
    return text


def clean_lines(text: str) -> tuple[list[Line], bool]:
    """Split a decoded document into cleaned lines; also say whether it was traditional."""
    raw_lines = text.split("\n")
    debris_free = [remove_debris(normalize_spaces(r.rstrip("\r"))) for r in raw_lines]
    joined = "\n".join(debris_free)
    traditional = is_traditional(joined)
    if traditional:
        converted = to_simplified(joined).split("\n")
        # OpenCC keeps line breaks; guard against any surprise all the same.
        if len(converted) == len(debris_free):
            debris_free = converted
        else:  # pragma: no cover - defensive
            debris_free = [to_simplified(s) for s in debris_free]
    lines = [
        Line(number=i + 1, raw=raw.rstrip("\r"), text=clean.strip())
        for i, (raw, clean) in enumerate(zip(raw_lines, debris_free))
    ]
    return lines, traditional
