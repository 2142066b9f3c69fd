"""Word's automatic list numbering, restored as text ("1.", "（一）", "(1)").

A task's number in a Word file is often not text but list numbering: the paragraph
says "numbering list 3, level 0" and numbering.xml says how that level is written
(``lvlText`` such as "（%1）" with ``numFmt`` chineseCounting).  ``Numberer`` keeps
the counters while the paragraphs are read in order.
"""

from __future__ import annotations

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CN = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ZODIAC = "甲乙丙丁戊己庚辛壬癸"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (list counters stay small)."""
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n > 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    rest = n % 100
    middle = (
        ""
        if rest == 0
        else (
            "零" + chinese_number(rest)
            if rest < 10
            else ("一" + chinese_number(rest) if rest < 20 else chinese_number(rest))
        )
    )
    return _CN[n // 100] + "百" + middle


def _roman(n: int) -> str:
    out = ""
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + sym, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "japaneseCounting",
        "chineseLegalSimplified",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
        "ideographDigital",
    ):
        return chinese_number(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "ideographTraditional":
        return _ZODIAC[(n - 1) % 10]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)  # decimal, decimalZero and anything else


def _val(el, tag: str) -> str | None:
    found = el.find(f"{W}{tag}") if el is not None else None
    return found.get(f"{W}val") if found is not None else None


class Numberer:
    """Counters of the lists of one Word document; ``label(num_id, ilvl)`` gives the next number."""

    def __init__(self, numbering_element=None):
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # abstractNumId -> ilvl -> (start, fmt, text)
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, start overrides)
        self.counters: dict[str, dict[int, int]] = {}  # abstractNumId -> ilvl -> current value
        self.used: set[str] = set()  # numIds seen (a list with a start override restarts when first used)
        if numbering_element is None:
            return
        for abstract in numbering_element.iter(f"{W}abstractNum"):
            levels = {}
            for lvl in abstract.iter(f"{W}lvl"):
                ilvl = int(lvl.get(f"{W}ilvl", "0"))
                levels[ilvl] = (
                    int(_val(lvl, "start") or 1),
                    _val(lvl, "numFmt") or "decimal",
                    _val(lvl, "lvlText") or "",
                )
            self.levels[abstract.get(f"{W}abstractNumId")] = levels
        for num in numbering_element.iter(f"{W}num"):
            overrides = {}
            for override in num.iter(f"{W}lvlOverride"):
                start = _val(override, "startOverride")
                if start is not None:
                    overrides[int(override.get(f"{W}ilvl", "0"))] = int(start)
            self.nums[num.get(f"{W}numId")] = (_val(num, "abstractNumId"), overrides)

    def label(self, num_id: str, ilvl: int) -> str:
        """The number of the next paragraph of list ``num_id`` at level ``ilvl`` ("" for none)."""
        if num_id not in self.nums or num_id == "0":
            return ""
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if ilvl not in levels:
            return ""
        if overrides and num_id not in self.used:
            self.counters.pop(abstract, None)
        self.used.add(num_id)
        counters = self.counters.setdefault(abstract, {})
        start = overrides.get(ilvl, levels[ilvl][0])
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a new item restarts the levels below it
        text = levels[ilvl][2]
        for k in range(ilvl + 1):
            if f"%{k + 1}" in text:
                value = counters.get(k, levels.get(k, (1, "decimal", ""))[0])
                text = text.replace(f"%{k + 1}", format_number(value, levels.get(k, (1, "decimal", ""))[1]))
        return text
