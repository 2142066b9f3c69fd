"""The whodoes command: thin wrappers over whodoes.query.

Exit codes: 0 results, 1 no results (nearest suggestions on stderr), 2 usage or data
error (one line on stderr), 130 interrupted.  No traceback reaches the user
(WHODOES_DEBUG=1 shows it).  Piping into ``head`` ends quietly.

The commands and their options are declared once, as data (``COMMANDS``); from that
declaration come

* the Typer app (``build_app()``, also ``whodoes.cli.app``): help with examples, and
  every error message for a command line it does not accept;
* a fast path for the ordinary command line (a known command, known options, the right
  number of arguments, no --help): parsed here, without importing typer, whose import
  alone costs ~30 ms, 3x a whole query.  Anything unusual goes to Typer, so both paths
  accept exactly the same command lines; WHODOES_NO_FAST=1 always uses Typer (tests
  compare the two).
"""

from __future__ import annotations

import os
import sys

from whodoes import __version__

EXIT_OK, EXIT_EMPTY, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
COMPLETE_VAR = "_WHODOES_COMPLETE"  # set by the shell completion script (whodoes --install-completion)
FORMAT_HELP = "table, csv, tsv, json, jsonl, markdown or xlsx (default: table on a terminal, csv otherwise, or by -o FILE's extension)."


class Param:
    """One argument or option of a command."""

    def __init__(self, name, *flags, metavar=None, help="", flag=False, default=None, complete=None, many=False):
        self.name = name  # the keyword of the command function
        self.flags = flags  # ("--year", "-y"); empty for an argument
        self.metavar = metavar
        self.help = help
        self.flag = flag  # a boolean switch
        self.default = False if flag else default
        self.complete = complete  # shell completion from the database: a key of whodoes.complete.CALLBACKS
        self.many = many  # an argument taking one or more values (FILE...)


def _opt(name, *flags, **kw):
    return Param(name, *flags, **kw)


OPTS = {
    "year": _opt("year", "--year", "-y", metavar="YEAR", help="Only plans whose period covers YEAR, with that year's target where the table has one."),
    "role": _opt("role", "--role", "-r", metavar="ROLE", help="lead, support or any (the default)."),
    "where": _opt("where", "--where", "-w", metavar="JURISDICTION", help="Only this jurisdiction: 两江新区, 武隆区, 云阳县, 重庆市 (also 两江, 武隆 ...).", complete="where"),
    "doc": _opt("doc", "--doc", "-d", metavar="DOCUMENT", help="Only this document: its id or a part of its id or title (see `whodoes docs`).", complete="doc"),
    "limit": _opt("limit", "--limit", "-n", metavar="N", help="At most N rows."),
    "exact": _opt("exact", "--exact", "-e", flag=True, help="Only exact matches, no fuzzy ones."),
    "verbose": _opt("verbose", "--verbose", "-v", flag=True, help="Also issuer, number, date, period note, the layouts recognised, file."),
    "fmt": _opt("fmt", "--format", "-f", metavar="FORMAT", help=FORMAT_HELP),
    "output": _opt("output", "--output", "-o", metavar="FILE", help="Write to FILE instead of standard output."),
    "bom": _opt("bom", "--bom", flag=True, help="Start the output with the UTF-8 byte-order mark (Excel needs it to read csv as UTF-8)."),
    "quiet": _opt("quiet", "--quiet", "-q", flag=True, help="Leave out the line saying how the query was understood."),
    "db": _opt("db", "--db", metavar="PATH", help="The database (default: $WHODOES_DB, else the shipped data/plans.sqlite)."),
}


class Command:
    def __init__(self, func, args, options, help, epilog, fast=True):
        self.func = func
        self.args = args
        self.options = [OPTS[o] if isinstance(o, str) else o for o in options]
        self.help = help
        self.epilog = epilog
        self.fast = fast


COMMANDS: dict[str, Command] = {}


def command(name, args=(), options=(), epilog="", fast=True):
    def register(func):
        COMMANDS[name] = Command(func, list(args), list(options), func.__doc__ or "", epilog, fast)
        return func

    return register


# ----------------------------------------------------------------------------------------------
# columns

TASK_HEAD = [
    ("id", "id"), ("document", "document"), ("document_title", "document_title"), ("jurisdiction", "jurisdiction"),
    ("period", "period"), ("seq", "seq"), ("section", "section"), ("category", "category"), ("title", "title"),
    ("task", "text"),
]
YEAR_COLS = [("year", "year"), ("target", "target")]
UNIT_COLS = [("unit", "unit"), ("role", "role"), ("as_written", "as_written")]
MATCH_COLS = [("match", "match")]
TASK_TAIL = [
    ("lead", "lead"), ("support", "support"), ("lead_canonical", "lead_canonical"),
    ("support_canonical", "support_canonical"), ("detail", "detail"), ("deadline", "deadline"),
    ("source_file", "source_file"), ("source_line", "line"),
]
EXPORT_EXTRA = [
    ("targets", "targets"), ("lead_label", "lead_label"), ("support_label", "support_label"),
    ("inherited", "inherited"), ("commanders", "commanders"), ("doc_sha256", "doc_sha256"),
]
MD_UNIT = [("id", "id"), ("document", "document"), ("seq", "seq"), ("role", "role"), ("as_written", "as_written"),
           ("category", "category"), ("task", "text")]
MD_TASK = [("id", "id"), ("document", "document"), ("seq", "seq"), ("category", "category"), ("task", "text")]
MD_TAIL = [("lead", "lead"), ("support", "support"), ("source_line", "line")]


def task_columns(kind: str, year: int | None, fmt: str) -> list[tuple[str, str]]:
    """(header, key) pairs of the flat formats for ``unit`` / ``task`` / ``export`` rows.

    csv/tsv/xlsx: id, document, document_title, jurisdiction, period, seq, section, category,
    title, task, [year, target], [unit, role, as_written | match], lead, support,
    lead_canonical, support_canonical, detail, deadline, source_file, source_line
    [, targets, lead_label, support_label, inherited, commanders, doc_sha256 for export].
    """
    yc = YEAR_COLS if year is not None else []
    if fmt == "markdown":
        head = MD_UNIT if kind == "unit" else MD_TASK
        return head + ([("target", "target")] if year is not None else []) + MD_TAIL + (MATCH_COLS if kind == "task" else [])
    middle = UNIT_COLS if kind == "unit" else MATCH_COLS if kind == "task" else []
    return TASK_HEAD + yc + middle + TASK_TAIL + (EXPORT_EXTRA if kind == "export" else [])


# ----------------------------------------------------------------------------------------------
# plumbing


class _PipeClosed(Exception):
    """Standard output was closed by the reader (whodoes ... | head)."""


def _err(message: str) -> None:
    sys.stderr.write(f"whodoes: {message}\n")
    sys.stderr.flush()


def _connect(db: str | None):
    from whodoes import db as _db

    return _db.connect(db)


def _stdout():
    out = sys.stdout
    enc = (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if enc != "utf8" and hasattr(out, "reconfigure"):
        try:
            out.reconfigure(encoding="utf-8")
        except (ValueError, OSError):  # pragma: no cover
            pass
    return out


def _open_output(output: str):
    try:
        return open(output, "w", encoding="utf-8", newline="")
    except OSError as e:
        from whodoes.db import UsageError

        raise UsageError(f"cannot write {output}: {e.strerror or e}") from None


def _emit(rows, cols, fmt, *, output=None, bom=False, heading=None, quiet=False, json_keys=None, table=None):
    """Write rows; the heading goes above a table or markdown, else to stderr."""
    from whodoes import render

    headers = [h for h, _ in cols]
    keys = [k for _, k in cols]
    if heading and not quiet and fmt not in ("table", "markdown"):
        _err(heading)
    heading = None if quiet else heading
    if fmt == "xlsx":
        render.write(rows, keys, fmt, None, headers=headers, path=output, heading=heading)
        return
    if output:
        with _open_output(output) as out:
            render.write(rows, keys, fmt, out, headers=headers, heading=heading, bom=bom, json_keys=json_keys, table=table)
        return
    out = _stdout()
    try:
        render.write(rows, keys, fmt, out, headers=headers, heading=heading, bom=bom, json_keys=json_keys, table=table)
        out.flush()
    except BrokenPipeError:
        raise _PipeClosed() from None


def _write_text(text: str, output: str | None, bom: bool) -> None:
    if bom:
        text = "\ufeff" + text
    if output:
        with _open_output(output) as f:
            f.write(text)
        return
    out = _stdout()
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        raise _PipeClosed() from None


def _format(fmt, output):
    from whodoes import render

    fmt = render.choose_format(fmt, output)
    if fmt == "xlsx" and not output:
        from whodoes.db import UsageError

        raise UsageError("--format xlsx needs a file: add -o FILE.xlsx")
    if output:  # say so before the query runs and its summary line is printed
        from whodoes.db import UsageError

        folder = os.path.dirname(os.path.abspath(output))
        if os.path.isdir(output):
            raise UsageError(f"cannot write {output}: it is a folder; give a file name")
        if not os.path.isdir(folder):
            raise UsageError(f"cannot write {output}: no such folder {folder}")
    return fmt


def _summary(result) -> str:
    rows = result.rows
    shown = len(rows)
    text = result.description
    if result.kind == "unit":
        lead = sum(1 for r in rows if r.get("role") == "lead")
        text += f": {shown} row{'s' if shown != 1 else ''} ({lead} lead, {shown - lead} support)"
    if result.total > shown:
        text += f", the first {shown} of {result.total} (--limit)"
    return text


def _no_rows(message: str, suggestions) -> int:
    if suggestions:
        message += "; nearest: " + ", ".join(suggestions)
    _err(message)
    return EXIT_EMPTY


# ----------------------------------------------------------------------------------------------
# commands

@command(
    "unit",
    args=[Param("query", metavar="QUERY", help="A unit: its name, short form, former name, traditional characters, pinyin (chengguanju) or initials (cgj).",
                complete="unit")],
    options=["year", "role", "where", "doc", "limit", "fmt", "output", "bom", "quiet", "db"],
    epilog="Examples:  whodoes unit 城管局  ·  whodoes unit 生态环境分局 --year 2020 --format csv  ·  "
    "whodoes unit hbfj --role lead  ·  whodoes unit 城市管理局 --where 武隆区 -o out.csv --bom",
)
def cmd_unit(query, year=None, role=None, where=None, doc=None, limit=None, fmt=None, output=None, bom=False,
             quiet=False, db=None) -> int:
    """Every task a unit leads or supports, grouped by document, lead rows first.

    The line above the results says how the query was resolved (城管局 -> 城市管理局 (两江新区), also written 城管局). A query naming units in several jurisdictions gives each its own group; --where narrows.
    """
    from whodoes import query as q

    fmt = _format(fmt, output)
    conn = _connect(db)
    result = q.tasks_for_unit(conn, query, year=year, role=role, where=where, doc=doc, limit=limit,
                              details=fmt in ("json", "jsonl"))
    if not result.resolution:
        return _no_rows(f"no unit matches {result.resolution.cleaned!r}", result.suggestions)
    if not result.rows:
        return _no_rows(f"{result.description}: no tasks under these filters", result.suggestions)
    year_v = result.filters.year

    def table(rows, console):
        from whodoes import termtable

        termtable.task_table(rows, console, year=year_v, mode="unit")

    _emit(result.rows, task_columns("unit", year_v, fmt), fmt, output=output, bom=bom, heading=_summary(result),
          quiet=quiet, table=table)
    return EXIT_OK


@command(
    "task",
    args=[Param("query", metavar="QUERY", help="Words to find in the task text, title or category (simplified or traditional characters).")],
    options=["year", "role", "where", "doc", "limit", "exact", "fmt", "output", "bom", "quiet", "db"],
    epilog="Examples:  whodoes task 河长制  ·  whodoes task 海绵城市 --format csv  ·  whodoes task 水质 --year 2020  ·  "
    "whodoes task 河長制 --where 两江",
)
def cmd_task(query, year=None, role=None, where=None, doc=None, limit=None, exact=False, fmt=None, output=None,
             bom=False, quiet=False, db=None) -> int:
    """Tasks whose text, title or category match the query, each with its lead and supporting units.

    Exact matches first, in the order of the plans; then fuzzy ones (tasks holding most of the query's character pairs). --role lead|support keeps tasks that have a lead|supporting unit.
    """
    from whodoes import query as q

    fmt = _format(fmt, output)
    conn = _connect(db)
    result = q.search_tasks(conn, query, year=year, role=role, where=where, doc=doc, limit=limit, exact=bool(exact),
                            details=fmt in ("json", "jsonl"))
    if not result.rows:
        if result.unfiltered:
            n = result.unfiltered
            return _no_rows(f"no task matches {result.searched!r} under these filters "
                            f"({n} task{'s' if n != 1 else ''} without --year/--where/--doc/--role)", [])
        return _no_rows(f"no task matches {result.searched!r}", result.suggestions)
    year_v = result.filters.year

    def table(rows, console):
        from whodoes import termtable

        termtable.task_table(rows, console, year=year_v, mode="task")

    _emit(result.rows, task_columns("task", year_v, fmt), fmt, output=output, bom=bom, heading=_summary(result),
          quiet=quiet, table=table)
    return EXIT_OK


@command(
    "show",
    args=[Param("task_id", metavar="ID", help="A task id (the id column of unit, task and export).")],
    options=["fmt", "output", "bom", "db"],
    epilog="Examples:  whodoes show 42  ·  whodoes show 42 --format json",
)
def cmd_show(task_id, fmt=None, output=None, bom=False, db=None) -> int:
    """One task in full: document, section, category, text, targets per year, units as written and canonical, source line.

    Lead and supporting units as written and canonical, inherited flags, commanders where given, and the source file and line.
    """
    from whodoes import query as q
    from whodoes import render

    fmt = _format(fmt, output)
    conn = _connect(db)
    rec = q.get_task(conn, task_id)
    if rec is None:
        span = q.task_id_range(conn)
        hint = f" (ids run from {span[0]} to {span[1]})" if span else " (the database has no tasks)"
        return _no_rows(f"no task {str(task_id).strip()[:40]}{hint}", [])
    if fmt in ("table", "markdown"):
        rows = [{"field": k, "value": v} for k, v in render.detail_items(rec)]

        def table(_rows, console):
            from whodoes import termtable

            termtable.detail_view(rec, console)

        _emit(rows, [("field", "field"), ("value", "value")], fmt, output=output, bom=bom, table=table)
    elif fmt == "json":
        import json

        _write_text(json.dumps(rec, ensure_ascii=False, indent=2) + "\n", output, bom)
    else:
        _emit([rec], task_columns("export", None, fmt) + [("source_text", "source_text")], fmt, output=output, bom=bom)
    return EXIT_OK


@command(
    "docs",
    options=["verbose", "fmt", "output", "bom", "db"],
    epilog="Examples:  whodoes docs  ·  whodoes docs --verbose  ·  whodoes docs --format json",
)
def cmd_docs(verbose=False, fmt=None, output=None, bom=False, db=None) -> int:
    """The documents: id, title, jurisdiction, period, number of tasks (--verbose: and the layouts recognised)."""
    from whodoes import query as q

    fmt = _format(fmt, output)
    conn = _connect(db)
    rows = q.list_documents(conn, verbose=bool(verbose))
    if not rows:
        return _no_rows("the database has no documents", [])
    cols = [("id", "id"), ("title", "title"), ("jurisdiction", "jurisdiction"), ("period", "period"), ("tasks", "tasks")]
    if verbose:
        cols += [("issuer", "issuer"), ("doc_number", "doc_number"), ("date", "date"), ("layouts", "layouts"),
                 ("period_note", "period_note"), ("file", "file"), ("encoding", "encoding"), ("sha256", "sha256")]
    _emit(rows, cols, fmt, output=output, bom=bom)
    return EXIT_OK


@command(
    "units",
    options=["where", "fmt", "output", "bom", "db"],
    epilog="Examples:  whodoes units  ·  whodoes units --where 两江新区  ·  whodoes units --format csv",
)
def cmd_units(where=None, fmt=None, output=None, bom=False, db=None) -> int:
    """The units: jurisdiction, kind (bodies first, collectives after) and how many tasks each leads and supports."""
    from whodoes import query as q

    fmt = _format(fmt, output)
    conn = _connect(db)
    rows = q.list_units(conn, where=where)
    if not rows:
        return _no_rows("no units", [])
    cols = [("name", "name"), ("jurisdiction", "jurisdiction"), ("kind", "kind"), ("leads", "leads"),
            ("supports", "supports"), ("written", "written"), ("key", "key")]

    def table(rows, console):
        from whodoes import termtable

        for collective, title in ((False, "bodies"), (True, "collectives")):
            part = [r for r in rows if (r["kind"] == "collective") == collective]
            if part:
                console.print(f"{title} ({len(part)})", style="bold", markup=False)
                termtable.plain_table(part, [k for _, k in cols[:-1]], console, headers=[h for h, _ in cols[:-1]])

    _emit(rows, cols, fmt, output=output, bom=bom, table=table)
    return EXIT_OK


@command(
    "export",
    options=["year", "role", "where", "doc", "limit", "fmt", "output", "bom", "db"],
    epilog="Examples:  whodoes export --format jsonl > tasks.jsonl  ·  whodoes export -o tasks.csv --bom  ·  "
    "whodoes export --doc 2018 --format markdown",
)
def cmd_export(year=None, role=None, where=None, doc=None, limit=None, fmt=None, output=None, bom=False, db=None) -> int:
    """Every task row in document order; jsonl objects carry targets, units as written and canonical, and source lines."""
    from whodoes import query as q

    fmt = _format(fmt, output)
    conn = _connect(db)
    result = q.export_tasks(conn, year=year, role=role, where=where, doc=doc, limit=limit)
    if not result.rows:
        return _no_rows("no tasks under these filters", [])
    year_v = result.filters.year

    def table(rows, console):
        from whodoes import termtable

        termtable.task_table(rows, console, year=year_v, mode="export")

    _emit(result.rows, task_columns("export", year_v, fmt), fmt, output=output, bom=bom, table=table)
    return EXIT_OK


@command(
    "build",
    options=[
        Param("sources", "--sources", metavar="DIR", help="The plan files (default: data/sources)."),
        Param("out", "--out", metavar="PATH", help="The database to write (default: data/plans.sqlite, or $WHODOES_DB)."),
        Param("units", "--units", metavar="FILE", help="The curated units file (default: data/units.toml)."),
    ],
    epilog="Examples:  whodoes build  ·  whodoes build --out /tmp/plans.sqlite",
    fast=False,
)
def cmd_build(sources=None, out=None, units=None) -> int:
    """Rebuild the database from the plan files and data/units.toml (the previous one stays if the build fails).

    Sources may be UTF-8 (with or without BOM), UTF-16 or GB18030/GBK; a source that is not UTF-8 gets a note. A source that is empty or cannot be decoded fails the build, naming the file (exit 2), so that the database never silently lacks a plan; a source with no task rows is a warning. A failed or interrupted build leaves the previous database unchanged.
    """
    from whodoes import paths
    from whodoes.db import DataError

    try:
        from whodoes.build import BuildError, build, unchanged
    except ImportError as e:
        raise DataError(f"cannot build: {e} (install whodoes with its build dependencies)") from None
    data = paths.data_dir()
    if sources is None:
        if data is None:
            raise DataError("cannot find data/sources; give --sources DIR")
        sources = os.path.join(data, "sources")
    if out is None:
        out = paths.default_db()
    try:
        with BuildProgress() as progress:
            report = build(sources, out, units, on_start=progress.start, on_document=progress.document)
    except BuildError as e:
        raise DataError(f"build failed: {e}") from None
    except KeyboardInterrupt:
        _err(f"build interrupted; {unchanged(out)}")
        return EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - a bug in the build: one line (WHODOES_DEBUG=1: the traceback)
        if os.environ.get("WHODOES_DEBUG"):
            raise
        raise DataError(f"build failed: internal error: {type(e).__name__}: {' '.join(str(e).split())[:200]}; "
                        f"{unchanged(out)} (WHODOES_DEBUG=1 shows the traceback)") from None
    for n in report.notes:
        _err(f"note: {n}")
    for w in report.warnings:
        _err(f"warning: {w}")
    sys.stdout.write(f"{report.rows} task rows, {report.units} units from {len(report.documents)} documents "
                     f"in {report.seconds:.2f} s -> {report.out}\n")
    return EXIT_OK


class BuildProgress:
    """Progress of a build (``whodoes build``, ``whodoes add``), on standard error: a rich
    progress bar advancing per document on a terminal, else one plain line per document."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.tty = self.stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self.total = 0
        self.progress = None
        self.task = None

    def __enter__(self):
        return self

    def start(self, n_files: int) -> None:
        self.total = n_files
        if not self.tty:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(file=self.stream, highlight=False)
        self.progress = Progress(TextColumn("[bold]building[/bold] {task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=console)
        self.progress.start()
        self.task = self.progress.add_task("", total=n_files)

    def document(self, doc_id: str, rows: int, index: int) -> None:
        line = f"{doc_id}: {rows} task row{'s' if rows != 1 else ''}"
        if self.progress is not None:
            self.progress.console.print(f"  {line}", markup=False, highlight=False)
            self.progress.update(self.task, advance=1)
        else:
            self.stream.write(f"whodoes: [{index}/{self.total}] {line}\n")
            self.stream.flush()

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()


@command(
    "stats",
    options=[
        "where", "role",
        Param("top", "--top", "-t", metavar="N", help="The N units with most tasks per jurisdiction and role (default 10)."),
        Param("collectives", "--all", "-a", flag=True, help="Also collectives (相关部门, 各街道, 有关国有企业 ...), marked *."),
        "fmt", "output", "bom", "db",
    ],
    epilog="Examples:  whodoes stats  ·  whodoes stats --where 两江新区 --top 5  ·  whodoes stats --role lead --all  ·  "
    "whodoes stats --format csv",
)
def cmd_stats(where=None, role=None, top=None, collectives=False, fmt=None, output=None, bom=False, db=None) -> int:
    """Who carries the most tasks: per jurisdiction, the units that lead most tasks and those that support most, as bars.

    On a terminal a bar chart; piped or with --format, rows of jurisdiction, role, rank, unit, kind, tasks. Bodies only unless --all.
    """
    from whodoes import query as q

    fmt = _format(fmt, output)
    conn = _connect(db)
    rows = q.unit_stats(conn, where=where, role=role, top=top, collectives=bool(collectives))
    if not rows:
        return _no_rows("no unit leads or supports a task under these filters", [])
    cols = [("jurisdiction", "jurisdiction"), ("role", "role"), ("rank", "rank"), ("unit", "unit"), ("kind", "kind"),
            ("tasks", "tasks"), ("key", "key")]
    n = int(top) if top is not None else 10
    kinds = "bodies and collectives, marked *" if collectives else "bodies; --all adds collectives"

    def table(rows, console):
        from whodoes import termtable

        termtable.bar_chart(rows, console, title=f"Who carries the most tasks: the top {n} per jurisdiction ({kinds})")

    _emit(rows, cols, fmt, output=output, bom=bom, table=table)
    return EXIT_OK


@command(
    "serve",
    options=[
        Param("host", "--host", metavar="HOST", help="Listen on HOST (default 127.0.0.1: this machine only)."),
        Param("port", "--port", "-p", metavar="PORT", help="The port (default 8001; 0 picks a free one)."),
        Param("get", "--get", metavar="PATH", help="Print the page at PATH and exit instead of serving (as datasette --get)."),
        Param("metadata", "--metadata", "-m", metavar="FILE", help="Datasette metadata (default: data/datasette-metadata.json)."),
        Param("open_browser", "--open", flag=True, help="Open the site in a web browser."),
        "db",
    ],
    epilog="Examples:  whodoes serve  ·  whodoes serve --port 8080 --open  ·  "
    "whodoes serve --get '/plans/task_rows.json?_search=海绵城市&_shape=array'",
    fast=False,
)
def cmd_serve(host=None, port=None, get=None, metadata=None, open_browser=False, db=None) -> int:
    """Browse and search the database in Datasette, read-only, on 127.0.0.1 (needs the web extra: pip install datasette).

    Full-text search on the task text, the flat task view (task_rows) and one row per task and unit (task_units_flat) with facets by document, jurisdiction, unit and role, Chinese column labels and the source of every document.
    """
    from whodoes import web

    return web.serve(db=db, host=host, port=port, get=get, metadata=metadata, open_browser=bool(open_browser))


@command(
    "add",
    args=[Param("files", metavar="FILE", help="Plan files (.txt, .md): text in UTF-8, UTF-16 or GB18030/GBK.", many=True)],
    options=[
        Param("title", "--title", "-t", metavar="TITLE", help="The plan's title (default: inferred from its heading lines)."),
        Param("jurisdiction", "--jurisdiction", "-j", metavar="NAME",
              help="Whose units it assigns: 北碚区, 两江新区 ... (default: inferred from the title or issuing body)."),
        Param("period", "--period", "-p", metavar="START-END",
              help="The years it covers, e.g. 2022-2025 (default: inferred from the title or the date)."),
        Param("sources", "--sources", metavar="DIR", help="The sources folder to add to (default: data/sources)."),
        Param("db", "--db", metavar="PATH",
              help="The database to rebuild (default: $WHODOES_DB; else plans.sqlite beside DIR with --sources, else data/plans.sqlite)."),
    ],
    epilog="Examples:  whodoes add ~/Downloads/北碚区方案.txt  ·  "
    "whodoes add plan.txt --jurisdiction 北碚区 --period 2023-2025  ·  whodoes add a.txt b.txt --sources /tmp/src --db /tmp/p.sqlite",
    fast=False,
)
def cmd_add(files, title=None, jurisdiction=None, period=None, sources=None, db=None) -> int:
    """Add plan files: copy them byte for byte into the sources folder, describe them in its metadata.toml, rebuild.

    Title, issuing body, jurisdiction and period are inferred from the text where not given, and the report says which were inferred (check them; metadata.toml is the place to correct them). A file of the same name with other bytes is never overwritten (exit 2). If the rebuild fails, the copied files are removed again and the old database stays.
    """
    from whodoes import paths
    from whodoes.db import DataError

    try:
        from whodoes.add import add
    except ImportError as e:
        raise DataError(f"cannot add: {e} (install whodoes with its build dependencies)") from None
    if not db:
        env = os.environ.get(paths.ENV_VAR, "").strip()
        if env:
            db = os.path.expanduser(env)
        elif sources is not None:  # a folder of one's own: its database beside it, never the shipped one
            db = os.path.join(os.path.dirname(os.path.normpath(sources)), paths.DB_NAME)
        else:
            db = paths.default_db()
    if sources is None:
        data = paths.data_dir()
        if data is None:
            raise DataError("cannot find data/sources; give --sources DIR")
        sources = os.path.join(data, "sources")
    with BuildProgress() as progress:
        items, report = add(list(files), sources, db, title=title, jurisdiction=jurisdiction, period=period,
                            on_start=progress.start, on_document=progress.document)
    out = _stdout()
    for item in items:
        what = "copied" if item.copied else "already there, identical"
        out.write(f"{item.source} -> {item.target} ({what}; sha256 {item.sha256[:12]})\n")
        for key in ("title", "issuer", "jurisdiction", "doc_number", "date", "period"):
            if item.meta.get(key):
                out.write(f"  {key:<13}{item.meta[key]}  [{item.how.get(key, 'metadata.toml')}]\n")
        if not item.meta.get("jurisdiction"):
            out.write("  jurisdiction  unknown: give --jurisdiction (its units cannot be told from others')\n")
        rows = item.rows if item.rows is not None else 0
        out.write(f"  task rows    {rows}\n")
        if item.inferred:
            out.write(f"  inferred: {', '.join(item.inferred)} (check them; correct them in {item.target.parent / 'metadata.toml'})\n")
    for n in getattr(report, "notes", []):
        _err(f"note: {n}")
    for w in report.warnings:
        _err(f"warning: {w}")
    out.write(f"rebuilt: {report.rows} task rows, {report.units} units from {len(report.documents)} documents "
              f"in {report.seconds:.2f} s -> {report.out}\n")
    out.flush()
    return EXIT_OK


# ----------------------------------------------------------------------------------------------
# the fast path


def fast_parse(args: list[str]):
    """(function, kwargs) for an ordinary command line, else None (then Typer parses it).

    Accepts: COMMAND, then known options (--opt VALUE, --opt=VALUE, -o VALUE, flags) and
    exactly the command's arguments, in any order.  Anything else (help, unknown or
    bundled options, a missing value, ``--``) is left to Typer, which gives the message.
    """
    if not args or args[0] not in COMMANDS:
        return None
    spec = COMMANDS[args[0]]
    if not spec.fast:
        return None
    by_flag = {f: p for p in spec.options for f in p.flags}
    kwargs = {p.name: p.default for p in spec.options}
    positional: list[str] = []
    i = 1
    while i < len(args):
        a = args[i]
        if a.startswith("-") and len(a) > 1:
            name, eq, value = a.partition("=") if a.startswith("--") else (a, "", "")
            p = by_flag.get(name)
            if p is None:
                return None  # --help, -h, --, unknown, bundled: Typer's business
            if p.flag:
                if eq:
                    return None
                kwargs[p.name] = True
            else:
                if not eq:
                    i += 1
                    if i >= len(args):
                        return None
                    value = args[i]
                kwargs[p.name] = value
        else:
            positional.append(a)
        i += 1
    if len(positional) != len(spec.args):
        return None
    for p, value in zip(spec.args, positional):
        kwargs[p.name] = value
    return spec.func, kwargs


# ----------------------------------------------------------------------------------------------
# the Typer app (help, errors, anything the fast path leaves)


def _version(value: bool) -> None:
    if value:
        import typer

        sys.stdout.write(f"whodoes {__version__}\n")
        raise typer.Exit(0)


def _completion(name):
    """The autocompletion callback of a parameter (whodoes.complete), or None."""
    if not name:
        return None
    from whodoes.complete import CALLBACKS

    return CALLBACKS[name]


def build_app():
    """The Typer app, built from ``COMMANDS`` (imports typer)."""
    import inspect
    from typing import List, Optional

    import typer

    app = typer.Typer(
        name="whodoes",
        help="Who does what in Chongqing's green-development plans: tasks with their lead and supporting units.",
        epilog="Examples:  whodoes unit 城管局  ·  whodoes task 河长制  ·  whodoes show 42  ·  whodoes docs  ·  whodoes units  ·  "
        "whodoes stats  ·  whodoes serve",
        add_completion=True,  # --install-completion / --show-completion (typer's own)
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    for name, spec in COMMANDS.items():
        params, annotations = [], {}
        for p in spec.args:
            default = typer.Argument(metavar=p.metavar, help=p.help, show_default=False,
                                     autocompletion=_completion(p.complete))
            params.append(inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default))
            annotations[p.name] = List[str] if p.many else str
        for p in spec.options:
            default = typer.Option(p.default, *p.flags, metavar=p.metavar, help=p.help, show_default=False,
                                   autocompletion=_completion(p.complete))
            params.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=default))
            annotations[p.name] = bool if p.flag else Optional[str]

        def make(func):
            def wrapper(**kwargs):
                return func(**kwargs)

            return wrapper

        wrapper = make(spec.func)
        wrapper.__name__ = name
        wrapper.__doc__ = spec.help
        wrapper.__signature__ = inspect.Signature(params)
        wrapper.__annotations__ = annotations
        app.command(name=name, epilog=spec.epilog)(wrapper)

    def root(
        version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ) -> None:
        """Who does what in Chongqing's green-development plans: tasks with their lead and supporting units."""

    app.callback()(root)
    return app


def __getattr__(name):  # whodoes.cli.app, built on first use
    if name == "app":
        app = build_app()
        globals()["app"] = app
        return app
    raise AttributeError(name)


def _fast_params() -> None:
    """Typer 0.2x coerces every parameter through pydantic (~40 ms to import).  Ours are all
    plain str/bool, so they get a pass-through coercion.  Does nothing if typer's
    internals differ (then pydantic is simply imported)."""
    try:
        from typer import core as tcore
    except ImportError:  # pragma: no cover
        return
    cls = getattr(tcore, "_TyperParameter", None)
    original = getattr(cls, "get_runtime_param", None)
    if cls is None or original is None or getattr(original, "_whodoes", False):
        return

    class _Plain:
        boolean = False

        def coerce(self, value, param, ctx):
            if getattr(param, "multiple", False) or getattr(param, "nargs", 1) == -1:
                return tuple(value or ())
            if self.boolean and isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "y", "on")
            return value

    def get_runtime_param(self):
        if getattr(self, "_runtime_param", None) is None:
            desc = getattr(self, "type_descriptor", None)
            ann = getattr(desc, "annotation", None)
            if ann in (str, bool) and getattr(desc, "file_annotation", None) is None:
                plain = _Plain()
                plain.boolean = ann is bool
                self._runtime_param = plain
        return original(self)

    get_runtime_param._whodoes = True
    cls.get_runtime_param = get_runtime_param


def _typer_main(args: list[str]) -> int:
    import typer
    from typer._click import exceptions as cexc

    _fast_params()
    app = globals().get("app") or __getattr__("app")
    try:
        cmd = typer.main.get_command(app)
        rc = cmd.main(args=args, prog_name="whodoes", standalone_mode=False)
    except cexc.NoArgsIsHelpError as e:
        sys.stdout.write(e.format_message() + "\n")
        return EXIT_ERROR
    except cexc.UsageError as e:
        where = e.ctx.command_path if e.ctx is not None else "whodoes"
        _err(f"{' '.join(e.format_message().split())} (see `{where} --help`)")
        return EXIT_ERROR
    except cexc.ClickException as e:
        _err(" ".join(e.format_message().split()))
        return e.exit_code or EXIT_ERROR
    except typer.Abort:
        return EXIT_INTERRUPTED
    except typer.Exit as e:
        return e.exit_code
    return int(rc) if isinstance(rc, int) else EXIT_OK


# ----------------------------------------------------------------------------------------------
# entry point


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    import sqlite3

    from whodoes.db import WhodoesError, database_error

    args = sys.argv[1:] if argv is None else list(argv)
    try:
        slow = os.environ.get("WHODOES_NO_FAST") or os.environ.get(COMPLETE_VAR)  # completion: Typer's business
        fast = None if slow else fast_parse(args)
        if fast is not None:
            func, kwargs = fast
            return func(**kwargs)
        return _typer_main(args)
    except WhodoesError as e:
        _err(str(e))
        return e.exit_code
    except (sqlite3.Error, UnicodeDecodeError) as e:  # a damaged database (text cells that are not UTF-8)
        _err(str(database_error(e)))
        return EXIT_ERROR
    except (_PipeClosed, BrokenPipeError):
        _quiet_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        try:
            sys.stderr.write("\n")
        except Exception:  # noqa: BLE001
            pass
        return EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - never a traceback for the user
        from whodoes.render import RenderError

        if isinstance(e, RenderError):
            _err(str(e))
            return EXIT_ERROR
        if os.environ.get("WHODOES_DEBUG"):
            raise
        from whodoes.db import diagnose

        damaged = diagnose()  # a damaged database, not a bug: say so
        if damaged is not None:
            _err(str(damaged))
            return EXIT_ERROR
        _err(f"internal error: {type(e).__name__}: {' '.join(str(e).split())[:200]} (WHODOES_DEBUG=1 shows the traceback)")
        return EXIT_ERROR
