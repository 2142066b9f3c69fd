"""The fuzzy step of unit resolution: the nearest unit names by rapidfuzz (imported only
when some name shares a character with the query); also the suggestions when nothing
matches (``whodoes.query.resolve.suggest``).

Each distinct name (or pinyin) is scored once per connection and query: names repeat in
every district, and a name sharing no character with the query scores 0, so only names
that share one are scored.  Imported by whodoes.query.resolve only when the exact, alias,
traditional and pinyin lookups miss.
"""

from __future__ import annotations

import sqlite3

from whodoes.query.db import cached
from whodoes.query.matching import FUZZY_BAND, FUZZY_CUTOFF, UNIT_COLUMNS, UnitMatch, ascii_letters, best_per_unit, match_from


def _choices(conn: sqlite3.Connection, where: list[str] | None, column: str) -> tuple[str, ...]:
    """The distinct names (``column`` "name") or pinyin ("pinyin") of the units in ``where``
    (all units when None); cached per connection.  Names repeat across jurisdictions (every
    district has a 城市管理局), so these are far fewer than the units."""

    def compute():
        if where is None:  # the index on the column gives them in order, once each
            sql = f"""SELECT {column} FROM unit_names WHERE {column} != '' GROUP BY {column}"""
            if column == "name":
                sql += " UNION SELECT name FROM units WHERE name != ''"
            return tuple(r[0] for r in conn.execute(sql))
        marks = ",".join("?" * len(where))
        sql = f"""SELECT un.{column} FROM unit_names un JOIN units u ON u.id = un.unit_id
                   WHERE u.jurisdiction IN ({marks}) AND un.{column} != ''"""
        if column == "name":
            sql += f" UNION ALL SELECT name FROM units WHERE jurisdiction IN ({marks}) AND name != ''"
        return tuple(dict.fromkeys(r[0] for r in conn.execute(sql, [*where, *where] if column == "name" else where)))

    return cached(conn, ("choices", column, None if where is None else tuple(where)), compute)


def _scores(conn: sqlite3.Connection, text: str, where: list[str] | None) -> tuple[str, list[tuple[str, float]]]:
    """(column, [(name or pinyin, WRatio score > 0)], best first): every choice that could be
    a fuzzy match or a suggestion, scored once per connection and query.  A name sharing no
    character with the query scores 0, so only names that share one are scored."""

    def compute():
        letters = ascii_letters(text)
        column, query = ("pinyin", letters) if letters else ("name", text)
        choices = _choices(conn, where, column)
        if not letters:
            chars = set(query)
            choices = [c for c in choices if not chars.isdisjoint(c)]
        if not choices:
            return column, []
        from rapidfuzz import fuzz, process

        found = process.extract(query, choices, scorer=fuzz.WRatio, limit=None)
        return column, [(c, float(score)) for c, score, _ in found if score > 0]

    return cached(conn, ("scores", text, None if where is None else tuple(where)), compute)


def lookup_fuzzy(
    conn: sqlite3.Connection,
    text: str,
    where: list[str] | None = None,
    *,
    cutoff: float = FUZZY_CUTOFF,
    band: float | None = FUZZY_BAND,
    limit: int = 20,
) -> list[UnitMatch]:
    """Nearest names by rapidfuzz (imported here only): every unit within ``band`` of the best."""
    column, scored = _scores(conn, text, where)
    own = "UNION ALL SELECT {cols}, u.name AS matched, 'canonical', NULL, NULL, u.name, 1e18 + u.id FROM units u WHERE u.name IN ({marks})"
    matches: list[UnitMatch] = []
    units: set[int] = set()
    i = 0
    # names in groups of equal score, best first, until the limit or the band is reached: the
    # units of lower-scored names could not make it (a name may be every district's unit)
    while i < len(scored) and scored[i][1] >= cutoff:
        score = scored[i][1]
        if units and (len(units) >= limit or (band is not None and score < matches[0].score - band)):
            break
        j = i
        while j < len(scored) and scored[j][1] == score:
            j += 1
        names = [c for c, _ in scored[i:j]]
        i = j
        marks = ",".join("?" * len(names))
        rows = conn.execute(
            f"""SELECT {UNIT_COLUMNS}, un.name AS matched, un.how, un.year, un.change, un.{column} AS choice, un.rowid AS ord
                  FROM unit_names un JOIN units u ON u.id = un.unit_id
                 WHERE un.{column} IN ({marks}) {own.format(cols=UNIT_COLUMNS, marks=marks) if column == "name" else ""}
                 ORDER BY ord""",
            [*names, *(names if column == "name" else ())],
        ).fetchall()
        full = len(units) >= limit
        for r in rows:  # in the order of the table, as rapidfuzz's extract over every row had them
            uid = r["unit_id"]
            if (where is None or r["unit_jurisdiction"] in where) and (uid in units or not full):
                matches.append(match_from(r, step="fuzzy", score=score))
                units.add(uid)
                full = len(units) >= limit
    matches = best_per_unit(matches)
    matches.sort(key=lambda m: -(m.score or 0))
    if matches and band is not None:
        best = matches[0].score or 0
        matches = [m for m in matches if (m.score or 0) >= best - band]
    return matches[:limit]
