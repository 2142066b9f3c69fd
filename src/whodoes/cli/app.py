"""The whodoes command: thin wrappers over whodoes.query.api, one function a command.

Each command is declared with its arguments and options (``@command``, whodoes.cli.commandline)
and writes its results through whodoes.output.formats.  ``main`` is the console script;
whodoes.cli.commandline parses the command line (a fast path for plain command lines, Typer for
help, errors and the rest) and turns errors into exit codes: 0 results, 1 no results
(nearest suggestions on stderr), 2 usage or data error, 130 interrupted.
"""

from __future__ import annotations

import os
import sys

from whodoes.cli import commandline
from whodoes.cli.commandline import COMMANDS, EXIT_INTERRUPTED, EXIT_OK, Param, command, err, fast_parse  # noqa: F401  (also whodoes.cli.app.COMMANDS, .fast_parse)
from whodoes.i18n import _, ngettext
from whodoes.output.formats import checked_format, emit, emit_tasks, no_rows, no_unit, stdout, task_columns, write_text
from whodoes.textsafe import one_line


def _connect(db: str | None):
    from whodoes.query import db as _db

    if not db:
        from whodoes.paths import installed

        if installed():  # the user's own database, rebuilt first after an upgrade
            from whodoes.build.userdata import ensure_current

            ensure_current()
    return _db.connect(db)


def _max_size(value) -> int:
    """--max-size: megabytes (a whole or decimal number), else UsageError."""
    from whodoes.build.pipeline import MAX_SIZE
    from whodoes.errors import UsageError

    if value is None:
        return MAX_SIZE
    text = str(value).strip().lower().removesuffix("mb").strip()
    try:
        mb = float(text) if len(text) < 20 else -1.0
    except ValueError:
        mb = -1.0
    if not mb > 0 or mb != mb or mb > 1e7:
        raise UsageError(
            _("--max-size must be a number of megabytes such as 50 or 200, not {value!r}").format(value=str(value)[:40])
        )
    return int(mb * 1024 * 1024)


def _jobs(value) -> int | None:
    """--jobs: a whole number of worker processes, 1 or more (None: one per core)."""
    from whodoes.query.filters import positive_int

    return None if value is None else positive_int(value, "--jobs")


def _notes_and_warnings(report) -> None:
    """A build's notes and warnings, one line each on stderr."""
    for n in getattr(report, "notes", []):
        err(_("note: {note}").format(note=n))
    for w in report.warnings:
        err(_("warning: {warning}").format(warning=w))


def _status_filter(status):
    """--status, checked: a status of whodoes.query.records.STATUSES, or "none" (no record)."""
    if status is None:
        return None
    from whodoes.query.records import check_status

    text = str(status).strip().lower()
    return "none" if text == "none" else check_status(text)


def _with_progress(conn, result, status, limit) -> bool:
    """Add each row's latest progress status and date (``whodoes.query.records``; the progress file
    is read only if it exists); ``status`` keeps the rows that have it, then ``limit``.
    False when --status left no row."""
    from whodoes.query.records import annotate

    annotate(conn, result.rows)
    if status:
        from whodoes.query.filters import positive_int

        rows = [r for r in result.rows if (r["status"] or "none") == status]
        result.total = len(rows)
        result.rows = rows[: positive_int(limit, "--limit")] if limit is not None else rows
        result.description += f", status {status}"
    return bool(result.rows)


# ----------------------------------------------------------------------------------------------
# commands


@command(
    "unit",
    args=[
        Param(
            "query",
            metavar="QUERY",
            help="A unit: its name, short form, former name, traditional characters, pinyin (chengguanju) or initials (cgj).",
            complete="unit",
        )
    ],
    options=[
        "year",
        "role",
        "where",
        "doc",
        "due_before",
        "due_after",
        "overdue",
        "as_of",
        "limit",
        "status",
        Param(
            "fuzzy",
            "--fuzzy",
            flag=True,
            help="Let the nearest names answer when nothing matches exactly (each row says matched_by fuzzy).",
        ),
        Param(
            "compare",
            "--compare",
            flag=True,
            help="Side by side, per jurisdiction: what its body of the same type leads and supports.",
        ),
        "fmt",
        "output",
        "bom",
        "quiet",
        "db",
    ],
    epilog="Examples:  whodoes unit 城管局  ·  whodoes unit 生态环境分局 --year 2020 --format csv  ·  "
    "whodoes unit hbfj --role lead  ·  whodoes unit 城市管理局 --where 武隆区 -o out.csv --bom  ·  "
    "whodoes unit 城管局 -o 台账.xlsx (a printable ledger; also .docx)  ·  whodoes unit 水利局 --overdue  ·  "
    "whodoes unit 生态环境局 --compare",
)
def cmd_unit(
    query,
    year=None,
    role=None,
    where=None,
    doc=None,
    due_before=None,
    due_after=None,
    overdue=False,
    as_of=None,
    limit=None,
    status=None,
    fuzzy=False,
    compare=False,
    fmt=None,
    output=None,
    bom=False,
    quiet=False,
    db=None,
) -> int:
    """Every task a unit leads or supports, grouped by document, lead rows first.

    The line above the results says how the query was resolved (城管局 -> 城市管理局 (两江新区), also written 城管局), and every row says how its unit was found (matched_by: exact, short form, predecessor, traditional, pinyin, fuzzy). A short form or former name of a body type (发改委, 环保局) finds that body in every jurisdiction; a jurisdiction in front (武隆区环保局) only there. A query naming units in several jurisdictions gives each its own group; --where narrows. When only the nearest names match, nothing is shown and they are suggested (exit 1), unless --fuzzy.
    """
    from whodoes.query import api as q

    fmt = checked_format(fmt, output, db)
    conn = _connect(db)
    if compare:
        return _compare(conn, query, fmt, output=output, bom=bom, quiet=quiet, year=year, where=where, doc=doc)
    status = _status_filter(status)
    result = q.tasks_for_unit(
        conn,
        query,
        year=year,
        role=role,
        where=where,
        doc=doc,
        limit=None if status else limit,
        details=fmt in ("json", "jsonl"),
        due_before=due_before,
        due_after=due_after,
        overdue=bool(overdue),
        as_of=as_of,
        fuzzy=bool(fuzzy),
    )
    if not result.resolution:
        return no_unit(result.resolution)
    if not result.rows:
        return no_rows(_("{what}: no tasks under these filters").format(what=result.description), result.suggestions)
    if not _with_progress(conn, result, status, limit):
        return no_rows(_("{what}: no task with status {status}").format(what=result.description, status=status), [])
    return emit_tasks(result, fmt, output=output, bom=bom, quiet=quiet, conn=conn)


@command(
    "task",
    args=[
        Param(
            "query",
            metavar="QUERY",
            help="Words to find in the task text, title or category (simplified or traditional "
            "characters), or the pinyin or initials of a phrase of the plans (haimianchengshi, hmcs).",
        )
    ],
    options=[
        "year",
        "role",
        "where",
        "doc",
        "due_before",
        "due_after",
        "overdue",
        "as_of",
        "limit",
        "exact",
        "status",
        "fmt",
        "output",
        "bom",
        "quiet",
        "db",
    ],
    epilog="Examples:  whodoes task 河长制  ·  whodoes task 海绵城市 --format csv  ·  whodoes task 水质 --year 2020  ·  "
    "whodoes task 河長制 --where 两江  ·  whodoes task 污水 --due-before 2025-06-30  ·  whodoes task hmcs",
)
def cmd_task(
    query,
    year=None,
    role=None,
    where=None,
    doc=None,
    due_before=None,
    due_after=None,
    overdue=False,
    as_of=None,
    limit=None,
    exact=False,
    status=None,
    fmt=None,
    output=None,
    bom=False,
    quiet=False,
    db=None,
) -> int:
    """Tasks whose text, title or category match the query, each with its lead and supporting units.

    Exact matches first, in the order of the plans; when there are none, the tasks of the phrase the query probably means (a homophone or one character off: 海棉城市 -> 海绵城市; its pinyin or initials), said on the first line; then fuzzy ones (tasks holding most of the query's character pairs). --role lead|support keeps tasks that have a lead|supporting unit.
    """
    from whodoes.query import api as q

    fmt = checked_format(fmt, output, db)
    conn = _connect(db)
    status = _status_filter(status)
    result = q.search_tasks(
        conn,
        query,
        year=year,
        role=role,
        where=where,
        doc=doc,
        limit=None if status else limit,
        exact=bool(exact),
        details=fmt in ("json", "jsonl"),
        due_before=due_before,
        due_after=due_after,
        overdue=bool(overdue),
        as_of=as_of,
    )
    if not result.rows:
        if result.unfiltered:
            n = result.unfiltered
            return no_rows(
                ngettext(
                    "no task matches {query!r} under these filters ({n} task without "
                    "--year/--where/--doc/--role/--due-*)",
                    "no task matches {query!r} under these filters ({n} tasks without "
                    "--year/--where/--doc/--role/--due-*)",
                    n,
                ).format(query=result.searched, n=n),
                [],
            )
        return no_rows(_("no task matches {query!r}").format(query=result.searched), result.suggestions)
    if not _with_progress(conn, result, status, limit):
        return no_rows(_("{what}: no task with status {status}").format(what=result.description, status=status), [])
    return emit_tasks(result, fmt, output=output, bom=bom, quiet=quiet, conn=conn)


@command(
    "show",
    args=[
        Param(
            "task_id",
            metavar="ID",
            help="A task's uid (document/number: wulong-2019-two-mountains-base-plan/3, "
            "or with a document-id prefix, wulong/3), or an old numeric id where unambiguous.",
        )
    ],
    options=["fmt", "output", "bom", "db"],
    epilog="Examples:  whodoes show wulong/3  ·  whodoes show liangjiang-2018/5 --format json",
)
def cmd_show(task_id, fmt=None, output=None, bom=False, db=None) -> int:
    """One task in full: document, section, category, text, targets per year, units as written and canonical, source line.

    Lead and supporting units as written and canonical, inherited flags, commanders where given, and the source file and line.
    """
    from whodoes.output import render
    from whodoes.query import api as q

    fmt = checked_format(fmt, output, db)
    conn = _connect(db)
    rec = q.get_task(conn, task_id)
    if rec is None:
        return no_rows(_("no task {id}").format(id=str(task_id).strip()[:60]) + q.task_ref_hint(conn, task_id), [])
    from whodoes.query.records import annotate

    annotate(conn, [rec])
    if fmt in ("table", "markdown"):
        rows = [{"field": k, "value": v} for k, v in render.detail_items(rec)]

        def table(_rows, console):
            from whodoes.output import termtable

            termtable.detail_view(rec, console)

        emit(rows, [("field", "field"), ("value", "value")], fmt, output=output, bom=bom, table=table)
    elif fmt == "json":
        import json

        from whodoes.output.render import json_default

        write_text(json.dumps(rec, ensure_ascii=False, indent=2, default=json_default) + "\n", output, bom)
    else:
        emit([rec], task_columns("export", None, fmt) + [("source_text", "source_text")], fmt, output=output, bom=bom)
    return EXIT_OK


@command(
    "docs",
    options=["verbose", "fmt", "output", "bom", "db"],
    epilog="Examples:  whodoes docs  ·  whodoes docs --verbose  ·  whodoes docs --format json",
)
def cmd_docs(verbose=False, fmt=None, output=None, bom=False, db=None) -> int:
    """The documents: id, title, jurisdiction, period, number of tasks and where the plan's file is (--verbose: and the layouts recognised)."""
    from whodoes.query import api as q

    fmt = checked_format(fmt, output, db)
    conn = _connect(db)
    rows = q.list_documents(conn, verbose=bool(verbose))
    if not rows:
        return no_rows(_("the database has no documents"), [])
    cols = [
        ("id", "id"),
        ("title", "title"),
        ("jurisdiction", "jurisdiction"),
        ("period", "period"),
        ("tasks", "tasks"),
        ("file", "path"),
    ]
    if verbose:
        cols += [
            ("issuer", "issuer"),
            ("doc_number", "doc_number"),
            ("date", "date"),
            ("layouts", "layouts"),
            ("period_note", "period_note"),
            ("encoding", "encoding"),
            ("sha256", "sha256"),
        ]

    def table(rows, console):  # --verbose on a terminal: a list per document, not thirteen narrow columns
        from whodoes.output import termtable

        termtable.record_list(rows, [k for _, k in cols], console, headers=[h for h, _ in cols])

    emit(rows, cols, fmt, output=output, bom=bom, table=table if verbose else None)
    return EXIT_OK


@command(
    "units",
    options=[
        "where",
        Param(
            "body_type",
            "--type",
            "-t",
            metavar="TYPE",
            help="Only the bodies of this type in every jurisdiction (生态环境局, 发改委, 环保局 ...).",
        ),
        Param(
            "unknown",
            "--unknown",
            "-u",
            flag=True,
            help="Only the names nothing knows: in neither data/units.toml nor data/bodies.toml.",
        ),
        "fmt",
        "output",
        "bom",
        "db",
    ],
    epilog="Examples:  whodoes units  ·  whodoes units --where 两江新区  ·  whodoes units --type 生态环境局  ·  "
    "whodoes units --unknown  ·  whodoes units --format csv",
)
def cmd_units(where=None, body_type=None, unknown=False, fmt=None, output=None, bom=False, db=None) -> int:
    """The units: jurisdiction, kind (bodies first, collectives after), body type and how many tasks each leads and supports."""
    from whodoes.query import api as q

    fmt = checked_format(fmt, output, db)
    conn = _connect(db)
    type_ = None
    if body_type is not None:
        type_ = q.find_type(conn, body_type)
        if type_ is None:
            return no_rows(
                _("no body type {type!r} in the catalogue (data/bodies.toml)").format(type=body_type.strip()),
                q.nearest_types(conn, body_type),
            )
    rows = q.list_units(conn, where=where, body_type=type_, unknown=bool(unknown))
    if type_ is not None:
        _say_missing(conn, type_, rows, where)
    if not rows:
        what = _("no units of type {type}").format(type=type_) if type_ else _("no units")
        return no_rows(what + (_(" that nothing knows") if unknown else ""), [])
    cols = [
        ("name", "name"),
        ("jurisdiction", "jurisdiction"),
        ("kind", "kind"),
        ("type", "type"),
        ("leads", "leads"),
        ("supports", "supports"),
        ("written", "written"),
        ("key", "key"),
    ]

    def table(rows, console):
        from whodoes.output import termtable

        for collective, title in ((False, _("bodies")), (True, _("collectives"))):
            part = [r for r in rows if (r["kind"] == "collective") == collective]
            if part:
                console.print(f"{title} ({len(part)})", style="bold", markup=False)
                termtable.plain_table(part, [k for _h, k in cols[:-1]], console, headers=[h for h, _k in cols[:-1]])

    emit(rows, cols, fmt, output=output, bom=bom, table=table)
    return EXIT_OK


def _say_missing(conn, type_: str, rows: list[dict], where) -> None:
    """On stderr: the jurisdictions with a plan in the database but no body of ``type_``."""
    from whodoes.query.jurisdictions import document_jurisdictions

    have = {r["jurisdiction"] for r in rows}
    missing = [j for j in document_jurisdictions(conn) if j not in have and (not where or j in (where or ""))]
    if missing:
        err(_("no {type} named in the plans of {jurisdictions}").format(type=type_, jurisdictions="、".join(missing)))


def _compare(conn, query, fmt, *, output=None, bom=False, quiet=False, year=None, where=None, doc=None) -> int:
    """``whodoes unit QUERY --compare``: per jurisdiction, its body of the query's type."""
    from whodoes.query import api as q

    type_, rows = q.compare_type(conn, query, year=year, where=where, doc=doc)
    if type_ is None:
        return no_rows(
            _("{query!r} names no body type to compare (see `whodoes units --type`)").format(query=query.strip()),
            q.nearest_types(conn, query),
        )
    if not rows:
        return no_rows(_("no {type} in the database under these filters").format(type=type_), [])
    cols = [
        ("jurisdiction", "jurisdiction"),
        ("unit", "unit"),
        ("leads", "leads"),
        ("supports", "supports"),
        ("lead_tasks", "lead_tasks"),
        ("support_tasks", "support_tasks"),
    ]
    heading = ngettext(
        "{type} side by side: {n} jurisdiction (the first 5 tasks of each role)",
        "{type} side by side: {n} jurisdictions (the first 5 tasks of each role)",
        len(rows),
    ).format(type=type_, n=len(rows))

    def table(rows, console):  # one task a line
        from whodoes.output import termtable

        lines = [{k: "\n".join(v) if isinstance(v, list) else v for k, v in r.items()} for r in rows]
        termtable.plain_table(lines, [k for _h, k in cols], console, headers=[h for h, _k in cols])

    emit(rows, cols, fmt, output=output, bom=bom, heading=heading, quiet=quiet, table=table)
    return EXIT_OK


@command(
    "export",
    options=[
        "year",
        "role",
        "where",
        "doc",
        "due_before",
        "due_after",
        "overdue",
        "as_of",
        "limit",
        "status",
        "fmt",
        "output",
        "bom",
        "db",
    ],
    epilog="Examples:  whodoes export --format jsonl > tasks.jsonl  ·  whodoes export -o tasks.csv --bom  ·  "
    "whodoes export --doc 2018 --format markdown  ·  whodoes export --overdue --as-of 2025-01-01",
)
def cmd_export(
    year=None,
    role=None,
    where=None,
    doc=None,
    due_before=None,
    due_after=None,
    overdue=False,
    as_of=None,
    limit=None,
    status=None,
    fmt=None,
    output=None,
    bom=False,
    db=None,
) -> int:
    """Every task row in document order; jsonl objects carry targets, units as written and canonical, and source lines."""
    from whodoes.query import api as q

    fmt = checked_format(fmt, output, db)
    conn = _connect(db)
    status = _status_filter(status)
    result = q.export_tasks(
        conn,
        year=year,
        role=role,
        where=where,
        doc=doc,
        limit=None if status else limit,
        due_before=due_before,
        due_after=due_after,
        overdue=bool(overdue),
        as_of=as_of,
    )
    if not result.rows:
        return no_rows(_("no tasks under these filters"), [])
    if not _with_progress(conn, result, status, limit):
        return no_rows(_("no task with status {status}").format(status=status), [])
    return emit_tasks(result, fmt, output=output, bom=bom, heading=False)


@command(
    "due",
    options=[
        Param("within", "--within", metavar="SPAN", help="How far ahead: 90d (the default), 12w, 6m, 1y."),
        "as_of",
        "where",
        "doc",
        "role",
        "limit",
        "fmt",
        "output",
        "bom",
        "quiet",
        "db",
    ],
    epilog="Examples:  whodoes due  ·  whodoes due --within 1y --where 两江新区  ·  whodoes due --as-of 2025-01-01 --within 6m",
)
def cmd_due(
    within=None,
    as_of=None,
    where=None,
    doc=None,
    role=None,
    limit=None,
    fmt=None,
    output=None,
    bom=False,
    quiet=False,
    db=None,
) -> int:
    """What falls due: tasks whose deadline (完成时限 cell, or a phrase such as 2025年底前 in the text) falls in the next 90 days (--within), month by month.

    From today, or --as-of DATE. Only tasks with a due date; recurring (每季度, 每年) and ongoing (持续推进) ones are counted in the first line.
    """
    from whodoes.query import api as q

    fmt = checked_format(fmt, output)
    conn = _connect(db)
    result = q.due_tasks(
        conn, within=within, as_of=as_of, where=where, doc=doc, role=role, limit=limit, details=fmt in ("json", "jsonl")
    )
    if not result.rows:
        return no_rows(_("nothing falls {what}").format(what=result.description), [])
    return emit_tasks(result, fmt, output=output, bom=bom, quiet=quiet, conn=conn)


@command(
    "build",
    options=[
        Param("sources", "--sources", metavar="DIR", help="The plan files (default: data/sources)."),
        Param(
            "out", "--out", metavar="PATH", help="The database to write (default: data/plans.sqlite, or $WHODOES_DB)."
        ),
        Param("units", "--units", metavar="FILE", help="The curated units file (default: data/units.toml)."),
        "jobs",
        "no_cache",
        "max_size",
        "force",
    ],
    epilog="Examples:  whodoes build  ·  whodoes build --out /tmp/plans.sqlite  ·  whodoes build --jobs 1",
    fast=False,
)
def cmd_build(sources=None, out=None, units=None, jobs=None, no_cache=False, max_size=None, force=False) -> int:
    """Rebuild the database from the plan files and data/units.toml (the previous one stays if the build fails).

    Sources may be UTF-8 (with or without BOM), UTF-16 or GB18030/GBK; a source that is not UTF-8 gets a note. A source that is empty or cannot be decoded fails the build, naming the file (exit 2), so that the database never silently lacks a plan; a source with no task rows is a warning. A failed or interrupted build leaves the previous database unchanged. Documents are parsed by --jobs worker processes and kept in a parse cache (in the user's cache folder): a plan whose bytes, metadata, curated data and reader are unchanged is not parsed again.
    """
    from whodoes import paths
    from whodoes.cli.progress import BuildProgress
    from whodoes.errors import DataError

    try:
        from whodoes.build.pipeline import BuildError, build, unchanged
    except ImportError as e:
        raise DataError(
            _("cannot build: {error} (install whodoes with its build dependencies)").format(error=e)
        ) from None
    sources, out, units, shipped = paths.build_folders(sources, out, units)
    limit = _max_size(max_size)
    commandline.handle_sigterm()
    try:
        with BuildProgress() as progress:
            report = build(
                sources,
                out,
                units,
                on_start=progress.start,
                on_document=progress.document,
                shipped=shipped,
                force=bool(force),
                max_size=limit,
                on_wait=err,
                jobs=_jobs(jobs),
                cache=not no_cache,
            )
    except BuildError as e:
        raise DataError(_("build failed: {error}").format(error=e)) from None
    except KeyboardInterrupt as e:
        stopped = _("build terminated") if isinstance(e, commandline.Terminated) else _("build interrupted")
        err(f"{stopped}; {unchanged(out)}")
        return commandline.EXIT_TERMINATED if isinstance(e, commandline.Terminated) else EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - a bug in the build: one line (WHODOES_DEBUG=1: the traceback)
        if os.environ.get("WHODOES_DEBUG"):
            raise
        raise DataError(
            f"build failed: internal error: {type(e).__name__}: {' '.join(str(e).split())[:200]}; "
            f"{unchanged(out)} (WHODOES_DEBUG=1 shows the traceback)"
        ) from None
    _notes_and_warnings(report)
    sys.stdout.write(
        _("{rows} task rows, {units} units from {documents} documents in {seconds} s -> {out}").format(
            rows=report.rows,
            units=report.units,
            documents=len(report.documents),
            seconds=f"{report.seconds:.2f}",
            out=one_line(report.out),
        )
        + "\n"
    )
    return EXIT_OK


@command(
    "stats",
    options=[
        "where",
        "role",
        Param(
            "top",
            "--top",
            "-t",
            metavar="N",
            help="The N units with most tasks per jurisdiction and role (default 10).",
        ),
        Param(
            "collectives",
            "--all",
            "-a",
            flag=True,
            help="Also collectives (相关部门, 各街道, 有关国有企业 ...), marked *.",
        ),
        "fmt",
        "output",
        "bom",
        "db",
    ],
    epilog="Examples:  whodoes stats  ·  whodoes stats --where 两江新区 --top 5  ·  whodoes stats --role lead --all  ·  "
    "whodoes stats --format csv",
)
def cmd_stats(where=None, role=None, top=None, collectives=False, fmt=None, output=None, bom=False, db=None) -> int:
    """Who carries the most tasks: per jurisdiction, the units that lead most tasks and those that support most, as bars.

    On a terminal a bar chart; piped or with --format, rows of jurisdiction, role, rank, unit, kind, tasks. Bodies only unless --all.
    """
    from whodoes.query import api as q
    from whodoes.query.filters import positive_int

    fmt = checked_format(fmt, output, db)
    conn = _connect(db)
    rows = q.unit_stats(conn, where=where, role=role, top=top, collectives=bool(collectives))
    if not rows:
        return no_rows(_("no unit leads or supports a task under these filters"), [])
    cols = [
        ("jurisdiction", "jurisdiction"),
        ("role", "role"),
        ("rank", "rank"),
        ("unit", "unit"),
        ("kind", "kind"),
        ("tasks", "tasks"),
        ("projects", "projects"),
        ("key", "key"),
        ("label", "label"),
    ]
    n = positive_int(top, "--top") if top is not None else 10
    kinds = _("bodies and collectives, marked *") if collectives else _("bodies; --all adds collectives")

    def table(rows, console):
        from whodoes.output import termtable

        title = _("Who carries the most tasks: the top {n} per jurisdiction ({kinds})").format(n=n, kinds=kinds)
        termtable.bar_chart(rows, console, title=title)

    emit(rows, cols, fmt, output=output, bom=bom, table=table)
    return EXIT_OK


@command(
    "serve",
    options=[
        Param("host", "--host", metavar="HOST", help="Listen on HOST (default 127.0.0.1: this machine only)."),
        Param("port", "--port", "-p", metavar="PORT", help="The port (default 8001; 0 picks a free one)."),
        Param(
            "get",
            "--get",
            metavar="PATH",
            help="Print the page at PATH and exit instead of serving (as datasette --get).",
        ),
        Param(
            "metadata",
            "--metadata",
            "-m",
            metavar="FILE",
            help="Datasette metadata (default: data/datasette-metadata.json).",
        ),
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
    from whodoes.web import serve as web

    return web.serve(db=db, host=host, port=port, get=get, metadata=metadata, open_browser=bool(open_browser))


@command(
    "add",
    args=[
        Param(
            "files",
            metavar="FILE",
            help="Plan files: .docx, .pdf (with text), .html, .xlsx, .xls, .txt/.md (UTF-8, UTF-16 or GB18030/GBK); .doc, .wps, .et with LibreOffice.",
            many=True,
        )
    ],
    options=[
        Param(
            "title",
            "--title",
            "-t",
            metavar="TITLE",
            help="The plan's title (default: inferred from its heading lines).",
        ),
        Param(
            "jurisdiction",
            "--jurisdiction",
            "-j",
            metavar="NAME",
            help="Whose units it assigns: 北碚区, 两江新区 ... (default: inferred from the title or issuing body).",
        ),
        Param(
            "period",
            "--period",
            "-p",
            metavar="START-END",
            help="The years it covers, e.g. 2022-2025 (default: inferred from the title or the date).",
        ),
        Param("sources", "--sources", metavar="DIR", help="The sources folder to add to (default: data/sources)."),
        Param(
            "db",
            "--db",
            metavar="PATH",
            help="The database to rebuild (default: $WHODOES_DB; else plans.sqlite beside DIR with --sources, else data/plans.sqlite).",
        ),
        "max_size",
        "force",
    ],
    epilog="Examples:  whodoes add ~/Downloads/北碚区方案.docx  ·  "
    "whodoes add plan.txt --jurisdiction 北碚区 --period 2023-2025  ·  whodoes add a.txt b.txt --sources /tmp/src --db /tmp/p.sqlite",
    fast=False,
)
def cmd_add(
    files, title=None, jurisdiction=None, period=None, sources=None, db=None, max_size=None, force=False
) -> int:
    """Add plan files: copy them byte for byte into the sources folder, describe them in its metadata.toml, rebuild.

    Title, issuing body, jurisdiction and period are inferred from the text where not given, and the report says which were inferred (check them; metadata.toml is the place to correct them). A file of the same name with other bytes is never overwritten (exit 2). All or nothing: the files, metadata.toml and the database change together once the new database is built; a failed, interrupted or killed add leaves them as they were (the next add or build completes or undoes a killed one). Adds and builds of one folder take turns.
    """
    from whodoes import paths
    from whodoes.cli.progress import BuildProgress
    from whodoes.errors import DataError

    try:
        from whodoes.build.add import add
    except ImportError as e:
        raise DataError(
            _("cannot add: {error} (install whodoes with its build dependencies)").format(error=e)
        ) from None
    sources, db, units, shipped = paths.add_folders(sources, db)
    if shipped is not None:
        _refuse_shipped_names(files, shipped)
    limit = _max_size(max_size)
    commandline.handle_sigterm()
    with BuildProgress() as progress:
        items, report = add(
            list(files),
            sources,
            db,
            title=title,
            jurisdiction=jurisdiction,
            period=period,
            units=units,
            shipped=shipped,
            on_start=progress.start,
            on_document=progress.document,
            on_wait=err,
            force=bool(force),
            max_size=limit,
        )
    out = stdout()
    for item in items:
        what = "copied" if item.copied else "already there, identical"
        if item.link:
            what += f"; {item.source} is a symbolic link to {item.link}, whose content was copied"
        out.write(one_line(f"{item.source} -> {item.target} ({what}; sha256 {item.sha256[:12]})") + "\n")
        for key in ("title", "issuer", "jurisdiction", "doc_number", "date", "period"):
            if item.meta.get(key):
                out.write(one_line(f"  {key:<13}{item.meta[key]}  [{item.how.get(key, 'metadata.toml')}]") + "\n")
        if not item.meta.get("jurisdiction"):
            out.write("  jurisdiction  unknown: give --jurisdiction (its units cannot be told from others')\n")
        rows = item.rows if item.rows is not None else 0
        out.write(f"  task rows    {rows}\n")
        if item.inferred:
            where = one_line(item.target.parent / "metadata.toml")
            out.write(f"  inferred: {', '.join(item.inferred)} (check them; correct them in {where})\n")
    _notes_and_warnings(report)
    done = "added in place" if report.patched else "rebuilt"
    out.write(
        f"{done}: {report.rows} task rows, {report.units} units from {len(report.documents)} documents "
        f"in {report.seconds:.2f} s -> {one_line(report.out)}\n"
    )
    out.flush()
    if report.interrupted is not None:  # it came during the commit, which finished first
        terminated = isinstance(report.interrupted, commandline.Terminated)
        err(f"{'terminated' if terminated else 'interrupted'} after the files were added (the add was complete)")
        return commandline.EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    return EXIT_OK


@command(
    "parse",
    args=[
        Param(
            "files",
            metavar="FILE",
            help="Plan files (each described by the metadata.toml of its folder, if any).",
            many=True,
        )
    ],
    options=[
        Param("out", "--output", "-o", metavar="SHARD", help="The shard to write (created, or added to)."),
        Param("units", "--units", metavar="FILE", help="The curated units file (default: data/units.toml)."),
        "jobs",
        "max_size",
    ],
    epilog="Examples:  whodoes parse data/sources/*.txt -o part1.sqlite  ·  "
    "ls plans/*.docx | parallel -N 100 whodoes parse {} -o shards/{#}.sqlite",
    fast=False,
)
def cmd_parse(files, out=None, units=None, jobs=None, max_size=None) -> int:
    """Parse plan files into a shard, with no shared state: the first half of a build that a batch engine can spread over many machines (then whodoes merge).

    A shard is an SQLite file of parsed documents. Parsing a document again into the same shard replaces it. Exit 2 when a file cannot be read.
    """
    from whodoes.errors import DataError, UsageError

    try:
        from whodoes.build.shards import ShardError, parse_files
    except ImportError as e:
        raise DataError(f"cannot parse: {e} (install whodoes with its build dependencies)") from None
    if not out:
        raise UsageError("give the shard to write: whodoes parse FILE... -o SHARD")
    commandline.handle_sigterm()
    try:
        ids = parse_files(list(files), out, units_file=units, jobs=_jobs(jobs), max_size=_max_size(max_size))
    except ShardError as e:
        raise DataError(str(e)) from None
    sys.stdout.write(f"{len(ids)} documents parsed -> {one_line(out)}\n")
    return EXIT_OK


@command(
    "merge",
    args=[Param("shards", metavar="SHARD", help="Shards written by whodoes parse.", many=True)],
    options=[
        Param(
            "out",
            "--output",
            "-o",
            metavar="PATH",
            help="The database to write (default: data/plans.sqlite, or $WHODOES_DB).",
        ),
        Param("units", "--units", metavar="FILE", help="The curated units file (default: data/units.toml)."),
        "force",
    ],
    epilog="Examples:  whodoes merge shards/*.sqlite -o plans.sqlite",
    fast=False,
)
def cmd_merge(shards, out=None, units=None, force=False) -> int:
    """Write the database from shards (whodoes parse): resolve the units and write, as whodoes build does with the same files.

    The documents go in file-name order; one document in two shards must be the same parse (else exit 2). The previous database stays if the merge fails.
    """
    from whodoes import paths
    from whodoes.cli.progress import BuildProgress
    from whodoes.errors import DataError

    try:
        from whodoes.build.shards import ShardError, merge
    except ImportError as e:
        raise DataError(f"cannot merge: {e} (install whodoes with its build dependencies)") from None
    out = out or paths.default_db()
    commandline.handle_sigterm()
    try:
        with BuildProgress() as progress:
            report = merge(
                list(shards),
                out,
                units_file=units,
                force=bool(force),
                on_start=progress.start,
                on_document=progress.document,
            )
    except ShardError as e:
        raise DataError(f"merge failed: {e}") from None
    _notes_and_warnings(report)
    sys.stdout.write(
        f"{report.rows} task rows, {report.units} units from {len(report.documents)} documents "
        f"in {report.seconds:.2f} s -> {one_line(report.out)}\n"
    )
    return EXIT_OK


# ----------------------------------------------------------------------------------------------
# progress records, progress reports, tasks traced across plans (issue 19)

PROGRESS_COLS = [
    ("entry", "id"),
    ("task_id", "task_id"),
    ("uid", "uid"),
    ("date", "date"),
    ("status", "status"),
    ("progress", "note"),
    ("by", "reporter"),
    ("attached", "attached"),
    ("source", "source"),
    ("recorded_at", "recorded_at"),
]
ORPHAN_COLS = [
    ("entry", "id"),
    ("uid", "uid"),
    ("date", "date"),
    ("status", "status"),
    ("progress", "note"),
    ("why", "why"),
    ("task_text", "task_text"),
    ("doc_sha256", "doc_sha256"),
]


@command(
    "progress",
    args=[
        Param(
            "task_id",
            metavar="TASK_ID",
            optional=True,
            help="A task: its id (the id column) or its stable id <document id>/<n> (the uid column).",
        ),
        Param(
            "text",
            metavar="TEXT",
            optional=True,
            help="The progress to record (推进情况); without it, the task's entries are listed.",
        ),
    ],
    options=[
        Param("date", "--date", metavar="YYYY-MM-DD", help="The date the progress refers to (default: today)."),
        Param(
            "status",
            "--status",
            "-s",
            metavar="STATUS",
            help="The status to record: done, on-track, behind or not-started.",
        ),
        Param("by", "--by", metavar="NAME", help="Who reported it."),
        Param(
            "import_file",
            "--import",
            metavar="FILE",
            help="Read a filled-in ledger (.xlsx, .docx or .csv; the task ledger of `whodoes unit -o 台账.xlsx` too): a task id (or 来源) column and a 完成情况/推进情况 column, optional 状态/status and 日期/date.",
        ),
        Param(
            "orphans",
            "--orphans",
            flag=True,
            help="List the entries no task takes any more (its text changed or its document is gone).",
        ),
        Param("attach", "--attach", metavar="ENTRY", help="Re-attach entry ENTRY (see --orphans) to TASK_ID."),
        "fmt",
        "output",
        "bom",
        "db",
    ],
    epilog='Examples:  whodoes progress 85 "勘界定标已完成" --status done --date 2020-12-20 --by 生态环境分局  ·  '
    "whodoes progress 85  ·  whodoes progress --import 推进情况.xlsx  ·  whodoes progress --orphans",
)
def cmd_progress(
    task_id=None,
    text=None,
    date=None,
    status=None,
    by=None,
    import_file=None,
    orphans=False,
    attach=None,
    fmt=None,
    output=None,
    bom=False,
    db=None,
) -> int:
    """Record the progress of a task (a dated entry, never overwritten), list a task's entries, or import a filled-in ledger.

    The records are kept in the user's folder (<WHODOES_HOME or the user data folder>/progress.sqlite), apart from the plan database: rebuilding it, adding plans or reinstalling whodoes never touches them. An entry is keyed by the task's stable id and its text: when a plan changes, it follows its task's text within the document; when the text changed, it is kept and listed by --orphans for a person to re-attach (--attach). --import exits 1 when some rows could not be matched (they are listed; the others are recorded).
    """
    from whodoes.query import records

    conn = _connect(db)
    if import_file:
        return _progress_import(conn, import_file, date, by)
    if orphans:
        fmt = checked_format(fmt, output)
        rows = records.orphans(conn)
        if not rows:
            return no_rows(_("no orphaned progress entries"), [])
        emit(rows, ORPHAN_COLS, fmt, output=output, bom=bom)
        return EXIT_OK
    if task_id is None:
        return _progress_list(conn, None, fmt, output, bom)
    task = records.find_task(conn, task_id)
    if task is None:
        return no_rows(_("no task {id}").format(id=str(task_id).strip()[:60]), [])
    if attach is not None:
        return _progress_attach(conn, attach, task)
    if text is None and status is None:
        return _progress_list(conn, task, fmt, output, bom)
    when, status = records.check_date(date), records.check_status(status)  # checked before the file is created
    rec = records.open_records(create=True)
    with rec:
        entry = records.add_entry(rec, task, text, date=when, status=status, by=by)
    rec.close()
    stdout().write(
        f"entry {entry}: task {task['id']} ({task['uid']}) {status or 'no status'}, {when} -> "
        f"{records.records_path()}\n"
    )
    return EXIT_OK


def _progress_list(conn, task, fmt, output, bom) -> int:
    from whodoes.query import records

    fmt = checked_format(fmt, output)
    rec = records.open_records()
    if rec is None:
        return no_rows(f"no progress recorded yet ({records.records_path()} does not exist)", [])
    entries = records.all_entries(rec)
    records.place_entries(conn, entries)
    if task is not None:
        lost = sum(1 for e in entries if e["task_id"] is None and e["key"][1] == task["document_id"])
        entries = [e for e in entries if e["task_id"] == task["id"]]
        if not entries:
            hint = (
                [f"{lost} orphaned entr{'y' if lost == 1 else 'ies'} of its document: whodoes progress --orphans"]
                if lost
                else []
            )
            return no_rows(f"no progress recorded for task {task['id']} ({task['uid']})", hint)
    if not entries:
        return no_rows(_("no progress recorded"), [])
    heading = (
        f"task {task['id']} ({task['uid']}): {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}" if task else None
    )

    def table(rows, console):  # on a terminal: the columns a person reads
        from whodoes.output import termtable

        keys = ["id"] + ([] if task else ["task_id"]) + ["date", "status", "note", "reporter", "attached"]
        heads = ["entry"] + ([] if task else ["task"]) + ["date", "status", "progress", "by", "attached"]
        termtable.plain_table(rows, keys, console, headers=heads, ratios={"note": 3})

    emit(entries, PROGRESS_COLS, fmt, output=output, bom=bom, heading=heading, table=table)
    return EXIT_OK


def _progress_attach(conn, entry, task) -> int:
    from whodoes.query import records
    from whodoes.query.filters import positive_int

    entry_id = positive_int(entry, "--attach")
    rec = records.open_records()
    if rec is None:
        return no_rows(f"no progress recorded yet ({records.records_path()} does not exist)", [])
    with rec:
        records.attach(rec, entry_id, task)
    rec.close()
    stdout().write(f"entry {entry} re-attached to task {task['id']} ({task['uid']})\n")
    return EXIT_OK


def _progress_import(conn, path, date, by) -> int:
    from whodoes.output.ledgerin import import_ledger, read_tables
    from whodoes.query import records

    read_tables(path)  # a file it cannot read: said before the progress file is created
    rec = records.open_records(create=True)
    with rec:
        result = import_ledger(conn, rec, path, date=date, by=by)
    rec.close()
    for line in result.unmatched:
        err(f"not matched: {line}")
    stdout().write(
        f"{path}: {result.added} entries added, {result.repeated} already recorded, {result.blank} blank rows, "
        f"{len(result.unmatched)} rows not matched -> {records.records_path()}\n"
    )
    return commandline.EXIT_EMPTY if result.unmatched else EXIT_OK


@command(
    "report",
    options=[
        Param(
            "unit",
            "--unit",
            "-u",
            metavar="UNIT",
            help="The tasks a unit leads or supports (as for `whodoes unit`).",
            complete="unit",
        ),
        "where",
        "doc",
        Param(
            "period",
            "--period",
            "-p",
            metavar="PERIOD",
            help="The reporting period: 2024Q1, 2024H2, 2024-03 or 2024 (required).",
        ),
        Param(
            "fmt",
            "--format",
            "-f",
            metavar="FORMAT",
            help="xlsx, docx, markdown or csv (default: by -o FILE's extension; markdown on standard output).",
        ),
        "output",
        "db",
    ],
    epilog="Examples:  whodoes report --unit 城管局 --period 2020Q4 -o 推进情况.xlsx  ·  "
    "whodoes report --where 两江新区 --period 2020 -o 推进情况.docx  ·  whodoes report --doc 2018 --period 2020H2",
)
def cmd_report(unit=None, where=None, doc=None, period=None, fmt=None, output=None, db=None) -> int:
    """The progress report of a period (推进情况): every task in scope with its units, deadline, latest progress, status and whether it is overdue, and a summary line per lead unit.

    Scope: --unit, --where or --doc (or all plans), of the plans in force in the period's year. The status is the latest recorded up to the period's last day; a task with nothing recorded in the period (and not done before) counts as not reported. Overdue: not done, and the year of its deadline (else the last year of its plan) has ended by the period's last day.
    """
    from whodoes.output import report as rp

    if not period:
        from whodoes.errors import UsageError

        raise UsageError(_("report needs --period, e.g. --period 2024Q1 (a quarter, H1/H2, a month 2024-03 or a year)"))
    kind = rp.report_format(output, fmt)
    if output:  # the folder exists, the file is not a folder: said before the report is built
        from whodoes.errors import UsageError

        if os.path.isdir(output) or not os.path.isdir(os.path.dirname(os.path.abspath(output))):
            raise UsageError(_("cannot write {file}: it is a folder, or its folder does not exist").format(file=output))
    conn = _connect(db)
    rep = rp.build_report(conn, rp.parse_period(period), unit=unit, where=where, doc=doc)
    if not rep["rows"]:
        return no_rows(f"no task in scope in {rep['period'].label} ({rep['scope']})", [])
    rp.write_report(rep, kind, output, stdout())
    if output:
        total = rep["summary"][-1]
        err(
            f"{rep['title']}, {rep['scope']}: {total['tasks']} tasks ({total['done']} done, {total['on-track']} on track, "
            f"{total['behind']} behind, {total['not reported']} not reported, {total['overdue']} overdue) -> {output}"
        )
    return EXIT_OK


TRACE_COLS = [
    ("rank", "rank"),
    ("score", "score"),
    ("verdict", "verdict"),
    ("id", "id"),
    ("uid", "uid"),
    ("period", "period"),
    ("task", "text"),
    ("lead", "lead"),
    ("support", "support"),
    ("responsibility", "responsibility"),
    ("text_score", "text_score"),
    ("unit_score", "unit_score"),
    ("document", "document"),
]
CORRESPOND_COLS = [
    ("status", "status"),
    ("score", "score"),
    ("a_id", "a_id"),
    ("a_uid", "a_uid"),
    ("a_task", "a_text"),
    ("a_lead", "a_lead"),
    ("b_id", "b_id"),
    ("b_uid", "b_uid"),
    ("b_task", "b_text"),
    ("b_lead", "b_lead"),
    ("responsibility", "responsibility"),
    ("nearest", "nearest"),
]


def _one_doc(conn, text, flag):
    from whodoes.query.filters import resolve_docs

    docs = resolve_docs(conn, text)
    if len(docs) != 1:
        from whodoes.errors import UsageError

        raise UsageError(f"{flag} {text!r} names {len(docs)} documents ({', '.join(docs)}); give one")
    return docs[0]


@command(
    "trace",
    args=[
        Param(
            "task_id",
            metavar="TASK_ID",
            optional=True,
            help="A task: its id or stable id <document id>/<n>; its matches in the other plans of its jurisdiction.",
        )
    ],
    options=[
        Param(
            "doc",
            "--doc",
            "-d",
            metavar="DOCUMENT",
            help="With --to: the earlier plan (an id or a part of its id or title).",
            complete="doc",
        ),
        Param(
            "to",
            "--to",
            metavar="DOCUMENT",
            help="With --doc: the later plan; gives the whole correspondence.",
            complete="doc",
        ),
        Param("limit", "--limit", "-n", metavar="N", help="At most N matches of TASK_ID (default 5)."),
        "fmt",
        "output",
        "bom",
        "db",
    ],
    epilog="Examples:  whodoes trace 108  ·  whodoes trace liangjiang-2018-green-development-action-plan/49  ·  "
    "whodoes trace --doc liangjiang-2018 --to liangjiang-2021 -o 对照.xlsx",
)
def cmd_trace(task_id=None, doc=None, to=None, limit=None, fmt=None, output=None, bom=False, db=None) -> int:
    """The same work across plans: a task's matches in its jurisdiction's earlier and later plans, best first, or the correspondence of two plans (--doc A --to B).

    Matching on the task text (TF-IDF of character pairs and triples, and how much of the shorter text the longer holds) and the units (renamed predecessors are the same unit); a score of 0.30 or more is taken as the same work. Each match says whether the lead unit moved. --doc A --to B: every task of A carried over (with its best match in B) or dropped, and every task of B that is new.
    """
    from whodoes.query import trace
    from whodoes.query.filters import positive_int

    fmt = checked_format(fmt, output)
    conn = _connect(db)
    if doc or to:
        if task_id is not None or not (doc and to):
            from whodoes.errors import UsageError

            raise UsageError(_("trace takes a TASK_ID, or --doc A --to B (both)"))
        a, b = _one_doc(conn, doc, "--doc"), _one_doc(conn, to, "--to")
        rows, n = trace.correspond(conn, a, b)
        heading = (
            f"{a} -> {b}: {n['carried']} of {n['a_tasks']} tasks carried over, {n['dropped']} dropped; "
            f"{n['new']} of {n['b_tasks']} tasks of {b} new (score >= {trace.SAME_WORK:.2f}: the same work)"
        )
        emit(rows, CORRESPOND_COLS, fmt, output=output, bom=bom, heading=heading)
        return EXIT_OK
    if task_id is None:
        from whodoes.errors import UsageError

        raise UsageError(_("trace needs a TASK_ID, or --doc A --to B"))
    from whodoes.query.records import find_task

    task = find_task(conn, task_id)
    if task is None:
        return no_rows(_("no task {id}").format(id=str(task_id).strip()[:60]), [])
    me, rows = trace.trace_task(conn, task["id"], limit=positive_int(limit, "--limit") if limit is not None else 5)
    if not rows:
        return no_rows(f"task {me['id']} ({me['uid']}): no other plan of its jurisdiction", [])
    heading = (
        f"task {me['id']} ({me['uid']}, {me['period']}, lead {'、'.join(me['lead']) or '-'}): {me['text'][:60]}"
        f"{'…' if len(me['text']) > 60 else ''}"
    )
    emit(rows, TRACE_COLS, fmt, output=output, bom=bom, heading=heading, table=_trace_table)
    return EXIT_OK


def _trace_table(rows, console) -> None:
    """On a terminal: rank, score, verdict, id, period, the text (cut at 60 characters), who led it."""
    from whodoes.output import termtable

    keys = ["rank", "score", "verdict", "id", "period", "text", "responsibility"]
    short = [dict(r, text=r["text"][:60] + ("…" if len(r["text"]) > 60 else "")) for r in rows]
    termtable.plain_table(
        short,
        keys,
        console,
        headers=["#", "score", "verdict", "id", "period", "task", "lead"],
        ratios={"text": 1, "responsibility": 1},
    )


def _refuse_shipped_names(files, shipped) -> None:
    """A plan whose id (file name without extension) is a shipped plan's: exit 2, before anything is copied."""
    from whodoes.errors import UsageError

    taken = {os.path.splitext(n)[0] for n in os.listdir(shipped)} if os.path.isdir(shipped) else set()
    for f in files:
        stem = os.path.splitext(os.path.basename(f))[0]
        if stem in taken:
            raise UsageError(f"{os.path.basename(f)}: the document id {stem!r} is a shipped plan's; rename the file")


# ----------------------------------------------------------------------------------------------
# entry point


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    return commandline.run(sys.argv[1:] if argv is None else list(argv))


def __getattr__(name):  # whodoes.cli.app.app, built on first use
    if name == "app":
        return commandline.typer_app()
    raise AttributeError(name)
