"""The command line as data, and the two ways it is parsed.

The commands and their options are declared once (``Param``, ``OPTS``, ``command``; the
commands themselves are in whodoes.cli.app, which registers them in ``COMMANDS``).  From that
declaration come

* the Typer app (``build_app()``, also ``whodoes.cli.app.app``): help with examples, and
  every error message for a command line it does not accept;
* a fast path for the ordinary command line (a known command, known options, the right
  number of arguments, no --help): parsed here, without importing typer, whose import
  alone costs ~30 ms, 3x a whole query.  Anything unusual goes to Typer, so both paths
  accept exactly the same command lines; WHODOES_NO_FAST=1 always uses Typer (tests
  compare the two).

``run`` routes a command line to one of them and turns every error into its exit code
and one line on stderr: 0 results, 1 no results, 2 usage or data error, 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM, handled like Ctrl-C by the commands that write).
No traceback reaches the user (WHODOES_DEBUG=1 shows it).  Piping into ``head`` ends quietly.
"""

from __future__ import annotations

import os
import sys

from whodoes import __version__

from whodoes.errors import EXIT_EMPTY, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, PipeClosed, err  # noqa: F401
from whodoes.interrupts import _SIGTERM, Terminated, handle_sigterm, quiet_stdout  # noqa: F401
COMPLETE_VAR = "_WHODOES_COMPLETE"  # set by the shell completion script (whodoes --install-completion)
FORMAT_HELP = ("table, csv, tsv, json, jsonl, markdown, xlsx or docx (default: table on a terminal, csv otherwise, or by "
               "-o FILE's extension: .csv .tsv .json .jsonl .md .xlsx .docx).")


# ----------------------------------------------------------------------------------------------
# the declaration


class Param:
    """One argument or option of a command."""

    def __init__(self, name, *flags, metavar=None, help="", flag=False, default=None, complete=None, many=False,
                 optional=False):
        self.name = name  # the keyword of the command function
        self.flags = flags  # ("--year", "-y"); empty for an argument
        self.metavar = metavar
        self.help = help
        self.flag = flag  # a boolean switch
        self.default = False if flag else default
        self.complete = complete  # shell completion from the database: a key of whodoes.cli.complete.CALLBACKS
        self.many = many  # an argument taking one or more values (FILE...)
        self.optional = optional  # an argument that may be left out (default None); only after the required ones


# the options several commands share, by name
OPTS = {
    "year": Param("year", "--year", "-y", metavar="YEAR", help="Only plans whose period covers YEAR, with that year's target where the table has one."),
    "role": Param("role", "--role", "-r", metavar="ROLE", help="lead, support or any (the default)."),
    "where": Param("where", "--where", "-w", metavar="JURISDICTION", help="Only this jurisdiction: a district, county, 新区 or 重庆市 of the database; short forms work (两江, 武隆). `whodoes docs` lists them.", complete="where"),
    "doc": Param("doc", "--doc", "-d", metavar="DOCUMENT", help="Only this document: its id or a part of its id or title (see `whodoes docs`).", complete="doc"),
    "limit": Param("limit", "--limit", "-n", metavar="N", help="At most N rows."),
    "exact": Param("exact", "--exact", "-e", flag=True, help="Only exact matches, no fuzzy ones."),
    "verbose": Param("verbose", "--verbose", "-v", flag=True, help="Also issuer, number, date, period note, the layouts recognised, file."),
    "fmt": Param("fmt", "--format", "-f", metavar="FORMAT", help=FORMAT_HELP),
    "output": Param("output", "--output", "-o", metavar="FILE", help="Write to FILE instead of standard output."),
    "bom": Param("bom", "--bom", flag=True, help="Start the output with the UTF-8 byte-order mark (Excel needs it to read csv as UTF-8)."),
    "quiet": Param("quiet", "--quiet", "-q", flag=True, help="Leave out the line saying how the query was understood."),
    "due_before": Param("due_before", "--due-before", metavar="DATE", help="Only tasks due on or before DATE (2025-06-30; also 2025-06, 2025)."),
    "due_after": Param("due_after", "--due-after", metavar="DATE", help="Only tasks due on or after DATE."),
    "overdue": Param("overdue", "--overdue", flag=True, help="Only tasks due before today (or --as-of DATE)."),
    "as_of": Param("as_of", "--as-of", metavar="DATE", help="The day --overdue (and whodoes due) counts from (default today)."),
    "db": Param("db", "--db", metavar="PATH", help="The database (default: $WHODOES_DB, else the shipped data/plans.sqlite)."),
    # progress records (issue 19, whodoes.query.records)
    "status": Param("status", "--status", "-s", metavar="STATUS",
                    help="Only tasks whose latest progress record says STATUS: done, on-track, behind, not-started, or none (no record)."),
    "max_size": Param("max_size", "--max-size", metavar="MB", help="The largest plan file read, in megabytes (default 50)."),
    "force": Param("force", "--force", flag=True,
                   help="Replace the database path even if it holds a file that is not a whodoes database."),
}


class Command:
    """A command: its function, arguments, options, help (the function's docstring) and
    examples; ``fast`` False sends it to Typer always (build, add, serve)."""

    def __init__(self, func, args, options, help, epilog, fast=True):
        self.func = func
        self.args = args
        self.options = [OPTS[o] if isinstance(o, str) else o for o in options]
        self.help = help
        self.epilog = epilog
        self.fast = fast


COMMANDS: dict[str, Command] = {}


def command(name, args=(), options=(), epilog="", fast=True):
    """Declare the decorated function as the command ``name`` (options: Params or names in ``OPTS``)."""

    def register(func):
        COMMANDS[name] = Command(func, list(args), list(options), func.__doc__ or "", epilog, fast)
        return func

    return register


# ----------------------------------------------------------------------------------------------
# what every command may raise or write


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
    required = sum(1 for p in spec.args if not p.optional)
    if not required <= len(positional) <= len(spec.args):
        return None
    for p in spec.args[len(positional):]:
        kwargs[p.name] = None
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
    """The autocompletion callback of a parameter (whodoes.cli.complete), or None."""
    if not name:
        return None
    from whodoes.cli.complete import CALLBACKS

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
            default = typer.Argument(*((None,) if p.optional else ()), metavar=p.metavar, help=p.help,
                                     show_default=False, autocompletion=_completion(p.complete))
            params.append(inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default))
            annotations[p.name] = List[str] if p.many else Optional[str] if p.optional else str
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


_APP = []  # the app, once built


def typer_app():
    """The Typer app, built on first use (``whodoes.cli.app.app``)."""
    if not _APP:
        _APP.append(build_app())
    return _APP[0]


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
    """Parse and run ``args`` with Typer; its errors become one line and exit code 2."""
    import typer
    from typer._click import exceptions as cexc

    _fast_params()
    try:
        cmd = typer.main.get_command(typer_app())
        rc = cmd.main(args=args, prog_name="whodoes", standalone_mode=False)
    except cexc.NoArgsIsHelpError as e:
        sys.stdout.write(e.format_message() + "\n")
        return EXIT_ERROR
    except cexc.UsageError as e:
        where = e.ctx.command_path if e.ctx is not None else "whodoes"
        err(f"{' '.join(e.format_message().split())} (see `{where} --help`)")
        return EXIT_ERROR
    except cexc.ClickException as e:
        err(" ".join(e.format_message().split()))
        return e.exit_code or EXIT_ERROR
    except typer.Abort:
        return EXIT_TERMINATED if _SIGTERM else EXIT_INTERRUPTED
    except typer.Exit as e:
        return e.exit_code
    if rc == EXIT_INTERRUPTED and _SIGTERM:  # Typer returns 130 for any KeyboardInterrupt, SIGTERM's too
        return EXIT_TERMINATED
    return int(rc) if isinstance(rc, int) else EXIT_OK


# ----------------------------------------------------------------------------------------------
# routing and exit codes


def run(args: list[str]) -> int:
    """Run a command line (the arguments after ``whodoes``); returns the exit code."""
    import sqlite3

    from whodoes.errors import WhodoesError

    from whodoes.query.db import database_error, runaway_error

    try:
        slow = os.environ.get("WHODOES_NO_FAST") or os.environ.get(COMPLETE_VAR)  # completion: Typer's business
        fast = None if slow else fast_parse(args)
        if fast is not None:
            func, kwargs = fast
            return func(**kwargs)
        return _typer_main(args)
    except WhodoesError as e:
        err(str(e))
        return e.exit_code
    except (sqlite3.Error, UnicodeDecodeError) as e:  # a damaged database (text cells that are not UTF-8)
        stopped = runaway_error(e) if isinstance(e, sqlite3.OperationalError) else None
        if isinstance(stopped, KeyboardInterrupt):
            sys.stderr.write("\n")
            return EXIT_INTERRUPTED
        err(str(stopped or database_error(e)))
        return EXIT_ERROR
    except (PipeClosed, BrokenPipeError):
        quiet_stdout()
        return EXIT_OK
    except KeyboardInterrupt as e:
        try:
            sys.stderr.write("\n")
        except Exception:  # noqa: BLE001
            pass
        return EXIT_TERMINATED if isinstance(e, Terminated) else EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - never a traceback for the user
        from whodoes.errors import RenderError

        if isinstance(e, RenderError):
            err(str(e))
            return EXIT_ERROR
        if os.environ.get("WHODOES_DEBUG"):
            raise
        from whodoes.query.db import diagnose

        damaged = diagnose()  # a damaged database, not a bug: say so
        if damaged is not None:
            err(str(damaged))
            return EXIT_ERROR
        err(f"internal error: {type(e).__name__}: {' '.join(str(e).split())[:200]} (WHODOES_DEBUG=1 shows the traceback)")
        return EXIT_ERROR
