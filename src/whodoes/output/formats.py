"""Where and how a command's results go: the format (--format, -o FILE's extension, or
table on a terminal and csv otherwise), the file or standard output, the columns of the
task rows, the line saying how the query was understood (above a table, else on stderr),
and the message when there are no results.
"""

from __future__ import annotations

import os
import sys

from whodoes.errors import EXIT_EMPTY, EXIT_OK, PipeClosed, UsageError, err
from whodoes.i18n import _, header_language, ngettext
from whodoes.i18n import headers as column_names

# ----------------------------------------------------------------------------------------------
# the columns of task rows in the flat formats

TASK_HEAD = [
    ("id", "id"),
    ("uid", "uid"),
    ("document", "document"),
    ("document_title", "document_title"),
    ("jurisdiction", "jurisdiction"),
    ("period", "period"),
    ("level", "level"),
    ("project", "project"),
    ("seq", "seq"),
    ("section", "section"),
    ("category", "category"),
    ("title", "title"),
    ("task", "text"),
]
YEAR_COLS = [("year", "year"), ("target", "target")]
UNIT_COLS = [("unit", "unit"), ("role", "role"), ("as_written", "as_written"), ("matched_by", "matched_by")]
MATCH_COLS = [("match", "match")]
DUE_COLS = [("month", "month")]
TASK_TAIL = [
    ("lead", "lead"),
    ("support", "support"),
    ("lead_canonical", "lead_canonical"),
    ("support_canonical", "support_canonical"),
    ("detail", "detail"),
    ("deadline", "deadline"),
    ("due", "due"),
    ("due_kind", "due_kind"),
    ("deadline_text", "deadline_text"),
    ("source_file", "source_file"),
    ("source_line", "line"),
    ("status", "status"),
    ("status_date", "status_date"),  # the latest progress record (whodoes.query.records)
]
EXPORT_EXTRA = [
    ("targets", "targets"),
    ("lead_label", "lead_label"),
    ("support_label", "support_label"),
    ("inherited", "inherited"),
    ("commanders", "commanders"),
    ("doc_sha256", "doc_sha256"),
    ("location", "location"),
]
MD_UNIT = [
    ("uid", "uid"),
    ("seq", "seq"),
    ("level", "level"),
    ("role", "role"),
    ("as_written", "as_written"),
    ("matched_by", "matched_by"),
    ("category", "category"),
    ("task", "text"),
]
MD_TASK = [("uid", "uid"), ("seq", "seq"), ("level", "level"), ("category", "category"), ("task", "text")]
MD_TAIL = [
    ("lead", "lead"),
    ("support", "support"),
    ("due", "due"),
    ("deadline", "deadline_text"),
    ("source_line", "line"),
    ("status", "status"),
    ("status_date", "status_date"),
]


def task_columns(kind: str, year: int | None, fmt: str) -> list[tuple[str, str]]:
    """(header, key) pairs of the flat formats for ``unit`` / ``task`` / ``export`` rows.

    csv/tsv/xlsx: id, uid, document, document_title, jurisdiction, period, level, project, seq,
    section, category, title, task, [year, target], [unit, role, as_written, matched_by | match], lead,
    support, lead_canonical, support_canonical, detail, deadline, due, due_kind, deadline_text,
    source_file, source_line, status, status_date
    [, targets, lead_label, support_label, inherited, commanders, doc_sha256, location for export].
    """
    yc = YEAR_COLS if year is not None else []
    if fmt == "markdown":
        head = MD_UNIT if kind == "unit" else MD_TASK if kind != "due" else [("month", "month"), *MD_TASK]
        return (
            head
            + ([("target", "target")] if year is not None else [])
            + MD_TAIL
            + (MATCH_COLS if kind == "task" else [])
        )
    middle = UNIT_COLS if kind == "unit" else MATCH_COLS if kind == "task" else DUE_COLS if kind == "due" else []
    return TASK_HEAD + yc + middle + TASK_TAIL + (EXPORT_EXTRA if kind == "export" else [])


# ----------------------------------------------------------------------------------------------
# writing


def checked_format(fmt, output, db=None):
    """The format to write (see ``render.choose_format``), checked against ``-o FILE``
    before the query runs: xlsx needs a file, the file's folder must exist, and the file
    must not be an input (the database ``db``, a source: ``whodoes.output.outfile.check_target``)."""
    from whodoes.output import render

    fmt = render.choose_format(fmt, output)
    if fmt in ("xlsx", "docx") and not output:
        raise UsageError(_("--format {fmt} needs a file: add -o FILE.{fmt}").format(fmt=fmt))
    if output:  # say so before the query runs and its summary line is printed
        folder = os.path.dirname(os.path.abspath(output))
        if os.path.isdir(output):
            raise UsageError(_("cannot write {file}: it is a folder; give a file name").format(file=output))
        if not os.path.isdir(folder):
            raise UsageError(_("cannot write {file}: no such folder {folder}").format(file=output, folder=folder))
        from whodoes.output.outfile import check_target

        check_target(output, db)
    return fmt


def stdout():
    """Standard output, in UTF-8 whatever the locale says."""
    out = sys.stdout
    enc = (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if enc != "utf8" and hasattr(out, "reconfigure"):
        try:
            out.reconfigure(encoding="utf-8")
        except (ValueError, OSError):  # pragma: no cover
            pass
    return out


def _write_to(output: str | None, write, fmt: str | None = None) -> None:
    """``write(stream)`` to the file ``output`` (UTF-8; a temporary file renamed into place,
    ``whodoes.output.outfile.replace``), else to standard output, where a reader that closed the
    pipe (whodoes ... | head) raises PipeClosed and a failed write (a full disk, /dev/full)
    is one line, exit 2.  A table on a terminal taller than the screen goes through the
    pager (whodoes.output.pager)."""
    if output:
        from whodoes.interrupts import handle_sigterm
        from whodoes.output.outfile import replace

        handle_sigterm()
        replace(output, write)
        return
    out = stdout()
    command = None
    if fmt == "table" and out.isatty():
        from whodoes.output import pager

        command = pager.should_page(fmt=fmt, output=output, stdout=out, stdin=sys.stdin, environ=os.environ)
    try:
        if command:
            pager.write_paged(write, out, command)
        else:
            write(out)
        out.flush()
    except BrokenPipeError:
        raise PipeClosed() from None
    except OSError as e:
        from whodoes.interrupts import quiet_stdout

        quiet_stdout()  # what is left in the buffer must not fail again at exit
        raise UsageError(_("cannot write to standard output: {error}").format(error=e.strerror or e)) from None


def emit(rows, cols, fmt, *, output=None, bom=False, heading=None, quiet=False, json_keys=None, table=None):
    """Write rows; the heading goes above a table or markdown, else to stderr."""
    from whodoes.output import render

    headers = [h for h, _k in cols]
    keys = [k for _h, k in cols]
    lang = header_language(fmt)
    if lang != "en":
        headers = column_names(headers, lang)
    if heading and not quiet and fmt not in ("table", "markdown"):
        err(heading)
    heading = None if quiet else heading
    if fmt == "xlsx":
        render.write(rows, keys, fmt, None, headers=headers, path=output, heading=heading)
        return
    _write_to(
        output,
        lambda out: render.write(
            rows, keys, fmt, out, headers=headers, heading=heading, bom=bom, json_keys=json_keys, table=table
        ),
        fmt,
    )


def short_ids(conn):
    """The id column of a task table: each task's shortest unambiguous uid (its row id when it
    has none)."""
    from whodoes.query.taskref import short_prefixes, short_uid

    prefixes = short_prefixes(conn)

    def short_id(r) -> str:
        return short_uid(prefixes, r.get("uid"), r.get("document")) or str(r["id"])

    return short_id


def emit_tasks(result, fmt, *, output=None, bom=False, quiet=False, heading=True, conn=None) -> int:
    """The task rows of ``whodoes unit`` / ``task`` / ``export`` (``result.kind``): the
    columns of that kind, the task table on a terminal (ids as short uids, ``wulong/3``,
    when ``conn`` is given), and (``heading``) the summary line."""
    year = result.filters.year
    if fmt == "docx" or (fmt == "xlsx" and result.kind == "unit"):
        from whodoes.output.ledger import write_docx_ledger, write_xlsx_ledger

        if heading and not quiet:
            err(summary(result))
        write = write_docx_ledger if fmt == "docx" else write_xlsx_ledger
        write(result.rows, output, title=ledger_title(result), filters=filters_text(result))
        return EXIT_OK

    def table(rows, console):
        from whodoes.output import termtable

        ids = None if conn is None else short_ids(conn)
        termtable.task_table(
            rows,
            console,
            year=year,
            mode=result.kind,
            ids=ids,
            group="month" if result.kind == "due" else "unit",
            terms=result.terms,
        )

    emit(
        result.rows,
        task_columns(result.kind, year, fmt),
        fmt,
        output=output,
        bom=bom,
        heading=summary(result) if heading else None,
        quiet=quiet,
        table=table,
    )
    return EXIT_OK


def ledger_title(result) -> str:
    """The title of a ledger without units: the query searched, or what the rows are."""
    if result.kind == "task":
        return f"“{result.query}”的任务"
    if result.kind == "due":
        return "到期任务"
    return "全部任务"


def filters_text(result) -> str:
    """The filters of a query as written on a ledger (--year 2020, --role lead ...)."""
    f = result.filters
    parts = [f"查询 {result.query}"] if result.query else []
    for label, value in (
        ("--year", f.year),
        ("--where", "、".join(f.where or []) or None),
        ("--doc", "、".join(f.docs or []) or None),
        ("--role", f.role if f.role != "any" else None),
        ("--due-before", f.due_before),
        ("--due-after", f.due_after),
        ("--overdue --as-of", f.overdue_as_of),
        ("--limit", f.limit),
    ):
        if value:
            parts.append(f"{label} {value}")
    return "；".join(parts)


def write_text(text: str, output: str | None, bom: bool) -> None:
    """``text`` as it is (``whodoes show --format json``)."""
    if bom:
        text = "\ufeff" + text
    _write_to(output, lambda out: out.write(text))


# ----------------------------------------------------------------------------------------------
# the lines on standard error


def summary(result) -> str:
    """The line saying how a query was understood and how many rows it gave."""
    rows = result.rows
    shown = len(rows)
    text = result.description
    if result.kind == "unit":
        lead = sum(1 for r in rows if r.get("role") == "lead")
        text += ngettext(
            ": {n} row ({lead} lead, {support} support)", ": {n} rows ({lead} lead, {support} support)", shown
        ).format(n=shown, lead=lead, support=shown - lead)
    if result.total > shown:
        text += _(", the first {shown} of {total} (--limit)").format(shown=shown, total=result.total)
    return text


def no_unit(resolution) -> int:
    """A unit query that found no unit: why (no such unit, or no plan of the jurisdiction
    written in front), and "did you mean" with the nearest units; exit code 1."""
    if resolution.no_plan:
        message = _("no plan of {jurisdiction} in the database").format(jurisdiction=resolution.no_plan)
    else:
        message = _("no unit matches {query!r}").format(query=resolution.cleaned)
    if resolution.suggestions:
        message += _("; did you mean: {names}?").format(names=", ".join(resolution.suggestions))
    err(message)
    return EXIT_EMPTY


def no_rows(message: str, suggestions) -> int:
    """No results: one line on stderr, with the nearest suggestions; exit code 1."""
    if suggestions:
        message += _("; nearest: {names}").format(names=", ".join(suggestions))
    err(message)
    return EXIT_EMPTY
