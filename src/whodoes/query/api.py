"""The query functions: plain Python over an open read-only connection.

The CLI (whodoes.cli.app) is a thin wrapper over these; tests call them directly::

    from whodoes.query import api as query
    conn = query.connect()                      # the shipped database, read-only
    res = query.tasks_for_unit(conn, "城管局", year=2020)
    print(res.description)
    for row in res.rows: print(row["id"], row["text"], row["lead"])

Rows are dicts (see ``TASK_KEYS``); multi-valued fields (lead, support, ...) are lists.
Bad filter values raise ``whodoes.query.db.UsageError``; database problems ``DataError``.
Standard library + sqlite3 only (rapidfuzz only when a unit query needs fuzzy matching).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from whodoes.query.db import DataError, UsageError, WhodoesError, connect  # noqa: F401  (re-exported)
from whodoes.query.filters import (  # noqa: F401
    ROLES,
    Filters,
    as_int,
    check_filters,
    doc_filter_sql,
    due_sql,
    filter_sql,
    positive_int,
)
from whodoes.query.jurisdictions import jurisdiction_order
from whodoes.query.resolve import Resolution, clean_query, resolve, resolve_where, simplified_by_table  # noqa: F401
from whodoes.query.rows import DETAIL_KEYS, TASK_KEYS, fetch_by_id, fetch_tasks, loads, period, tuples  # noqa: F401

if TYPE_CHECKING:
    from collections.abc import Callable


class Result:
    """Rows of a query and how the query was understood (``description``).

    Truthy when there are rows; iterating gives the rows.
    """

    def __init__(
        self,
        kind: str,
        query: str,
        filters: Filters | None = None,
        resolution: Resolution | None = None,
        searched: str | None = None,
    ):
        self.kind = kind  # "unit" | "task" | "export"
        self.query = query
        self.rows: list[dict] = []
        self.description = ""
        self.filters = filters or Filters()
        self.resolution = resolution  # unit queries
        self.searched = searched  # task queries: the text searched (simplified)
        self.terms: list[str] = []  # task queries: the words found as written and the phrases meant (shown highlighted)
        self.suggestions: list[str] = []  # when there are no rows
        self.total = 0  # rows before --limit
        self._unfiltered = 0
        self._count_unfiltered: Callable[[], int] | None = None  # a function counting them, called on first use
        self.undated: dict[str, int] = {}  # due queries: tasks due every year, quarter, month or ongoing, by kind

    @property
    def unfiltered(self) -> int:
        """Task queries: matches before the --year/--where/--doc/--role filters."""
        if self._count_unfiltered is not None:
            self._unfiltered, self._count_unfiltered = self._count_unfiltered(), None
        return self._unfiltered

    @unfiltered.setter
    def unfiltered(self, n: int) -> None:
        self._unfiltered, self._count_unfiltered = n, None

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __repr__(self) -> str:
        return f"Result({self.kind!r}, {self.query!r}, rows={len(self.rows)}, description={self.description!r})"


# ----------------------------------------------------------------------------------------------
# whodoes unit


def tasks_for_unit(
    conn: sqlite3.Connection,
    query: str,
    *,
    year: int | str | None = None,
    role: str = "any",
    where: str | list[str] | None = None,
    doc: str | list[str] | None = None,
    limit: int | str | None = None,
    details: bool = True,
    due_before: str | None = None,
    due_after: str | None = None,
    overdue: bool = False,
    as_of: str | None = None,
    fuzzy: bool = False,
) -> Result:
    """Every task the unit(s) a query resolves to lead or support.

    A fuzzy guess answers only with ``fuzzy``; otherwise, when only the fuzzy step would find
    units, there are no rows and ``suggestions`` lists them ("did you mean").

    Rows are grouped by unit (in resolution order), then by document, lead rows first, then
    in the order of the plan.  Each row adds ``unit`` ("城市管理局 (两江新区)"),
    ``unit_jurisdiction``, ``role`` (lead|support) and ``as_written`` (the name in that
    task's cell, e.g. 环保分局 for 生态环境分局 in the 2018 plan); with ``year`` also
    ``year`` and ``target`` (that year's target where the table has one), and ``matched_by``
    (exact, short form, predecessor, traditional, pinyin, fuzzy: how the query found the unit).
    """
    f = check_filters(
        conn,
        year=year,
        role=role,
        where=where,
        doc=doc,
        limit=limit,
        due_before=due_before,
        due_after=due_after,
        overdue=overdue,
        as_of=as_of,
    )
    res = resolve(conn, query, f.where, fuzzy=fuzzy)
    result = Result(kind="unit", query=query, filters=f, resolution=res)
    if not res.units:
        result.description = res.describe()
        result.suggestions = res.suggestions
        return result
    hits = _unit_hits(conn, res.unit_ids, f)
    result.total = len(hits)
    if f.limit is not None:
        hits = hits[: f.limit]
    result.rows = _unit_rows(conn, res, hits, f, details)
    result.description = res.describe()
    if not result.rows:
        result.suggestions = _why_no_rows(conn, res, f)
    return result


def _unit_hits(conn: sqlite3.Connection, unit_ids: list[int], f: Filters) -> list[tuple]:
    """The (unit_id, task_id, role, written names, document ordinal, task ordinal) of the
    units' tasks under the filters, one per unit, task and role: grouped by unit (in
    resolution order), then by document, lead rows first, then in the order of the plan."""
    cond, args = doc_filter_sql(f, jurisdiction=False)
    due, due_args = due_sql(f)
    cond, args = f"{cond} AND {due}", [*args, *due_args]
    sql = f"""SELECT tu.unit_id, tu.task_id, tu.role, group_concat(tu.name, char(31)) AS written,
                     d.ordinal AS doc_ordinal, t.ordinal AS ordinal
                FROM task_units tu
                JOIN tasks t ON t.id = tu.task_id
                JOIN documents d ON d.id = t.document_id
               WHERE tu.unit_id IN ({",".join("?" * len(unit_ids))}) AND {cond}"""
    args = [*unit_ids, *args]
    if f.role in ("lead", "support"):
        sql += " AND tu.role = ?"
        args.append(f.role)
    sql += " GROUP BY tu.unit_id, tu.task_id, tu.role"
    hits = tuples(conn, sql, args)
    unit_pos = {uid: i for i, uid in enumerate(unit_ids)}
    hits.sort(key=lambda h: (unit_pos[h[0]], h[4], h[2] != "lead", h[5], h[1]))
    return hits


def _unit_rows(conn: sqlite3.Connection, res: Resolution, hits: list[tuple], f: Filters, details: bool) -> list[dict]:
    """One row per hit: the task's record plus the unit it is listed for, its role, the name
    written in the task's cell and how the query found the unit; also records on each unit
    the names it was written under (UnitMatch.written)."""
    records = fetch_by_id(conn, {h[1] for h in hits}, year=f.year, details=details)
    by_id = {u.unit_id: u for u in res.units}
    rows = []
    seen: set[int] = set()  # a task in two rows (two units, or lead and support) gets a copy
    for unit_id, task_id, role, written, _, _ in hits:
        rec = records.get(task_id)
        if rec is None:
            continue
        u = by_id[unit_id]
        written = list(dict.fromkeys(w for w in (written or "").split("\x1f") if w))
        u.written.extend(w for w in written if w not in u.written)
        row = dict(rec) if task_id in seen else rec
        seen.add(task_id)
        row.update(
            unit=u.label,
            unit_jurisdiction=u.jurisdiction,
            role=role,
            as_written="、".join(written),
            matched_by=u.matched_by,
        )
        rows.append(row)
    return rows


def _why_no_rows(conn: sqlite3.Connection, res: Resolution, f: Filters) -> list[str]:
    """For a unit that matched but has no rows under the filters: what it does have."""
    out = []
    ids = res.unit_ids
    rows = conn.execute(
        f"""SELECT d.id, d.period_start, d.period_end, tu.role, count(DISTINCT tu.task_id) AS n
              FROM task_units tu JOIN tasks t ON t.id = tu.task_id JOIN documents d ON d.id = t.document_id
             WHERE tu.unit_id IN ({",".join("?" * len(ids))})
             GROUP BY d.id, tu.role ORDER BY d.ordinal, tu.role""",
        ids,
    ).fetchall()
    for r in rows:
        out.append(f"{r['role']} in {r['n']} task(s) of {r['id']} ({period(r['period_start'], r['period_end'])})")
    if not rows:
        out.append("no task names this unit")
    return out


# ----------------------------------------------------------------------------------------------
# whodoes task


def search_tasks(
    conn: sqlite3.Connection,
    query: str,
    *,
    year: int | str | None = None,
    role: str = "any",
    where: str | list[str] | None = None,
    doc: str | list[str] | None = None,
    limit: int | str | None = None,
    exact: bool = False,
    details: bool = True,
    due_before: str | None = None,
    due_after: str | None = None,
    overdue: bool = False,
    as_of: str | None = None,
) -> Result:
    """Tasks whose category, title, text or detail match the query, ranked.

    Exact matches first (the whole query as written, then every word of it), in plan
    order; when there are none, the tasks of the phrases the query means (whodoes.query.spelling:
    its pinyin or initials, match "pinyin"; unless ``exact``, a homophone or a typo of one
    character, match "fuzzy"); then, unless ``exact``, fuzzy matches (tasks holding most of
    the query's character pairs), best first.  Traditional characters are simplified first.
    Each row adds ``match`` ("exact" | "pinyin" | "fuzzy"); with ``year`` also ``year`` and ``target``.
    ``role`` lead|support keeps tasks that have a lead|supporting unit.
    Only the rows shown (``limit``) are read in full.
    """
    from whodoes.query import search  # imported here: the other queries do without it

    f = check_filters(
        conn,
        year=year,
        role=role,
        where=where,
        doc=doc,
        limit=limit,
        due_before=due_before,
        due_after=due_after,
        overdue=overdue,
        as_of=as_of,
    )
    cleaned = clean_query(query)
    text = simplified_by_table(conn, cleaned)
    result = Result(kind="task", query=query, filters=f, searched=text)
    terms = text.split(" ")
    ranked, n_exact, near, n_fuzzy = search.ranked(conn, text, f, exact=exact)
    shown = ranked[: f.limit] if f.limit else ranked
    records = fetch_by_id(conn, [i for i, _ in shown], year=f.year, details=details)
    for i, match in shown:
        rec = records.get(i)
        if rec is not None:
            rec["match"] = match
            result.rows.append(rec)
    result.total = len(ranked)
    head = cleaned if text == cleaned else f"{cleaned} (traditional characters: {text})"
    how = (
        "trigram index"
        if min(len(t) for t in terms) >= 3
        else ("bigram index" if min(len(t) for t in terms) == 2 else "scan")
    )
    result.terms = [*terms, *(m.phrase for m, ids in near if ids)]
    meant = "".join(f", {len(ids)} as {m.phrase} ({m.reason})" for m, ids in near if ids)
    result.description = f"{head}: {n_exact} exact{meant}, {n_fuzzy} fuzzy ({how})"
    if f.year is not None or f.where is not None or f.docs is not None or f.role in ("lead", "support") or f.by_due:
        # counted when asked for (the CLI asks only when the filters leave nothing)
        result._count_unfiltered = lambda: search.count(conn, text, fuzzy=not exact)
    else:
        result.unfiltered = len(ranked)
    if not ranked and not result.unfiltered:
        result.suggestions = search.suggest_terms(conn, text)
    return result


# ----------------------------------------------------------------------------------------------
# whodoes show / docs / units / export


def get_task(conn: sqlite3.Connection, task_id: int | str) -> dict | None:
    """One task in full (details, units, source text), or None when there is no such task.

    ``task_id``: a uid (``wulong-2019-two-mountains-base-plan/3``, or with a document-id
    prefix that names one document, ``wulong/3``) or a numeric id (see ``whodoes.query.taskref``).
    """
    from whodoes.query.taskref import find_task_id

    i = find_task_id(conn, task_id)
    if i is None:
        return None
    rows = fetch_tasks(conn, [i], details=True)
    if not rows:
        return None
    rec = rows[0]
    r = conn.execute("SELECT source_text FROM tasks WHERE id = ?", (i,)).fetchone()
    rec["source_text"] = r["source_text"] if r else None
    return rec


def task_ref_hint(conn: sqlite3.Connection, ref) -> str:
    """What ``whodoes show`` says after 'no task REF': the uids of that document, or the ids."""
    from whodoes.query.taskref import document_of_prefix

    text = str(ref).strip()
    if "/" in text:
        doc = document_of_prefix(conn, text.rpartition("/")[0])
        if doc is None:
            return " (no document id starts so: see `whodoes docs`)"
        n = conn.execute("SELECT count(*) FROM tasks WHERE document_id = ?", (doc,)).fetchone()[0]
        return f" ({doc} has tasks {doc}/1 to {doc}/{n})" if n else f" ({doc} has no tasks)"
    span = task_id_range(conn)
    return f" (ids run from {span[0]} to {span[1]})" if span else " (the database has no tasks)"


def task_id_range(conn: sqlite3.Connection) -> tuple[int, int] | None:
    row = conn.execute("SELECT min(id), max(id) FROM tasks").fetchone()
    return None if row[0] is None else (row[0], row[1])


def list_documents(conn: sqlite3.Connection, *, verbose: bool = False) -> list[dict]:
    """The documents in order: id, title, jurisdiction, period, tasks (+ details if verbose)."""
    rows = conn.execute(
        """SELECT d.*, (SELECT count(*) FROM tasks t WHERE t.document_id = d.id) AS n
             FROM documents d ORDER BY d.ordinal, d.id"""
    ).fetchall()
    base = database_folder(conn)
    out = []
    for r in rows:
        rec = {
            "id": r["id"],
            "title": r["title"],
            "jurisdiction": r["jurisdiction"],
            "period": period(r["period_start"], r["period_end"]),
            "tasks": r["n"],
            "path": plan_path(base, r["folder"], r["file"]),
        }
        if verbose:
            rec.update(
                issuer=r["issuer"],
                doc_number=r["doc_number"],
                date=r["date"],
                period_note=r["period_note"],
                layouts=loads(r["layouts"], []),
                file=r["file"],
                sha256=r["sha256"],
                encoding=r["encoding"],
            )
        out.append(rec)
    return out


def database_folder(conn: sqlite3.Connection) -> str:
    """The folder of the database file ``conn`` reads."""
    import os

    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main" and row[2]:
            return os.path.dirname(row[2])
    return ""


def plan_path(base: str, folder: str | None, file: str | None) -> str:
    """Where a document's plan file is: ``documents.folder`` is relative to the database's
    folder (its own sources/) or absolute (the shipped plans, seen from the user's database)."""
    import os

    if not file:
        return ""
    if folder is None:
        return file
    return os.path.normpath(os.path.join(base, folder, file))


def list_units(
    conn: sqlite3.Connection,
    *,
    where: str | list[str] | None = None,
    body_type: str | None = None,
    unknown: bool = False,
) -> list[dict]:
    """Units with jurisdiction, kind, body type and how many tasks each leads and supports.

    Bodies first, collectives after; within each, by jurisdiction (document order), then by
    number of tasks, then name.  ``body_type``: only the units of that type (a type's name
    as ``find_type`` reads it); ``unknown``: only the bodies nothing knows (not in
    data/units.toml, of no type in data/bodies.toml).
    """
    f = check_filters(conn, where=where)
    rows = _unit_counts(conn, f.where, body_type, unknown)
    out = [_unit_entry(r) for r in rows]
    pos = jurisdiction_order(conn)
    out.sort(
        key=lambda u: (
            u["kind"] == "collective",
            pos.get(u["jurisdiction"], len(pos)),
            -(u["leads"] + u["supports"]),
            -u["leads"],
            u["name"],
        )
    )
    return out


def _unit_counts(
    conn: sqlite3.Connection, where: list[str] | None, body_type: str | None, unknown: bool
) -> list[sqlite3.Row]:
    """Each unit under the filters with the tasks and projects it leads and supports, and the
    names it is written under (joined by char 31)."""
    sql = """SELECT u.id, u.key, u.name, u.jurisdiction, u.kind, u.type, u.curated, u.note,
                    count(DISTINCT CASE WHEN tu.role = 'lead' THEN tu.task_id END) AS leads,
                    count(DISTINCT CASE WHEN tu.role = 'support' THEN tu.task_id END) AS supports,
                    count(DISTINCT CASE WHEN tu.role = 'lead' AND t.level = 'project' THEN tu.task_id END) AS lead_projects,
                    count(DISTINCT CASE WHEN tu.role = 'support' AND t.level = 'project' THEN tu.task_id END)
                      AS support_projects,
                    group_concat(tu.name, char(31)) AS written
               FROM units u LEFT JOIN task_units tu ON tu.unit_id = u.id LEFT JOIN tasks t ON t.id = tu.task_id"""
    args: list = []
    conds = []
    if where:
        conds.append(f"u.jurisdiction IN ({','.join('?' * len(where))})")
        args += where
    if body_type is not None:
        conds.append("u.type = ?")
        args.append(body_type)
    if unknown:
        conds.append("u.type IS NULL AND u.curated = 0 AND u.kind = 'body'")
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    return conn.execute(sql + " GROUP BY u.id", args).fetchall()


def _unit_entry(r: sqlite3.Row) -> dict:
    """A unit as ``list_units`` gives it: the names it is written under other than its own."""
    written = [w for w in dict.fromkeys((r["written"] or "").split("\x1f")) if w and w != r["name"]]
    entry = {
        k: r[k]
        for k in (
            "id",
            "key",
            "name",
            "jurisdiction",
            "kind",
            "type",
            "leads",
            "supports",
            "lead_projects",
            "support_projects",
        )
    }
    entry.update(kind=r["kind"] or "body", written=written, curated=bool(r["curated"]))
    return entry


def find_type(conn: sqlite3.Connection, text: str) -> str | None:
    """The body type a name denotes (生态环境局, 环保局, 发改委 -> its canonical type), or None."""
    from whodoes.query.resolve import _unprefixed

    name = clean_query(text).replace(" ", "")
    name = simplified_by_table(conn, name)
    for form in _unprefixed(name):
        row = conn.execute("SELECT type FROM type_names WHERE name = ? LIMIT 1", (form,)).fetchone()
        if row is not None:
            return row[0]
    row = conn.execute("SELECT type FROM units WHERE name = ? AND type IS NOT NULL LIMIT 1", (name,)).fetchone()
    return row[0] if row else None


def nearest_types(conn: sqlite3.Connection, text: str, n: int = 5) -> list[str]:
    """Body types whose names share the most characters with ``text`` (for "did you mean")."""
    chars = set(text)
    scores: dict[str, int] = {}
    for name, type_ in conn.execute("SELECT name, type FROM type_names"):
        shared = len(chars & set(name))
        if shared:
            scores[type_] = max(scores.get(type_, 0), shared)
    return sorted(scores, key=lambda t: (-scores[t], t))[:n]


def compare_type(
    conn: sqlite3.Connection,
    query: str,
    *,
    year: int | str | None = None,
    where: str | list[str] | None = None,
    doc: str | list[str] | None = None,
    tasks: int = 5,
) -> tuple[str | None, list[dict]]:
    """Side by side, one row per jurisdiction: its body of the type a unit query names
    (生态环境局, 环保局, 武隆区城管局 -> 城市管理局), the tasks it leads and supports (counted,
    and the first ``tasks`` of each as "text (#id)").  Returns (type, rows); (None, []) when
    the query names no unit of a body type."""
    f = check_filters(conn, year=year, where=where, doc=doc)
    type_ = find_type(conn, query)
    if type_ is None:
        res = resolve(conn, query, f.where)
        type_ = next((u.type for u in res.units if u.type), None)
    if type_ is None:
        return None, []
    units = list_units(conn, where=f.where, body_type=type_)
    cond, args = doc_filter_sql(f)
    rows = []
    for u in units:
        hits = conn.execute(
            f"""SELECT DISTINCT tu.role, t.id, coalesce(t.title, t.text) AS text
                  FROM task_units tu JOIN tasks t ON t.id = tu.task_id JOIN documents d ON d.id = t.document_id
                 WHERE tu.unit_id = ? AND {cond} ORDER BY d.ordinal, t.ordinal""",
            [u["id"], *args],
        ).fetchall()
        by_role: dict[str, list[str]] = {"lead": [], "support": []}
        for h in hits:
            by_role[h["role"]].append(f"{_short(h['text'])} (#{h['id']})")
        rows.append(
            {
                "jurisdiction": u["jurisdiction"],
                "unit": u["name"],
                "type": type_,
                "leads": len(by_role["lead"]),
                "supports": len(by_role["support"]),
                "lead_tasks": by_role["lead"][:tasks],
                "support_tasks": by_role["support"][:tasks],
            }
        )
    pos = jurisdiction_order(conn)
    rows.sort(key=lambda r: pos.get(r["jurisdiction"], len(pos)))
    return type_, rows


def _short(text: str | None, n: int = 24) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def export_tasks(
    conn: sqlite3.Connection,
    *,
    year: int | str | None = None,
    role: str = "any",
    where: str | list[str] | None = None,
    doc: str | list[str] | None = None,
    limit: int | str | None = None,
    details: bool = True,
    due_before: str | None = None,
    due_after: str | None = None,
    overdue: bool = False,
    as_of: str | None = None,
) -> Result:
    """Every task row in document order (filters as for the other queries)."""
    f = check_filters(
        conn,
        year=year,
        role=role,
        where=where,
        doc=doc,
        limit=limit,
        due_before=due_before,
        due_after=due_after,
        overdue=overdue,
        as_of=as_of,
    )
    rows = fetch_tasks(conn, None, filters=f, details=details)
    result = Result(kind="export", query="", filters=f)
    result.total = len(rows)
    result.rows = rows[: f.limit] if f.limit else rows
    result.description = f"{len(result.rows)} of {len(rows)} tasks"
    return result


# ----------------------------------------------------------------------------------------------
# whodoes due


def within_days(value) -> int:
    """``--within``: 90d, 12w, 3m (30 days a month), 1y (365 days), or a number of days."""
    text = str(value).strip().lower()
    unit = text[-1:] if text[-1:] in ("d", "w", "m", "y") else "d"
    number = text[:-1] if text[-1:] in ("d", "w", "m", "y") else text
    if not (number.isascii() and number.isdigit()) or int(number) < 1 or int(number) > 100 * 365:
        raise UsageError(f"--within must be a span such as 90d, 12w, 6m or 1y, not {str(value)[:40]!r}")
    return int(number) * {"d": 1, "w": 7, "m": 30, "y": 365}[unit]


def due_tasks(
    conn: sqlite3.Connection,
    *,
    within: str | None = None,
    as_of: str | None = None,
    where: str | list[str] | None = None,
    doc: str | list[str] | None = None,
    role: str | None = "any",
    limit: int | str | None = None,
    details: bool = True,
) -> Result:
    """Tasks falling due from ``as_of`` (default today) to ``within`` later (default 90 days),
    by due date, then in plan order; each row adds ``month`` (YYYY-MM).  Only tasks with a
    due date (kinds date and target-year); recurring and ongoing ones are counted in
    ``result.undated``."""
    import datetime

    from whodoes.query.filters import iso_date, today

    start = iso_date(as_of, "--as-of") if as_of is not None else today()
    days = within_days(within if within is not None else "90d")
    end = (datetime.date.fromisoformat(start) + datetime.timedelta(days=days)).isoformat()
    f = check_filters(conn, where=where, doc=doc, role=role, limit=limit, due_after=start, due_before=end)
    rows = fetch_tasks(conn, None, filters=f, details=details)
    rows.sort(key=lambda r: r["due"])
    for r in rows:
        r["month"] = r["due"][:7]
    result = Result(kind="due", query="", filters=f)
    result.total = len(rows)
    result.rows = rows[: f.limit] if f.limit else rows
    plain = Filters(where=f.where, docs=f.docs, role=f.role)
    cond, args = filter_sql(plain)
    result.undated = dict(
        tuples(
            conn,
            f"SELECT t.due_kind, count(*) FROM tasks t JOIN documents d ON d.id = t.document_id"
            f" WHERE {cond} AND t.due_kind IN ('yearly', 'quarterly', 'monthly', 'ongoing')"
            " GROUP BY t.due_kind",
            args,
        )
    )
    others = ", ".join(f"{n} {k}" for k, n in sorted(result.undated.items()))
    result.description = f"due from {start} to {end} ({days} days): {len(rows)} task{'s' if len(rows) != 1 else ''}" + (
        f"; without a single date: {others}" if others else ""
    )
    return result


# ----------------------------------------------------------------------------------------------
# whodoes stats


def unit_stats(
    conn: sqlite3.Connection,
    *,
    where: str | list[str] | None = None,
    role: str | None = "any",
    top: int | str | None = 10,
    collectives: bool = False,
) -> list[dict]:
    """Who carries the most tasks: per jurisdiction (document order), the ``top`` units by
    the number of tasks they lead, then by the number they support.

    Rows: jurisdiction, role, rank, unit, kind, tasks, projects, key, label.  Each level is
    counted on its own: ``tasks`` the tasks (table rows, plain tasks), ``projects`` the key
    projects (重点工程 paragraphs), which the table rows break down; ranked by tasks, then
    projects.  Ties share a rank (1, 2, 2, 4) and the cut at ``top`` keeps every unit tied
    with the last one kept.  ``label``: the plans' own words for the unit's cells in that
    role, most used first (牵头单位, 责任单位 ...; task_units.label), empty where the plan
    names none.  Collectives (相关部门, 各街道 ...) only with ``collectives``; units with no
    task or project in that role are left out.
    """
    f = check_filters(conn, where=where, role=role)
    n = 10 if top is None else positive_int(top, "--top")
    units = [u for u in list_units(conn, where=f.where) if collectives or u["kind"] != "collective"]
    order = jurisdiction_order(conn)
    jurisdictions = sorted({u["jurisdiction"] or "" for u in units}, key=lambda j: (order.get(j, len(order)), j))
    roles = ["lead", "support"] if f.role == "any" else [f.role]
    labels = unit_labels(conn)
    out = []
    for j in jurisdictions:
        for r in roles:
            counts = {u["key"]: (u[r + "s"] - u[r + "_projects"], u[r + "_projects"]) for u in units}
            ranked = sorted(
                (u for u in units if (u["jurisdiction"] or "") == j and u[r + "s"] > 0),
                key=lambda u: (-counts[u["key"]][0], -counts[u["key"]][1], u["name"]),
            )
            rank = 0
            for i, u in enumerate(ranked):
                if i == 0 or counts[u["key"]] != counts[ranked[i - 1]["key"]]:
                    rank = i + 1  # ties share the rank of the first of them
                if rank > n:
                    break
                tasks, projects = counts[u["key"]]
                out.append(
                    {
                        "jurisdiction": j,
                        "role": r,
                        "rank": rank,
                        "unit": u["name"],
                        "kind": u["kind"],
                        "tasks": tasks,
                        "projects": projects,
                        "key": u["key"],
                        "label": "、".join(labels.get((u["id"], r), [])),
                    }
                )
    return out


def unit_labels(conn: sqlite3.Connection) -> dict[tuple[int, str], list[str]]:
    """(unit id, role) -> the labels of the columns its cells stood under (task_units.label:
    牵头单位, 责任单位, 配合单位 ...), the most used first."""
    got: dict[tuple[int, str], list[str]] = {}
    for unit_id, role, label, _n in conn.execute(
        "SELECT unit_id, role, label, count(*) AS n FROM task_units WHERE label IS NOT NULL AND label != '' "
        "GROUP BY unit_id, role, label ORDER BY unit_id, role, n DESC, label"
    ):
        got.setdefault((unit_id, role), []).append(label)
    return got
