"""The query functions: plain Python over an open read-only connection.

The CLI (whodoes.cli) is a thin wrapper over these; tests call them directly::

    from whodoes import query
    conn = query.connect()                      # the shipped database, read-only
    res = query.tasks_for_unit(conn, "城管局", year=2020)
    print(res.description)
    for row in res.rows: print(row["id"], row["text"], row["lead"])

Rows are dicts (see ``TASK_KEYS``); multi-valued fields (lead, support, ...) are lists.
Bad filter values raise ``whodoes.db.UsageError``; database problems ``DataError``.
Standard library + sqlite3 only (rapidfuzz only when a unit query needs fuzzy matching).
"""

from __future__ import annotations

import sqlite3

from whodoes import resolve as _resolve
from whodoes.db import DataError, UsageError, WhodoesError, connect  # noqa: F401  (re-exported)
from whodoes.resolve import Resolution, clean_query, resolve, resolve_where, to_simplified  # noqa: F401

ROLES = ("lead", "support", "any")

# The keys of a task row, in order.  ``year``/``target`` only with a year filter; ``unit``,
# ``unit_jurisdiction``, ``role``, ``as_written`` only in tasks_for_unit rows; ``match`` only in
# search_tasks rows; the keys after ``source_file`` only with details=True.
TASK_KEYS = (
    "id", "document", "document_title", "jurisdiction", "period", "doc_sha256", "seq", "section",
    "category", "title", "text", "detail", "deadline", "lead", "support", "lead_canonical",
    "support_canonical", "lead_label", "support_label", "line", "line_end", "source_file",
)
DETAIL_KEYS = ("part", "targets", "commanders", "inherited", "lead_raw", "support_raw")


class Filters:
    """Checked filter values (see ``check_filters``)."""

    def __init__(self, year: int | None = None, role: str = "any", where: list[str] | None = None,
                 docs: list[str] | None = None, limit: int | None = None):
        self.year = year
        self.role = role
        self.where = where
        self.docs = docs
        self.limit = limit

    def __repr__(self) -> str:
        return f"Filters(year={self.year!r}, role={self.role!r}, where={self.where!r}, docs={self.docs!r}, limit={self.limit!r})"


class Result:
    """Rows of a query and how the query was understood (``description``).

    Truthy when there are rows; iterating gives the rows.
    """

    def __init__(self, kind: str, query: str, filters: Filters | None = None, resolution: Resolution | None = None,
                 searched: str | None = None):
        self.kind = kind  # "unit" | "task" | "export"
        self.query = query
        self.rows: list[dict] = []
        self.description = ""
        self.filters = filters or Filters()
        self.resolution = resolution  # unit queries
        self.searched = searched  # task queries: the text searched (simplified)
        self.suggestions: list[str] = []  # when there are no rows
        self.total = 0  # rows before --limit
        self._unfiltered = 0
        self._count_unfiltered = None  # a function counting them, called on first use

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
# small helpers


def _loads(text: str | None, default):
    """Decode a JSON column; json is imported only for non-trivial values."""
    if text is None or text in ("", "null", "{}", "[]"):
        return type(default)()
    import json

    try:
        value = json.loads(text)
    except ValueError:
        return type(default)()
    return value if isinstance(value, type(default)) else type(default)()


def _period(start: int | None, end: int | None) -> str:
    if start and end:
        return f"{start}-{end}" if start != end else str(start)
    return str(start or end or "")


def _ids_json(ids) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


def _as_int(value, what: str) -> int:
    if isinstance(value, bool):
        raise UsageError(f"{what}: not a number")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text or not (text.isdigit() or (text[0] in "+-" and text[1:].isdigit())) or not text.isascii():
        raise UsageError(f"{what}: {str(value)[:40]!r} is not a whole number")
    return int(text)


def year_span(conn: sqlite3.Connection) -> tuple[int, int] | None:
    """The first and last year any plan covers."""
    row = conn.execute(
        "SELECT min(coalesce(period_start, period_end)), max(coalesce(period_end, period_start)) FROM documents"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return int(row[0]), int(row[1])


def resolve_docs(conn: sqlite3.Connection, doc: str | None) -> list[str] | None:
    """``--doc`` text -> document ids: an id, a part of an id, title, number or file name."""
    if doc is None:
        return None
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in str(doc)).split())
    rows = conn.execute("SELECT id, title, doc_number, file, ordinal FROM documents ORDER BY ordinal").fetchall()
    ids = [r["id"] for r in rows]
    if not text:
        raise UsageError(f"--doc needs a document: one of {', '.join(ids)}")
    if text in ids:
        return [text]
    needle = to_simplified(conn, text).lower()
    hits = [
        r["id"]
        for r in rows
        if any(needle in (v or "").lower() for v in (r["id"], r["title"], r["doc_number"], r["file"]))
    ]
    if not hits:
        raise UsageError(f"unknown document {text[:60]!r} for --doc: use one of {', '.join(ids)} (see `whodoes docs`)")
    return hits


def check_filters(
    conn: sqlite3.Connection,
    *,
    year: int | str | None = None,
    role: str | None = "any",
    where: str | list[str] | None = None,
    doc: str | list[str] | None = None,
    limit: int | str | None = None,
) -> Filters:
    """Check filter values against the database; UsageError names the accepted values."""
    f = Filters()
    if year is not None:
        span = year_span(conn)
        accepted = f"the plans cover {span[0]}-{span[1]}" if span else "no plan has a period"
        try:
            y = _as_int(year, "--year")
        except UsageError:
            raise UsageError(f"--year must be a year such as 2020 ({accepted}), not {str(year)[:40]!r}") from None
        if span is None or not span[0] <= y <= span[1]:
            raise UsageError(f"--year {y}: no plan covers it; {accepted}")
        f.year = y
    r = (role or "any").strip().lower()
    if r not in ROLES:
        raise UsageError(f"--role must be one of {', '.join(ROLES)}, not {str(role)[:40]!r}")
    f.role = r
    if isinstance(where, (list, tuple)):
        where = ",".join(where)
    f.where = resolve_where(conn, where)
    if isinstance(doc, (list, tuple)):
        docs: list[str] = []
        for d in doc:
            docs.extend(x for x in resolve_docs(conn, d) or [] if x not in docs)
        f.docs = docs
    else:
        f.docs = resolve_docs(conn, doc)
    if limit is not None:
        try:
            n = _as_int(limit, "--limit")
        except UsageError:
            n = -1
        if n < 1:
            raise UsageError(f"--limit must be a positive whole number (1, 2, ...), not {str(limit)[:40]!r}")
        f.limit = n
    return f


def _doc_filter_sql(f: Filters, *, jurisdiction: bool = True) -> tuple[str, list]:
    """SQL conditions on ``d`` (documents) for the year, where and doc filters."""
    sql, args = [], []
    if f.year is not None:
        sql.append("coalesce(d.period_start, d.period_end) <= ? AND coalesce(d.period_end, d.period_start) >= ?")
        args += [f.year, f.year]
    if jurisdiction and f.where:
        sql.append(f"d.jurisdiction IN ({','.join('?' * len(f.where))})")
        args += f.where
    if f.docs is not None:
        sql.append(f"d.id IN ({','.join('?' * len(f.docs))})")
        args += f.docs
    return (" AND ".join(sql) or "1"), args


# ----------------------------------------------------------------------------------------------
# task rows

# The columns of a task row; the document's columns come from ``_documents`` (once per
# document, not once per row).  Rows are read as tuples: sqlite3.Row and its lookups by name
# cost more than the query itself for thousands of rows.
_COLS = ("t.id", "t.document_id", "t.seq", "t.section", "t.category", "t.title", "t.text", "t.detail",
         "t.deadline", "t.lead_label", "t.support_label", "t.line", "t.line_end")
_DETAIL_COLS = ("t.part", "t.targets", "t.commanders", "t.inherited", "t.lead_raw", "t.support_raw")


def _tuples(conn: sqlite3.Connection, sql: str, args=()) -> list[tuple]:
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(sql, args).fetchall()


def _select(year: int | None, details: bool = True) -> str:
    # the year is a checked int; json_extract spares importing json for one target
    target = f"json_extract(t.targets, '$.\"{int(year)}\"')" if year is not None else "NULL"
    cols = ", ".join((*_COLS, target, *(_DETAIL_COLS if details else ())))
    return f"SELECT {cols} FROM tasks t JOIN documents d ON d.id = t.document_id"


def _documents(conn: sqlite3.Connection, ids) -> dict[str, tuple]:
    """document id -> (title, jurisdiction, period, sha256, file)."""
    rows = _tuples(
        conn,
        "SELECT id, title, jurisdiction, period_start, period_end, sha256, file FROM documents"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (_json_strings(ids),),
    )
    return {r[0]: (r[1], r[2], _period(r[3], r[4]), r[5], r[6]) for r in rows}


def _json_strings(values) -> str:
    return "[" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "]"


def _records(conn: sqlite3.Connection, rows: list[tuple], *, year: int | None, details: bool) -> dict[int, dict]:
    """Task rows (tuples in the order of ``_select``) -> {id: record}, units attached."""
    docs = _documents(conn, {r[1] for r in rows})
    records: dict[int, dict] = {}
    for r in rows:
        doc = docs.get(r[1]) or (None, None, "", None, None)
        rec = {
            "id": r[0],
            "document": r[1],
            "document_title": doc[0],
            "jurisdiction": doc[1],
            "period": doc[2],
            "doc_sha256": doc[3],
            "seq": r[2],
            "section": r[3],
            "category": r[4],
            "title": r[5],
            "text": r[6],
            "detail": r[7],
            "deadline": r[8],
            "lead": [],
            "support": [],
            "lead_canonical": [],
            "support_canonical": [],
            "lead_label": r[9],
            "support_label": r[10],
            "line": r[11],
            "line_end": r[12],
            "source_file": doc[4],
        }
        if year is not None:
            rec["year"] = year
            target = r[13]
            rec["target"] = target if target is None or isinstance(target, str) else str(target)
        if details:
            rec["part"] = r[14]
            rec["targets"] = _loads(r[15], {})
            rec["commanders"] = _loads(r[16], [])
            rec["inherited"] = _loads(r[17], [])
            rec["lead_raw"] = r[18]
            rec["support_raw"] = r[19]
        records[r[0]] = rec
    _attach_units(conn, records, details=details)
    return records


_NO_UNIT = (None, None, None, None)


def _attach_units(conn: sqlite3.Connection, records: dict[int, dict], *, details: bool) -> None:
    if not records:
        return
    extra = ", position, label, inherited" if details else ""
    rows = _tuples(
        conn,
        f"""SELECT task_id, role, name, unit_id{extra} FROM task_units
             WHERE task_id IN (SELECT value FROM json_each(?)) ORDER BY task_id, role, position""",
        (_ids_json(records),),
    )
    # each unit once: (canonical name, jurisdiction, kind, key)
    units = {
        r[0]: r[1:]
        for r in _tuples(
            conn,
            "SELECT id, name, jurisdiction, kind, key FROM units WHERE id IN (SELECT value FROM json_each(?))",
            (_ids_json({r[3] for r in rows if r[3] is not None}),),
        )
    }
    labels: dict[tuple, str] = {}  # (unit id, name as written) -> "城市管理局 (两江新区)"
    for r in rows:
        rec = records.get(r[0])
        role = r[1]
        if rec is None or role not in ("lead", "support"):
            continue
        name = r[2]
        rec[role].append(name)
        label = labels.get((r[3], name))
        if label is None:
            unit = units.get(r[3]) or _NO_UNIT
            canonical = unit[0] or name
            label = labels[r[3], name] = f"{canonical} ({unit[1]})" if unit[1] else canonical
        canonicals = rec[role + "_canonical"]
        if label not in canonicals:
            canonicals.append(label)
        if details:
            unit = units.get(r[3]) or _NO_UNIT
            rec.setdefault("units", []).append(
                {
                    "role": role,
                    "position": r[4],
                    "name": name,
                    "unit_id": r[3],
                    "unit_key": unit[3],
                    "canonical": unit[0] or name,
                    "jurisdiction": unit[1],
                    "kind": unit[2],
                    "label": r[5],
                    "inherited": bool(r[6]),
                }
            )
    if details:
        for rec in records.values():
            rec.setdefault("units", [])


def fetch_tasks(
    conn: sqlite3.Connection,
    ids=None,
    *,
    filters: Filters | None = None,
    year: int | None = None,
    details: bool = True,
    order: str | None = "document",
) -> list[dict]:
    """Task rows for ``ids`` (all tasks when None), filtered, in document order (``order``
    None: in any order, for callers that order the rows themselves).

    ``details`` also decodes targets, commanders and inherited and adds ``units`` (every
    unit cell entry with its canonical unit, label and inherited flag).
    """
    f = filters or Filters(year=year)
    where, args = _doc_filter_sql(f)
    sql = _select(f.year, details) + f" WHERE {where}"
    if ids is not None:
        sql += " AND t.id IN (SELECT value FROM json_each(?))"
        args = [*args, _ids_json(ids)]
    if f.role in ("lead", "support"):
        sql += " AND EXISTS (SELECT 1 FROM task_units x WHERE x.task_id = t.id AND x.role = ?)"
        args.append(f.role)
    if order == "document":
        sql += " ORDER BY d.ordinal, t.ordinal, t.id"
    return list(_records(conn, _tuples(conn, sql, args), year=f.year, details=details).values())


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
) -> Result:
    """Every task the unit(s) a query resolves to lead or support.

    Rows are grouped by unit (in resolution order), then by document, lead rows first, then
    in the order of the plan.  Each row adds ``unit`` ("城市管理局 (两江新区)"),
    ``unit_jurisdiction``, ``role`` (lead|support) and ``as_written`` (the name in that
    task's cell, e.g. 环保分局 for 生态环境分局 in the 2018 plan); with ``year`` also
    ``year`` and ``target`` (that year's target where the table has one).
    """
    f = check_filters(conn, year=year, role=role, where=where, doc=doc, limit=limit)
    res = resolve(conn, query, f.where)
    result = Result(kind="unit", query=query, filters=f, resolution=res)
    if not res.units:
        result.description = res.describe()
        result.suggestions = res.suggestions
        return result
    unit_ids = res.unit_ids
    cond, args = _doc_filter_sql(f, jurisdiction=False)
    sql = f"""SELECT tu.unit_id, tu.task_id, tu.role, group_concat(tu.name, char(31)) AS written,
                     d.ordinal AS doc_ordinal, t.ordinal AS ordinal
                FROM task_units tu
                JOIN tasks t ON t.id = tu.task_id
                JOIN documents d ON d.id = t.document_id
               WHERE tu.unit_id IN ({','.join('?' * len(unit_ids))}) AND {cond}"""
    args = [*unit_ids, *args]
    if f.role in ("lead", "support"):
        sql += " AND tu.role = ?"
        args.append(f.role)
    sql += " GROUP BY tu.unit_id, tu.task_id, tu.role"
    hits = _tuples(conn, sql, args)  # (unit_id, task_id, role, written, doc ordinal, ordinal)
    unit_pos = {uid: i for i, uid in enumerate(unit_ids)}
    hits.sort(key=lambda h: (unit_pos[h[0]], h[4], h[2] != "lead", h[5], h[1]))
    result.total = len(hits)
    if f.limit is not None:
        hits = hits[: f.limit]
    records = {r["id"]: r for r in fetch_tasks(conn, {h[1] for h in hits}, filters=Filters(year=f.year), details=details,
                                               order=None)}
    by_id = {u.unit_id: u for u in res.units}
    seen: set[int] = set()  # a task in two rows (two units, or lead and support) gets a copy
    for unit_id, task_id, role, written, _, _ in hits:
        rec = records.get(task_id)
        if rec is None:
            continue
        u = by_id[unit_id]
        written = list(dict.fromkeys(w for w in (written or "").split("\x1f") if w))
        for w in written:
            if w not in u.written:
                u.written.append(w)
        row = dict(rec) if task_id in seen else rec
        seen.add(task_id)
        row["unit"] = u.label
        row["unit_jurisdiction"] = u.jurisdiction
        row["role"] = role
        row["as_written"] = "、".join(written)
        result.rows.append(row)
    result.description = res.describe()
    if not result.rows:
        result.suggestions = _why_no_rows(conn, res, f)
    return result


def _why_no_rows(conn: sqlite3.Connection, res: Resolution, f: Filters) -> list[str]:
    """For a unit that matched but has no rows under the filters: what it does have."""
    out = []
    ids = res.unit_ids
    rows = conn.execute(
        f"""SELECT d.id, d.period_start, d.period_end, tu.role, count(DISTINCT tu.task_id) AS n
              FROM task_units tu JOIN tasks t ON t.id = tu.task_id JOIN documents d ON d.id = t.document_id
             WHERE tu.unit_id IN ({','.join('?' * len(ids))})
             GROUP BY d.id, tu.role ORDER BY d.ordinal, tu.role""",
        ids,
    ).fetchall()
    for r in rows:
        out.append(f"{r['role']} in {r['n']} task(s) of {r['id']} ({_period(r['period_start'], r['period_end'])})")
    if not rows:
        out.append("no task names this unit")
    return out


# ----------------------------------------------------------------------------------------------
# whodoes task


def _fts_phrase(term: str) -> str:
    """An FTS5 phrase matching ``term`` literally: double quotes, inner quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


_HAY = ("lower(coalesce(t.category, '') || char(31) || coalesce(t.title, '') || char(31) || coalesce(t.text, '')"
        " || char(31) || coalesce(t.detail, ''))")


def _index_failed(e: sqlite3.OperationalError) -> bool:
    """An error from a missing or unusable full-text index (then a scan answers instead)."""
    text = str(e)
    return "no such table" in text or "fts5" in text or "no such module" in text or "tokenizer" in text


def _term_sql(term: str, *, scan: bool = False, lookup: str = "") -> tuple[str, list]:
    """A condition on ``t`` (tasks): category, title, text or detail contain ``term``.  FTS5
    trigram for >= 3 characters, the bigram index for 2, a scan for 1 (or ``scan``).
    ``lookup`` "+" keeps SQLite from looking the tasks up by the matches (see ``_from``)."""
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
            return {r[0] for r in _tuples(conn, f"SELECT t.id FROM tasks t WHERE {cond}", args)}
        except sqlite3.OperationalError as e:
            if scan or not _index_failed(e):
                raise
    return set()  # pragma: no cover


def _bigrams(text: str) -> list[str]:
    out: list[str] = []
    for word in text.split():
        for i in range(len(word) - 1):
            g = word[i : i + 2]
            if g.isalnum() and g not in out:
                out.append(g)
    return out


def _combinations(n: int, k: int) -> int:
    out = 1
    for i in range(k):
        out = out * (n - i) // (i + 1)
    return out


def _filter_sql(f: Filters) -> tuple[str, list]:
    """Conditions on ``t`` and ``d`` for every filter (year, where, doc, role)."""
    cond, args = _doc_filter_sql(f)
    if f.role in ("lead", "support"):
        cond += " AND EXISTS (SELECT 1 FROM task_units x WHERE x.task_id = t.id AND x.role = ?)"
        args = [*args, f.role]
    return cond, args


def _search(conn: sqlite3.Connection, text: str, f: Filters, *, fuzzy: bool, scan: bool = False
            ) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int]:
    """The matches of ``text`` under the filters, each in its rank order, the filters in the SQL
    (documents joined to the full-text lookups, no id set materialised in Python):

    * exact: [(id, 1 if the whole query matches as written else 0)], in plan order;
    * fuzzy: [(id, number of the query's character pairs the task has)], most first, then in
      plan order (tasks with at least 60 % of the pairs, at least 2, that are not exact);

    and the number of pairs."""
    cond, args = _filter_sql(f)
    terms = text.split(" ")
    # --where/--doc name a few documents: read their tasks and test each against the matches
    # (a set built once), rather than look up every match (海绵城市: 1,000 at 200x) and its document
    by_document = f.where is not None or f.docs is not None
    tables, lookup = ("documents d CROSS JOIN tasks t ON d.id = t.document_id", "+") if by_document else (
        "tasks t JOIN documents d ON d.id = t.document_id", "")
    parts = [_term_sql(t, scan=scan, lookup=lookup) for t in dict.fromkeys(sorted(terms, key=len, reverse=True))]
    phrase, phrase_args = ("1", [])
    if len(terms) > 1 and len(text) >= 3:
        phrase, phrase_args = _term_sql(text, scan=scan)
    sql = (f"SELECT t.id, {phrase} FROM {tables}"
           f" WHERE {' AND '.join(c for c, _ in parts)} AND {cond} ORDER BY d.ordinal, t.ordinal, t.id")
    exact = _tuples(conn, sql, [*phrase_args, *(a for _, x in parts for a in x), *args])
    grams = _bigrams(text)[:40] if fuzzy and len(text.replace(" ", "")) >= 3 else []
    if len(grams) < 2:
        return exact, [], len(grams)
    need = max(2, -(-len(grams) * 3 // 5))
    if scan:
        count = " + ".join(f"(instr({_HAY}, lower(?)) > 0)" for _ in grams)
        source = f"(SELECT t.id AS id, {count} AS n FROM tasks t) g"
        source_args = list(grams)
        source_cond = "g.n >= ?"
    elif _combinations(len(grams), need) <= 32:
        # "at least ``need`` of the pairs" as one full-text query, (a AND b) OR (a AND c) OR
        # (b AND c): FTS5 merges the lists of the pairs itself; the pairs are counted only for
        # the tasks left after the filters (a common pair such as 城市 is in most tasks)
        from itertools import combinations

        some = " OR ".join("(" + " AND ".join(map(_fts_phrase, c)) + ")" for c in combinations(grams, need))
        count = " + ".join("(t.id IN (SELECT rowid FROM task_grams WHERE task_grams MATCH ?))" for _ in grams)
        sql = (f"SELECT t.id, {count} AS n FROM {tables}"
               f" WHERE {lookup}t.id IN (SELECT rowid FROM task_grams WHERE task_grams MATCH ?) AND {cond}"
               " AND t.id NOT IN (SELECT value FROM json_each(?)) ORDER BY n DESC, d.ordinal, t.ordinal, t.id")
        fuzzy_rows = _tuples(conn, sql, [*map(_fts_phrase, grams), some, *args, _ids_json(i for i, _ in exact)])
        return exact, fuzzy_rows, len(grams)
    else:  # counted by SQLite
        union = " UNION ALL ".join("SELECT rowid AS id FROM task_grams WHERE task_grams MATCH ?" for _ in grams)
        source = f"(SELECT id, count(*) AS n FROM ({union}) GROUP BY id HAVING count(*) >= ?) g"
        source_args = [*(_fts_phrase(g) for g in grams), need]
        source_cond = "1"
    sql = (f"SELECT t.id, g.n FROM {source} JOIN tasks t ON t.id = g.id JOIN documents d ON d.id = t.document_id"
           f" WHERE {source_cond} AND {cond} AND t.id NOT IN (SELECT value FROM json_each(?))"
           " ORDER BY g.n DESC, d.ordinal, t.ordinal, t.id")
    fuzzy_rows = _tuples(conn, sql, [*source_args, *([need] if scan else []), *args, _ids_json(i for i, _ in exact)])
    return exact, fuzzy_rows, len(grams)


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
) -> Result:
    """Tasks whose category, title, text or detail match the query, ranked.

    Exact matches first (the whole query as written, then every word of it), in plan
    order; then, unless ``exact``, fuzzy matches (tasks holding most of the query's
    character pairs), best first.  Traditional characters are simplified first.  Each row
    adds ``match`` ("exact" | "fuzzy"); with ``year`` also ``year`` and ``target``.
    ``role`` lead|support keeps tasks that have a lead|supporting unit.
    Only the rows shown (``limit``) are read in full.
    """
    f = check_filters(conn, year=year, role=role, where=where, doc=doc, limit=limit)
    cleaned = clean_query(query)
    text = to_simplified(conn, cleaned)
    result = Result(kind="task", query=query, filters=f, searched=text)
    terms = text.split(" ")

    def search(filters: Filters):
        try:
            return _search(conn, text, filters, fuzzy=not exact)
        except sqlite3.OperationalError as e:
            if not _index_failed(e):
                raise
            return _search(conn, text, filters, fuzzy=not exact, scan=True)

    exact_rows, fuzzy_rows, n_grams = search(f)
    ranked = [(i, 0 if whole else 1) for i, whole in exact_rows if whole] + [(i, 1) for i, whole in exact_rows if not whole]
    ranked += [(i, 2) for i, _ in fuzzy_rows]
    shown = ranked[: f.limit] if f.limit else ranked
    records = {r["id"]: r for r in fetch_tasks(conn, [i for i, _ in shown], filters=Filters(year=f.year), details=details,
                                               order=None)} if shown else {}
    for i, rank in shown:
        rec = records.get(i)
        if rec is not None:
            rec["match"] = "exact" if rank < 2 else "fuzzy"
            result.rows.append(rec)
    result.total = len(ranked)
    head = cleaned if text == cleaned else f"{cleaned} (traditional characters: {text})"
    how = "trigram index" if min(len(t) for t in terms) >= 3 else ("bigram index" if min(len(t) for t in terms) == 2 else "scan")
    result.description = f"{head}: {len(exact_rows)} exact, {len(fuzzy_rows)} fuzzy ({how})"
    if f.year is not None or f.where is not None or f.docs is not None or f.role in ("lead", "support"):
        # counted when asked for (the CLI asks only when the filters leave nothing)
        result._count_unfiltered = lambda: sum(len(x) for x in search(Filters())[:2])
    else:
        result.unfiltered = len(ranked)
    if not ranked and not result.unfiltered:
        result.suggestions = suggest_terms(conn, text)
    return result


def suggest_terms(conn: sqlite3.Connection, text: str, n: int = 5) -> list[str]:
    """Nearest searches that do find tasks: the longest parts of the query that occur, and
    the unit the query names, if any."""
    out: list[str] = []
    word = max(text.split(" "), key=len)[:16]
    found: list[str] = []
    for size in range(len(word) - 1, 1, -1):
        for i in range(len(word) - size + 1):
            part = word[i : i + size]
            if part in found or any(part in g for g in found):
                continue
            try:
                count = len(term_ids(conn, part))
            except sqlite3.Error:
                count = 0
            if count:
                found.append(part)
                out.append(f"{part} ({count} task{'s' if count != 1 else ''})")
        if len(found) >= 3:
            break
    try:
        res = resolve(conn, text, None, fuzzy=False)
        if res.units:
            out.append(f"`whodoes unit {text}` ({'; '.join(u.label for u in res.units[:3])})")
    except WhodoesError:
        pass
    return out[:n]


# ----------------------------------------------------------------------------------------------
# whodoes show / docs / units / export


def get_task(conn: sqlite3.Connection, task_id: int | str) -> dict | None:
    """One task in full (details, units, source text), or None when there is no such id."""
    try:
        i = _as_int(task_id, "task id")
    except UsageError:
        raise UsageError(f"task id must be a whole number such as 42 (the id column), not {str(task_id)[:40]!r}") from None
    if i < 1 or i > 2**62:
        return None
    rows = fetch_tasks(conn, [i], details=True)
    if not rows:
        return None
    rec = rows[0]
    r = conn.execute("SELECT source_text FROM tasks WHERE id = ?", (i,)).fetchone()
    rec["source_text"] = r["source_text"] if r else None
    return rec


def task_id_range(conn: sqlite3.Connection) -> tuple[int, int] | None:
    row = conn.execute("SELECT min(id), max(id) FROM tasks").fetchone()
    return None if row[0] is None else (row[0], row[1])


def list_documents(conn: sqlite3.Connection, *, verbose: bool = False) -> list[dict]:
    """The documents in order: id, title, jurisdiction, period, tasks (+ details if verbose)."""
    rows = conn.execute(
        """SELECT d.*, (SELECT count(*) FROM tasks t WHERE t.document_id = d.id) AS n
             FROM documents d ORDER BY d.ordinal, d.id"""
    ).fetchall()
    out = []
    for r in rows:
        rec = {
            "id": r["id"],
            "title": r["title"],
            "jurisdiction": r["jurisdiction"],
            "period": _period(r["period_start"], r["period_end"]),
            "tasks": r["n"],
        }
        if verbose:
            rec.update(
                issuer=r["issuer"],
                doc_number=r["doc_number"],
                date=r["date"],
                period_note=r["period_note"],
                layouts=_loads(r["layouts"], []),
                file=r["file"],
                sha256=r["sha256"],
                encoding=r["encoding"],
            )
        out.append(rec)
    return out


def list_units(conn: sqlite3.Connection, *, where: str | list[str] | None = None) -> list[dict]:
    """Units with jurisdiction, kind and how many tasks each leads and supports.

    Bodies first, collectives after; within each, by jurisdiction (document order), then by
    number of tasks, then name.
    """
    f = check_filters(conn, where=where)
    known = _resolve.jurisdictions(conn)
    pos = {j: i for i, j in enumerate(known)}
    sql = """SELECT u.id, u.key, u.name, u.jurisdiction, u.kind, u.curated, u.note,
                    count(DISTINCT CASE WHEN tu.role = 'lead' THEN tu.task_id END) AS leads,
                    count(DISTINCT CASE WHEN tu.role = 'support' THEN tu.task_id END) AS supports,
                    group_concat(tu.name, char(31)) AS written
               FROM units u LEFT JOIN task_units tu ON tu.unit_id = u.id"""
    args: list = []
    if f.where:
        sql += f" WHERE u.jurisdiction IN ({','.join('?' * len(f.where))})"
        args += f.where
    sql += " GROUP BY u.id"
    rows = conn.execute(sql, args).fetchall()
    out = []
    for r in rows:
        written = [w for w in dict.fromkeys((r["written"] or "").split("\x1f")) if w and w != r["name"]]
        out.append(
            {
                "id": r["id"],
                "key": r["key"],
                "name": r["name"],
                "jurisdiction": r["jurisdiction"],
                "kind": r["kind"] or "body",
                "leads": r["leads"],
                "supports": r["supports"],
                "written": written,
                "curated": bool(r["curated"]),
            }
        )
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


def export_tasks(
    conn: sqlite3.Connection,
    *,
    year: int | str | None = None,
    role: str = "any",
    where: str | list[str] | None = None,
    doc: str | list[str] | None = None,
    limit: int | str | None = None,
    details: bool = True,
) -> Result:
    """Every task row in document order (filters as for the other queries)."""
    f = check_filters(conn, year=year, role=role, where=where, doc=doc, limit=limit)
    rows = fetch_tasks(conn, None, filters=f, details=details)
    result = Result(kind="export", query="", filters=f)
    result.total = len(rows)
    result.rows = rows[: f.limit] if f.limit else rows
    result.description = f"{len(result.rows)} of {len(rows)} tasks"
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

    Rows: jurisdiction, role, rank, unit, kind, tasks, key.  Collectives (相关部门, 各街道 ...)
    only with ``collectives``; units with no task in that role are left out.
    """
    f = check_filters(conn, where=where, role=role)
    n = 10
    if top is not None:
        try:
            n = _as_int(top, "--top")
        except UsageError:
            n = 0
        if n < 1:
            raise UsageError(f"--top must be a positive whole number (1, 2, ...), not {str(top)[:40]!r}")
    units = [u for u in list_units(conn, where=f.where) if collectives or u["kind"] != "collective"]
    order = {j: i for i, j in enumerate(_resolve.jurisdictions(conn))}
    jurisdictions = sorted({u["jurisdiction"] or "" for u in units}, key=lambda j: (order.get(j, len(order)), j))
    roles = ["lead", "support"] if f.role == "any" else [f.role]
    out = []
    for j in jurisdictions:
        for r in roles:
            key = r + "s"
            ranked = sorted((u for u in units if (u["jurisdiction"] or "") == j and u[key] > 0),
                            key=lambda u: (-u[key], u["name"]))
            for rank, u in enumerate(ranked[:n], 1):
                out.append({"jurisdiction": j, "role": r, "rank": rank, "unit": u["name"], "kind": u["kind"],
                            "tasks": u[key], "key": u["key"]})
    return out
