"""The jurisdictions of a database (两江新区, 武隆区 ...): their order, their short forms
(两江), and the prefixes (区, 县, 市) their documents write before a unit's name.

Cached per connection (``whodoes.query.db.cached``): a query asks for them several times.
"""

from __future__ import annotations

import sqlite3

from whodoes.query.db import cached

PREFIXES = "区县市"


def jurisdictions(conn: sqlite3.Connection) -> list[str]:
    """Every jurisdiction, in document order, then those only units name."""
    return list(cached(conn, "jurisdictions", lambda: _jurisdictions(conn)))


def jurisdiction_order(conn: sqlite3.Connection) -> dict[str, int]:
    """jurisdiction -> its place in ``jurisdictions`` (for sorting by it)."""
    return {j: i for i, j in enumerate(jurisdictions(conn))}


def document_jurisdictions(conn: sqlite3.Connection) -> tuple[str, ...]:
    """The jurisdictions of the documents, in document order (a few rows; the units are many)."""

    def compute():
        return tuple(
            j
            for (j,) in conn.execute(
                "SELECT jurisdiction FROM documents WHERE jurisdiction IS NOT NULL GROUP BY jurisdiction ORDER BY min(ordinal)"
            )
        )

    return cached(conn, "document jurisdictions", compute)


def _jurisdictions(conn: sqlite3.Connection) -> tuple[str, ...]:
    out = list(document_jurisdictions(conn))
    for (j,) in conn.execute(
        "SELECT DISTINCT jurisdiction FROM units WHERE jurisdiction IS NOT NULL ORDER BY jurisdiction"
    ):
        if j not in out:
            out.append(j)
    return tuple(out)


def short_jurisdiction(name: str) -> str:
    for suffix in ("新区", "区", "县", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def split_jurisdiction(text: str, known) -> tuple[str | None, str]:
    """ "武隆区城管局" -> ("武隆区", "城管局"); ("两江城管局") -> ("两江新区", "城管局").

    ``known``: jurisdictions (each also by its short form), or a dict form -> jurisdiction
    (``place_forms``); the longest form written in front wins."""
    forms = known if isinstance(known, dict) else {f: j for j in known for f in (j, short_jurisdiction(j))}
    best: tuple[str | None, str] = (None, text)
    best_len = 0
    for form, j in forms.items():
        if text.startswith(form) and len(text) - len(form) >= 2 and len(form) > best_len:
            best, best_len = (j, text[len(form) :]), len(form)
    return best


def place_forms(conn: sqlite3.Connection) -> dict[str, str]:
    """Every way a query may name a jurisdiction in front of a unit -> the jurisdiction: the
    database's jurisdictions and their short forms, and the places of data/bodies.toml (stored
    in the places table at build time) with theirs (江北区, 江北), plans or not."""

    def compute():
        forms = {}
        for name, short in conn.execute("SELECT name, short FROM places"):
            for form in (name, *(short or "").split()):
                forms.setdefault(form, name)
        for j in jurisdictions(conn):
            forms.setdefault(j, j)
            forms.setdefault(short_jurisdiction(j), j)
        return forms

    return dict(cached(conn, "place forms", compute))


def prefixed_jurisdictions(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """(jurisdiction, prefix) pairs where the documents write bodies with a prefix 区/县/市.

    Inferred from the names: some written name of a unit is the prefix plus its canonical
    name or another of its names (区城管局 beside 城管局 in 武隆区; the build strips only the
    prefixes data/units.toml gives a jurisdiction, so a curated variant such as 两江新区's
    区污普办 does not count).  When the names show none for a
    prefix, a jurisdiction whose name ends with it (武隆区, 云阳县, 重庆市) counts.
    """
    return set(cached(conn, "prefixed", lambda: _prefixed_jurisdictions(conn)))


def _prefixed_jurisdictions(conn: sqlite3.Connection) -> frozenset[tuple[str, str]]:
    # "is the rest another name of the unit" as one IN over every (unit, name) pair: SQLite
    # builds that set once, where a correlated EXISTS would walk every unit of that name
    rows = conn.execute(
        """SELECT DISTINCT u.jurisdiction, substr(a.name, 1, 1)
             FROM unit_names a JOIN units u ON u.id = a.unit_id
            WHERE substr(a.name, 1, 1) IN ('区', '县', '市') AND length(a.name) > 2 AND a.how = 'written'
              AND (substr(a.name, 2) = u.name
                   OR a.unit_id || char(31) || substr(a.name, 2) IN (SELECT b.unit_id || char(31) || b.name FROM unit_names b))"""
    ).fetchall()
    found = {(j, p) for j, p in rows if j}
    for name, prefixes in conn.execute("SELECT name, prefixes FROM places"):  # data/bodies.toml, units.toml
        found.update((name, p) for p in prefixes or "" if p in PREFIXES)
    seen = {p for _, p in found}
    for j in jurisdictions(conn):
        for p in PREFIXES:
            if p not in seen and j.endswith(p) and not j.endswith("新" + p):
                found.add((j, p))
    return frozenset(found)
