"""How a query matched a unit: the match type every step of unit resolution returns, and the
small helpers shared by the exact steps (whodoes.query.resolve) and the fuzzy step
(whodoes.query.fuzzy).  A leaf of the query package, so the two need not import each other."""

from __future__ import annotations

import sqlite3

from whodoes.i18n import N_, _

HOW_RANK = {"canonical": 0, "full": 0, "short": 1, "variant": 2, "typo": 3, "written": 4, "predecessor": 5}
STEP_OF_HOW = {
    "canonical": "exact",
    "full": "exact",
    "short": "alias",
    "variant": "alias",
    "typo": "alias",
    "written": "alias",
    "predecessor": "predecessor",
}
HOW_WORDS = {
    "canonical": N_("canonical name"),
    "full": N_("full name"),
    "short": N_("short form"),
    "variant": N_("variant"),
    "typo": N_("misspelling"),
    "written": N_("as written"),
    "predecessor": N_("former name"),
}
# how a unit was found, as every output format says it (the matched_by column)
MATCHED_BY_STEP = {"traditional": "traditional", "pinyin": "pinyin", "fuzzy": "fuzzy"}
MATCHED_BY_HOW = {
    "canonical": "exact",
    "full": "exact",
    "written": "exact",
    "short": "short form",
    "variant": "short form",
    "typo": "short form",
    "predecessor": "predecessor",
}
FUZZY_CUTOFF = 60.0
FUZZY_BAND = 8.0  # keep fuzzy matches within this many points of the best
UNIT_COLUMNS = "u.id AS unit_id, u.key, u.name AS unit_name, u.jurisdiction AS unit_jurisdiction, u.kind, u.type"


class UnitMatch:
    """One unit a query resolved to, and how.  (A plain class, not a dataclass: importing
    dataclasses costs milliseconds on the query path.)"""

    __slots__ = (
        "unit_id",
        "key",
        "name",
        "jurisdiction",
        "kind",
        "step",
        "how",
        "matched",
        "score",
        "year",
        "change",
        "written",
        "type",
        "by_type",
    )

    def __init__(
        self,
        unit_id: int,
        key: str,
        name: str,
        jurisdiction: str | None,
        kind: str,
        step: str,
        how: str,
        matched: str,
        score: float | None = None,
        year: int | None = None,
        change: str | None = None,
        written: list[str] | None = None,
        type: str | None = None,
        by_type: bool = False,
    ):
        self.unit_id = unit_id
        self.key = key
        self.name = name  # canonical
        self.jurisdiction = jurisdiction
        self.kind = kind  # body | collective
        self.step = step  # exact | alias | predecessor | traditional | pinyin | fuzzy
        self.how = how  # unit_names.how of the name that matched (canonical, short, ... predecessor)
        self.matched = matched  # the stored name that matched
        self.score = score  # fuzzy score 0-100
        self.year = year  # predecessor: year of the change
        self.change = change  # predecessor: renamed | merged
        self.written = written if written is not None else []  # names written in the result rows
        self.type = type  # its body type (data/bodies.toml), None when unknown
        self.by_type = by_type  # found through a name of its body type (发改委 -> 发展改革委)

    def __repr__(self) -> str:
        return f"UnitMatch({self.label!r}, step={self.step!r}, how={self.how!r}, matched={self.matched!r})"

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__} | {"label": self.label, "matched_by": self.matched_by}

    @property
    def matched_by(self) -> str:
        """exact | short form | predecessor | traditional | pinyin | fuzzy."""
        return MATCHED_BY_STEP.get(self.step) or MATCHED_BY_HOW.get(self.how, "exact")

    @property
    def label(self) -> str:
        """ "城市管理局 (两江新区)"."""
        return f"{self.name} ({self.jurisdiction})" if self.jurisdiction else self.name

    def describe(self, query: str | None = None) -> str:
        """ "城市管理局 (两江新区), also written 城管局" (``query``: the text that was looked up)."""
        parts = [self.label]
        named = "" if self.matched == query else f" {self.matched}"
        of_type = (
            _(" of {type}").format(type=self.type) if self.by_type and self.type and self.matched != self.type else ""
        )
        if self.how == "predecessor":
            when = f" {self.year}" if self.year else ""
            change = self.change or _("renamed")
            parts.append(
                _("former name{name}{of_type} ({change}{when})").format(
                    name=named, of_type=of_type, change=change, when=when
                )
            )
        elif self.step == "fuzzy":
            parts.append(_("nearest name {name} (score {score})").format(name=self.matched, score=f"{self.score:.0f}"))
        elif self.step == "pinyin":
            parts.append(_("pinyin of {name}").format(name=self.matched))
        elif named and self.matched != self.name:
            how = _(HOW_WORDS[self.how]) if self.how in HOW_WORDS else self.how
            parts.append(f"{how}{named}{of_type}")
        elif self.by_type and self.type and self.name != self.type:
            parts.append(_("a {type}").format(type=self.type))
        others = [w for w in self.written if w != self.name]
        if others:
            parts.append(_("also written {names}").format(names="、".join(others)))
        return _(", ").join(parts)


def ascii_letters(text: str) -> str | None:
    """ "Cheng Guan-Ju" -> "chengguanju"; None when the text is not (full-width) latin letters."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text).lower()
    letters = "".join(ch for ch in text if ch not in " '-_.·")
    if letters and letters.isascii() and letters.isalpha():
        return letters
    return None


def match_from(
    row: sqlite3.Row, step: str | None = None, score: float | None = None, by_type: bool = False
) -> UnitMatch:
    how = row["how"] or "canonical"
    return UnitMatch(
        unit_id=row["unit_id"],
        key=row["key"],
        name=row["unit_name"],
        jurisdiction=row["unit_jurisdiction"],
        kind=row["kind"] or "body",
        step=step or STEP_OF_HOW.get(how, "alias"),
        how=how,
        matched=row["matched"],
        score=score,
        year=row["year"],
        change=row["change"],
        type=row["type"],
        by_type=by_type,
    )


def best_per_unit(matches: list[UnitMatch], text: str | None = None) -> list[UnitMatch]:
    """One match per unit: the best score, then the name as queried, then by how."""
    best: dict[int, UnitMatch] = {}
    for m in matches:
        old = best.get(m.unit_id)
        if old is None or _rank(m, text) < _rank(old, text):
            best[m.unit_id] = m
    return list(best.values())


def _rank(m: UnitMatch, text: str | None = None) -> tuple:
    return (-(m.score or 0), m.matched != text, HOW_RANK.get(m.how, 9))
