"""Finding tasks by their text (``whodoes task``): which tasks match a query, and in which
order (``ranked``); the rows themselves are read by whodoes.query.rows.

Each word of the query is looked up in the FTS5 trigram index (3 or more characters), the
bigram index task_grams (2 characters) or by a scan (1 character, or when an index is
missing or unusable); the fuzzy step finds the tasks that hold at least 60 % of the query's
character pairs.  The filters are conditions of the same SQL statements (see DESIGN.md,
"Query-time costs").
"""

from __future__ import annotations

import sqlite3
from math import comb
from typing import TYPE_CHECKING

from whodoes.errors import WhodoesError
from whodoes.query.filters import Filters, filter_sql
from whodoes.query.resolve import resolve
from whodoes.query.rows import ids_json, tuples

if TYPE_CHECKING:
    from whodoes.query.spelling import Near


def _fts_phrase(term: str) -> str:
    """An FTS5 phrase matching ``term`` literally: double quotes, inner quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


_HAY = (
    "lower(coalesce(t.category, '') || char(31) || coalesce(t.title, '') || char(31) || coalesce(t.text, '')"
    " || char(31) || coalesce(t.detail, ''))"
)


def _index_failed(e: sqlite3.OperationalError) -> bool:
    """An error from a missing or unusable full-text index (then a scan answers instead)."""
    text = str(e)
    return "no such table" in text or "fts5" in text or "no such module" in text or "tokenizer" in text


def _term_sql(term: str, *, scan: bool = False, lookup: str = "") -> tuple[str, list]:
    """A condition on ``t`` (tasks): category, title, text or detail contain ``term``.  FTS5
    trigram for >= 3 characters, the bigram index for 2, a scan for 1 (or ``scan``).
    ``lookup`` "+" keeps SQLite from looking the tasks up by the matches (see ``_matches``)."""
    if not scan:
        if len(term) >= 3:
            return f"{lookup}t.rowid IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ?)", [_fts_phrase(term)]
        if len(term) == 2 and term.isalnum():
            return f"{lookup}t.id IN (SELECT rowid FROM task_grams WHERE task_grams MATCH ?)", [_fts_phrase(term)]
    return f"instr({_HAY}, lower(?)) > 0", [term]


def term_ids(conn: sqlite3.Connection, term: str) -> set[int]:
    """Tasks containing ``term`` (see ``_term_sql``)."""
    for scan in (False, True):
        cond, args = _term_sql(term, scan=scan)
        try:
            return {r[0] for r in tuples(conn, f"SELECT t.id FROM tasks t WHERE {cond}", args)}
        except sqlite3.OperationalError as e:
            if scan or not _index_failed(e):
                raise
    return set()  # pragma: no cover


def bigrams(text: str) -> list[str]:
    """The distinct character pairs of the words of ``text`` (letters and digits), in order."""
    out: list[str] = []
    for word in text.split():
        for i in range(len(word) - 1):
            g = word[i : i + 2]
            if g.isalnum() and g not in out:
                out.append(g)
    return out


def find(
    conn: sqlite3.Connection, text: str, f: Filters, *, fuzzy: bool
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int]:
    """The exact and fuzzy matches of ``text`` under the filters and the number of character
    pairs (see ``_matches``); by a scan when the full-text indexes fail."""
    try:
        return _matches(conn, text, f, fuzzy=fuzzy)
    except sqlite3.OperationalError as e:
        if not _index_failed(e):
            raise
        return _matches(conn, text, f, fuzzy=fuzzy, scan=True)


def _matches(
    conn: sqlite3.Connection, text: str, f: Filters, *, fuzzy: bool, scan: bool = False
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int]:
    """The matches of ``text`` under the filters, each in its rank order, the filters in the SQL
    (documents joined to the full-text lookups, no id set materialised in Python):

    * exact: [(id, 1 if the whole query matches as written else 0)], in plan order;
    * fuzzy: [(id, number of the query's character pairs the task has)], most first, then in
      plan order (tasks with at least 60 % of the pairs, at least 2, that are not exact);

    and the number of pairs."""
    cond, args = filter_sql(f)
    terms = text.split(" ")
    # --where/--doc name a few documents: read their tasks and test each against the matches
    # (a set built once), rather than look up every match (海绵城市: 1,000 at 200x) and its document
    by_document = f.where is not None or f.docs is not None
    tables, lookup = (
        ("documents d CROSS JOIN tasks t ON d.id = t.document_id", "+")
        if by_document
        else ("tasks t JOIN documents d ON d.id = t.document_id", "")
    )
    parts = [_term_sql(t, scan=scan, lookup=lookup) for t in dict.fromkeys(sorted(terms, key=len, reverse=True))]
    phrase, phrase_args = "1", []  # type: tuple[str, list]
    if len(terms) > 1 and len(text) >= 3:
        phrase, phrase_args = _term_sql(text, scan=scan)
    sql = (
        f"SELECT t.id, {phrase} FROM {tables}"
        f" WHERE {' AND '.join(c for c, _ in parts)} AND {cond} ORDER BY d.ordinal, t.ordinal, t.id"
    )
    exact = tuples(conn, sql, [*phrase_args, *(a for _, x in parts for a in x), *args])
    grams = bigrams(text)[:40] if fuzzy and len(text.replace(" ", "")) >= 3 else []
    if len(grams) < 2:
        return exact, [], len(grams)
    need = max(2, -(-len(grams) * 3 // 5))
    if scan:
        count = " + ".join(f"(instr({_HAY}, lower(?)) > 0)" for _ in grams)
        source = f"(SELECT t.id AS id, {count} AS n FROM tasks t) g"
        source_args: list[object] = list(grams)
        source_cond = "g.n >= ?"
    elif comb(len(grams), need) <= 32:
        # "at least ``need`` of the pairs" as one full-text query, (a AND b) OR (a AND c) OR
        # (b AND c): FTS5 merges the lists of the pairs itself; the pairs are counted only for
        # the tasks left after the filters (a common pair such as 城市 is in most tasks)
        from itertools import combinations

        some = " OR ".join("(" + " AND ".join(map(_fts_phrase, c)) + ")" for c in combinations(grams, need))
        count = " + ".join("(t.id IN (SELECT rowid FROM task_grams WHERE task_grams MATCH ?))" for _ in grams)
        sql = (
            f"SELECT t.id, {count} AS n FROM {tables}"
            f" WHERE {lookup}t.id IN (SELECT rowid FROM task_grams WHERE task_grams MATCH ?) AND {cond}"
            " AND t.id NOT IN (SELECT value FROM json_each(?)) ORDER BY n DESC, d.ordinal, t.ordinal, t.id"
        )
        fuzzy_rows = tuples(conn, sql, [*map(_fts_phrase, grams), some, *args, ids_json(i for i, _ in exact)])
        return exact, fuzzy_rows, len(grams)
    else:  # counted by SQLite
        union = " UNION ALL ".join("SELECT rowid AS id FROM task_grams WHERE task_grams MATCH ?" for _ in grams)
        source = f"(SELECT id, count(*) AS n FROM ({union}) GROUP BY id HAVING count(*) >= ?) g"
        source_args = [*(_fts_phrase(g) for g in grams), need]
        source_cond = "1"
    sql = (
        f"SELECT t.id, g.n FROM {source} JOIN tasks t ON t.id = g.id JOIN documents d ON d.id = t.document_id"
        f" WHERE {source_cond} AND {cond} AND t.id NOT IN (SELECT value FROM json_each(?))"
        " ORDER BY g.n DESC, d.ordinal, t.ordinal, t.id"
    )
    fuzzy_rows = tuples(conn, sql, [*source_args, *([need] if scan else []), *args, ids_json(i for i, _ in exact)])
    return exact, fuzzy_rows, len(grams)


def find_near(conn: sqlite3.Connection, text: str, f: Filters, *, typos: bool) -> list[tuple[Near, list[int]]]:
    """For a query that matches nothing as written: the phrases it may mean
    (whodoes.query.spelling.Near, the most used first), each with its tasks under the filters in
    plan order (a task under the first phrase that has it)."""
    from whodoes.query.spelling import nearest

    out: list[tuple[Near, list[int]]] = []
    seen: set[int] = set()
    for phrase in nearest(conn, text, typos=typos):
        ids = [i for i, _ in find(conn, phrase.phrase, f, fuzzy=False)[0] if i not in seen]
        seen.update(ids)
        out.append((phrase, ids))
    return out


def ranked(
    conn: sqlite3.Connection, text: str, f: Filters, *, exact: bool
) -> tuple[list[tuple[int, str]], int, list[tuple[Near, list[int]]], int]:
    """The matches of ``whodoes task`` in rank order, [(id, "exact" | "pinyin" | "fuzzy")]:
    the whole query as written, every word of it, then (only when those are none) the
    phrases it means (``find_near``; with ``exact``, by pinyin only), then (unless ``exact``)
    the fuzzy ones; and the number of exact matches, the phrases meant with their tasks, the
    number of fuzzy matches."""
    exact_rows, fuzzy_rows, _ = find(conn, text, f, fuzzy=not exact)
    near = [] if exact_rows else find_near(conn, text, f, typos=not exact)
    near_rows = [(i, "pinyin" if m.how in ("pinyin", "initials") else "fuzzy") for m, ids in near for i in ids]
    taken = {i for i, _ in near_rows}
    fuzzy_rows = [(i, n) for i, n in fuzzy_rows if i not in taken]
    out = [(i, "exact") for i, whole in exact_rows if whole] + [(i, "exact") for i, whole in exact_rows if not whole]
    out += near_rows + [(i, "fuzzy") for i, _ in fuzzy_rows]
    return out, len(exact_rows), near, len(fuzzy_rows)


def count(conn: sqlite3.Connection, text: str, *, fuzzy: bool) -> int:
    """The tasks a query finds without filters (exact, near phrases, fuzzy)."""
    exact, fuzzy_rows, _ = find(conn, text, Filters(), fuzzy=fuzzy)
    if exact:
        return len(exact) + len(fuzzy_rows)
    near = {i for _, ids in find_near(conn, text, Filters(), typos=fuzzy) for i in ids}
    return len(near) + sum(1 for i, _ in fuzzy_rows if i not in near)


def suggest_terms(conn: sqlite3.Connection, text: str, n: int = 5) -> list[str]:
    """Nearest searches that do find tasks: whole phrases of the plans near the query
    (whodoes.query.spelling.suggestions, never a fragment of the query), with their number of
    tasks, and the unit the query names, if any."""
    from whodoes.query.spelling import suggestions

    out: list[str] = []
    for phrase in suggestions(conn, text, n):
        try:
            found = len(term_ids(conn, phrase))
        except sqlite3.Error:
            found = 0
        if found:
            out.append(f"{phrase} ({found} task{'s' if found != 1 else ''})")
    try:
        res = resolve(conn, text, None, fuzzy=False)
        if res.units:
            out.append(f"`whodoes unit {text}` ({'; '.join(u.label for u in res.units[:3])})")
    except WhodoesError:
        pass
    return out[:n]
