"""The filters of the task queries (--year, --role, --where, --doc, --limit): their values
checked against the database, and the SQL conditions they become.

``check_filters`` turns what the user typed into a ``Filters`` (a year some plan covers,
lead|support|any, jurisdictions, document ids, a positive limit) or raises UsageError with a
message naming the accepted values.
"""

from __future__ import annotations

import sqlite3

from whodoes.errors import UsageError
from whodoes.i18n import _
from whodoes.query.resolve import printable, resolve_where, simplified_by_table

ROLES = ("lead", "support", "any")


class Filters:
    """Checked filter values (see ``check_filters``)."""

    def __init__(
        self,
        year: int | None = None,
        role: str = "any",
        where: list[str] | None = None,
        docs: list[str] | None = None,
        limit: int | None = None,
        due_before: str | None = None,
        due_after: str | None = None,
        overdue_as_of: str | None = None,
    ):
        self.year = year
        self.role = role
        self.where = where
        self.docs = docs
        self.limit = limit
        self.due_before = due_before  # ISO dates: due on or before, on or after
        self.due_after = due_after
        self.overdue_as_of = overdue_as_of  # due strictly before this day (--overdue [--as-of])

    @property
    def by_due(self) -> bool:
        return bool(self.due_before or self.due_after or self.overdue_as_of)

    def __repr__(self) -> str:
        return (
            f"Filters(year={self.year!r}, role={self.role!r}, where={self.where!r}, docs={self.docs!r}, "
            f"limit={self.limit!r}, due_before={self.due_before!r}, due_after={self.due_after!r}, "
            f"overdue_as_of={self.overdue_as_of!r})"
        )


HUGE_DIGITS = 30
HUGE = 10**HUGE_DIGITS  # what a whole number of more digits stands for (a limit no table reaches)


def as_int(value, what: str) -> int:
    """A whole number from an int or its text (bools are not numbers); else UsageError."""
    if isinstance(value, bool):
        raise UsageError(_("{what}: not a number").format(what=what))
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text or not (text.isdigit() or (text[0] in "+-" and text[1:].isdigit())) or not text.isascii():
        raise UsageError(_("{what}: {value!r} is not a whole number").format(what=what, value=str(value)[:40]))
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > HUGE_DIGITS:  # beyond any id, year or limit; int() refuses 4,300 digits and more
        return -HUGE if text.startswith("-") else HUGE
    return int(text)


def positive_int(value, flag: str) -> int:
    """``--limit`` / ``--top``: a positive whole number, else UsageError."""
    try:
        n = as_int(value, flag)
    except UsageError:
        n = 0
    if n < 1:
        raise UsageError(
            _("{option} must be a positive whole number (1, 2, ...), not {value!r}").format(
                option=flag, value=str(value)[:40]
            )
        )
    return n


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
    text = printable(str(doc))
    rows = conn.execute("SELECT id, title, doc_number, file, ordinal FROM documents ORDER BY ordinal").fetchall()
    ids = [r["id"] for r in rows]
    if not text:
        raise UsageError(_("--doc needs a document: one of {ids}").format(ids=", ".join(ids)))
    if text in ids:
        return [text]
    needle = simplified_by_table(conn, text).lower()
    hits = [
        r["id"]
        for r in rows
        if any(needle in (v or "").lower() for v in (r["id"], r["title"], r["doc_number"], r["file"]))
    ]
    if not hits:
        raise UsageError(
            _("unknown document {name!r} for --doc: use one of {ids} (see `whodoes docs`)").format(
                name=text[:60], ids=", ".join(ids)
            )
        )
    return hits


def iso_date(value, flag: str) -> str:
    """``--due-before`` & co: a day as YYYY-MM-DD (also YYYY-MM: its last day; YYYY: 12-31)."""
    import datetime

    text = str(value).strip()
    parts = text.split("-")
    try:
        if len(parts) == 1 and len(text) == 4 and text.isdigit():
            return f"{text}-12-31"
        if len(parts) == 2 and text.isascii():
            y, m = int(parts[0]), int(parts[1])
            last = (datetime.date(y + m // 12, m % 12 + 1, 1) - datetime.timedelta(days=1)).day
            return f"{y:04d}-{m:02d}-{last:02d}"
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(
            _("{option} must be a date such as 2025-06-30 (or 2025-06, 2025), not {value!r}").format(
                option=flag, value=text[:40]
            )
        ) from None


def today() -> str:
    import datetime

    return datetime.date.today().isoformat()


def _check_due(f: Filters, due_before, due_after, overdue, as_of) -> None:
    if due_before is not None:
        f.due_before = iso_date(due_before, "--due-before")
    if due_after is not None:
        f.due_after = iso_date(due_after, "--due-after")
    if as_of is not None and not overdue:
        raise UsageError(_("--as-of goes with --overdue (the day to count from; default today)"))
    if overdue:
        f.overdue_as_of = iso_date(as_of, "--as-of") if as_of is not None else today()
    if f.due_before and f.due_after and f.due_after > f.due_before:
        raise UsageError(
            _("--due-after {after} is later than --due-before {before}").format(after=f.due_after, before=f.due_before)
        )


def check_filters(
    conn: sqlite3.Connection,
    *,
    year: int | str | None = None,
    role: str | None = "any",
    where: str | list[str] | None = None,
    doc: str | list[str] | None = None,
    limit: int | str | None = None,
    due_before: str | None = None,
    due_after: str | None = None,
    overdue: bool = False,
    as_of: str | None = None,
) -> Filters:
    """Check filter values against the database; UsageError names the accepted values."""
    f = Filters()
    _check_due(f, due_before, due_after, overdue, as_of)
    if year is not None:
        span = year_span(conn)
        accepted = (
            _("the plans cover {start}-{end}").format(start=span[0], end=span[1]) if span else _("no plan has a period")
        )
        try:
            y = as_int(year, "--year")
        except UsageError:
            raise UsageError(
                _("--year must be a year such as 2020 ({accepted}), not {value!r}").format(
                    accepted=accepted, value=str(year)[:40]
                )
            ) from None
        if span is None or not span[0] <= y <= span[1]:
            raise UsageError(_("--year {year}: no plan covers it; {accepted}").format(year=y, accepted=accepted))
        f.year = y
    r = (role or "any").strip().lower()
    if r not in ROLES:
        raise UsageError(
            _("--role must be one of {roles}, not {value!r}").format(roles=", ".join(ROLES), value=str(role)[:40])
        )
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
        f.limit = positive_int(limit, "--limit")
    return f


def doc_filter_sql(f: Filters, *, jurisdiction: bool = True) -> tuple[str, list]:
    """SQL conditions on ``d`` (documents) for the year, where and doc filters."""
    sql: list[str] = []
    args: list[object] = []
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


DATED_KINDS = ("date", "target-year")  # the kinds a date filter reads (recurring and ongoing have no one date)


def due_sql(f: Filters) -> tuple[str, list]:
    """Conditions on ``t`` for --due-before, --due-after and --overdue (only tasks with a due
    date of kind date or target-year pass them)."""
    if not f.by_due:
        return "1", []
    sql = [f"t.due IS NOT NULL AND t.due_kind IN ({', '.join(repr(k) for k in DATED_KINDS)})"]
    args: list = []
    for op, value in (("<=", f.due_before), (">=", f.due_after), ("<", f.overdue_as_of)):
        if value:
            sql.append(f"t.due {op} ?")
            args.append(value)
    return " AND ".join(sql), args


def filter_sql(f: Filters) -> tuple[str, list]:
    """Conditions on ``t`` and ``d`` for every filter (year, where, doc, role, due dates)."""
    cond, args = doc_filter_sql(f)
    due, due_args = due_sql(f)
    if f.by_due:
        cond, args = f"{cond} AND {due}", [*args, *due_args]
    if f.role in ("lead", "support"):
        cond += " AND EXISTS (SELECT 1 FROM task_units x WHERE x.task_id = t.id AND x.role = ?)"
        args = [*args, f.role]
    return cond, args
