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

from whodoes import __version__, i18n
from whodoes.errors import EXIT_EMPTY, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, PipeClosed, err  # noqa: F401
from whodoes.i18n import N_, _
from whodoes.interrupts import _SIGTERM, Terminated, handle_sigterm, quiet_stdout  # noqa: F401

COMPLETE_VAR = "_WHODOES_COMPLETE"  # set by the shell completion script (whodoes --install-completion)
APP_HELP = N_("Who does what in Chongqing's green-development plans: tasks with their lead and supporting units.")
APP_EPILOG = N_(
    "Examples:  whodoes unit 城管局  ·  whodoes task 河长制  ·  whodoes show 42  ·  whodoes docs  ·  "
    "whodoes units  ·  whodoes stats  ·  whodoes serve"
)
# --lang is taken off the command line before any parsing (take_language); a str option of
# the Typer app would cost every --help and usage error pydantic's import (typer 0.2x)
LANG_HELP = N_(
    "--lang zh|en, anywhere on the command line: the language of messages, help and table headers "
    "(default: $WHODOES_LANG, else the locale: LANG=zh_CN.UTF-8 is Chinese). --header zh|en: the "
    "language of column names (default: the field names in files, the interface language on a terminal)."
)
# typer's and click's own words, translated through the global gettext domain (i18n.for_typer):
# listed here so that the catalogue has them (typer 0.2x and click 8.1 translate different subsets)
TYPER_WORDS = (
    N_("Usage:"),
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("[required]"),
    N_("required"),
    N_("Show this message and exit."),
    N_("No such command {name!r}."),
    N_("Missing command."),
    N_("No such option: {name}"),
    N_("Did you mean {possibility}?"),
    N_("(Possible options: {options})"),
    N_("Missing argument {param_hint}."),
    N_("Option {name!r} requires an argument."),
    N_("Got unexpected extra argument ({args})"),
    N_("Got unexpected extra arguments ({args})"),
    N_("Error"),
    N_("Aborted!"),
    N_("Aborted."),
    N_("[default: {}]"),
    N_("default: {default}"),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)
FORMAT_HELP = N_(
    "table, csv, tsv, json, jsonl, markdown, xlsx or docx (default: table on a terminal, csv otherwise, or by "
    "-o FILE's extension: .csv .tsv .json .jsonl .md .xlsx .docx). Column names stay the field names "
    "scripts read; --header zh gives Chinese ones (csv, tsv, markdown, xlsx)."
)


# ----------------------------------------------------------------------------------------------
# the declaration


class Param:
    """One argument or option of a command."""

    def __init__(
        self, name, *flags, metavar=None, help="", flag=False, default=None, complete=None, many=False, optional=False
    ):
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
    "year": Param(
        "year",
        "--year",
        "-y",
        metavar="YEAR",
        help="Only plans whose period covers YEAR, with that year's target where the table has one.",
    ),
    "role": Param("role", "--role", "-r", metavar="ROLE", help="lead, support or any (the default)."),
    "where": Param(
        "where",
        "--where",
        "-w",
        metavar="JURISDICTION",
        help="Only this jurisdiction: a district, county, 新区 or 重庆市 of the database; short forms work (两江, 武隆). `whodoes docs` lists them.",
        complete="where",
    ),
    "doc": Param(
        "doc",
        "--doc",
        "-d",
        metavar="DOCUMENT",
        help="Only this document: its id or a part of its id or title (see `whodoes docs`).",
        complete="doc",
    ),
    "limit": Param("limit", "--limit", "-n", metavar="N", help="At most N rows."),
    "exact": Param("exact", "--exact", "-e", flag=True, help="Only exact matches, no fuzzy ones."),
    "verbose": Param(
        "verbose",
        "--verbose",
        "-v",
        flag=True,
        help="Also issuer, number, date, period note, the layouts recognised, file.",
    ),
    "fmt": Param("fmt", "--format", "-f", metavar="FORMAT", help=FORMAT_HELP),
    "output": Param("output", "--output", "-o", metavar="FILE", help="Write to FILE instead of standard output."),
    "bom": Param(
        "bom",
        "--bom",
        flag=True,
        help="Start the output with the UTF-8 byte-order mark (Excel needs it to read csv as UTF-8).",
    ),
    "quiet": Param("quiet", "--quiet", "-q", flag=True, help="Leave out the line saying how the query was understood."),
    "due_before": Param(
        "due_before",
        "--due-before",
        metavar="DATE",
        help="Only tasks due on or before DATE (2025-06-30; also 2025-06, 2025).",
    ),
    "due_after": Param("due_after", "--due-after", metavar="DATE", help="Only tasks due on or after DATE."),
    "overdue": Param("overdue", "--overdue", flag=True, help="Only tasks due before today (or --as-of DATE)."),
    "as_of": Param(
        "as_of", "--as-of", metavar="DATE", help="The day --overdue (and whodoes due) counts from (default today)."
    ),
    "db": Param(
        "db", "--db", metavar="PATH", help="The database (default: $WHODOES_DB, else the shipped data/plans.sqlite)."
    ),
    # progress records (issue 19, whodoes.query.records)
    "status": Param(
        "status",
        "--status",
        "-s",
        metavar="STATUS",
        help="Only tasks whose latest progress record says STATUS: done, on-track, behind, not-started, or none (no record).",
    ),
    "max_size": Param(
        "max_size", "--max-size", metavar="MB", help="The largest plan file read, in megabytes (default 50)."
    ),
    "jobs": Param(
        "jobs", "--jobs", "-j", metavar="N", help="Worker processes that parse the plans (default: one per core)."
    ),
    "no_cache": Param("no_cache", "--no-cache", flag=True, help="Parse every plan, and keep no parse cache."),
    "force": Param(
        "force",
        "--force",
        flag=True,
        help="Replace the database path even if it holds a file that is not a whodoes database.",
    ),
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
    for p in spec.args[len(positional) :]:
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


def _help_classes(typer):
    """The Typer group and command classes of the app (public API only: ``cls=`` and click's
    ``get_params`` / ``collect_usage_pieces``): flags show no type (``<bool>``), typer's own
    options are explained in the interface language, and the usage line names an argument
    as its metavar, QUERY (optional ones [TASK_ID], many FILE...), on every typer from 0.12 on."""

    def plain_flags(params):
        for p in params:
            if getattr(p, "is_flag", False) and p.metavar is None:
                p.metavar = ""
            if p.help:  # typer's own options (--help, --install-completion) in the interface language
                p.help = _(p.help)
        return params

    class Group(typer.core.TyperGroup):
        def get_params(self, ctx):
            return plain_flags(super().get_params(ctx))

    class Command(typer.core.TyperCommand):
        def get_params(self, ctx):
            return plain_flags(super().get_params(ctx))

        def collect_usage_pieces(self, ctx):
            pieces = [self.options_metavar] if self.options_metavar else []
            for p in self.get_params(ctx):
                if p.param_type_name == "argument":
                    name = (p.metavar or p.name or "").upper() + ("..." if p.nargs != 1 else "")
                    pieces.append(name if p.required else f"[{name}]")
            return pieces

    return Group, Command


def _typer_parameters(spec, typer):
    """The inspect.Parameters and annotations of a command's function, for Typer."""
    import inspect
    from typing import List, Optional

    params, annotations = [], {}
    for p in spec.args:
        default = typer.Argument(
            *((None,) if p.optional else ()),
            metavar=p.metavar,
            help=_(p.help),
            show_default=False,
            autocompletion=_completion(p.complete),
        )
        params.append(inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default))
        annotations[p.name] = List[str] if p.many else Optional[str] if p.optional else str
    for p in spec.options:
        default = typer.Option(
            p.default,
            *p.flags,
            metavar=p.metavar,
            help=_(p.help),
            show_default=False,
            autocompletion=_completion(p.complete),
        )
        params.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=default))
        annotations[p.name] = bool if p.flag else Optional[str]
    return params, annotations


def build_app():
    """The Typer app, built from ``COMMANDS`` in the interface language (imports typer)."""
    import inspect

    i18n.for_typer()  # before typer is imported: it translates its panel titles on import
    import typer
    import typer.core

    group, command_class = _help_classes(typer)
    app = typer.Typer(
        name="whodoes",
        cls=group,
        help=_(APP_HELP),
        epilog=_(APP_EPILOG) + "\n\n" + _(LANG_HELP),
        add_completion=True,  # --install-completion / --show-completion (typer's own)
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    for name, spec in COMMANDS.items():
        params, annotations = _typer_parameters(spec, typer)

        def make(func):
            def command(**kwargs):
                return func(**kwargs)

            return command

        wrapper = make(spec.func)
        wrapper.__name__ = name
        wrapper.__doc__ = _(inspect.cleandoc(spec.help)) if spec.help else ""
        wrapper.__signature__ = inspect.Signature(params)
        wrapper.__annotations__ = annotations
        app.command(name=name, epilog=_(spec.epilog), cls=command_class)(wrapper)

    def root(
        version: bool = typer.Option(
            False, "--version", "-V", callback=_version, is_eager=True, help=_("Show the version.")
        ),
        no_pager: bool = typer.Option(
            False,
            "--no-pager",
            help="Never send a table through the pager (less -FRX, or "
            "$WHODOES_PAGER, else $PAGER) when it is taller than the terminal.",
        ),
    ) -> None:
        pass

    root.__doc__ = _(APP_HELP)
    app.callback()(root)
    return app


_APPS: dict = {}  # language -> the app, once built


def typer_app():
    """The Typer app in the interface language, built on first use (``whodoes.cli.app``)."""
    lang = i18n.language()
    if lang not in _APPS:
        _APPS[lang] = build_app()
    return _APPS[lang]


def _click_error(e) -> int | None:
    """A click exception (typer's parse errors; duck-typed through click's public
    ``format_message``/``exit_code``/``ctx``, since typer 0.2x vendors click): one line on
    stderr (a usage error points to the command's --help), its exit code.  None for any
    other exception."""
    if not (hasattr(e, "format_message") and hasattr(e, "exit_code")):
        return None
    ctx = getattr(e, "ctx", None)
    message = " ".join(e.format_message().split())
    if ctx is not None:
        err(_("{message} (see `{command} --help`)").format(message=message, command=ctx.command_path))
        return EXIT_ERROR
    err(message)
    return e.exit_code or EXIT_ERROR


def _typer_main(args: list[str]) -> int:
    """Parse and run ``args`` with Typer; its errors become one line and exit code 2.
    No arguments at all: the help, exit code 2."""
    import typer

    cmd = typer.main.get_command(typer_app())
    try:
        if not args:
            cmd.main(args=["--help"], prog_name="whodoes", standalone_mode=False)
            return EXIT_ERROR
        rc = cmd.main(args=args, prog_name="whodoes", standalone_mode=False)
    except typer.Abort:
        return EXIT_TERMINATED if _SIGTERM else EXIT_INTERRUPTED
    except typer.Exit as e:
        return EXIT_ERROR if not args else e.exit_code
    except Exception as e:  # noqa: BLE001 - click's exceptions, by their public interface
        code = _click_error(e)
        if code is None:
            raise
        return code
    if rc == EXIT_INTERRUPTED and _SIGTERM:  # Typer returns 130 for any KeyboardInterrupt, SIGTERM's too
        return EXIT_TERMINATED
    return int(rc) if isinstance(rc, int) else EXIT_OK


def _completion_option(args: list[str]) -> int:
    """``whodoes --show-completion [SHELL]`` / ``--install-completion [SHELL]``: the shell named,
    else the one detected (whodoes.complete)."""
    import typer

    from whodoes.cli import complete

    option, rest = args[0], args[1:]
    shells = ", ".join(complete.SHELLS)
    if len(rest) > 1 or (rest and rest[0] not in complete.SHELLS):
        err(f"{option} takes at most one shell: {shells} (see `whodoes --help`)")
        return EXIT_ERROR
    shell = rest[0] if rest else complete.detect_shell()
    if shell is None:
        err(f"cannot tell which shell this is: name it, as in `whodoes {option} bash` ({shells})")
        return EXIT_ERROR
    script = complete.completion_script(typer.main.get_command(typer_app()), shell, COMPLETE_VAR)
    if option == "--show-completion":
        sys.stdout.write(script if script.endswith("\n") else script + "\n")
        return EXIT_OK
    if shell not in complete.INSTALL:
        err(f"add the output of `whodoes --show-completion {shell}` to your {shell} profile ($PROFILE)")
        return EXIT_ERROR
    sys.stdout.write(complete.install_script(script, shell) + "\n")
    return EXIT_OK


# ----------------------------------------------------------------------------------------------
# routing and exit codes


def take_language(args: list[str]) -> list[str]:
    """The global options, taken off the command line anywhere before a ``--``: ``--lang
    zh|en`` decides the interface language (whodoes.i18n; else the environment), ``--header
    zh|en`` the language of column headers.  Returns the other arguments."""
    from whodoes.errors import UsageError

    rest, chosen, i = [], {}, 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest += args[i:]
            break
        name = a.partition("=")[0]
        if name not in ("--lang", "--header"):
            rest.append(a)
            i += 1
            continue
        value = a.partition("=")[2] if "=" in a else (args[i + 1] if i + 1 < len(args) else "")
        i += 1 if "=" in a else 2
        try:
            chosen[name] = i18n.check(value)
        except ValueError:
            i18n.set_language(chosen.get("--lang"))
            raise UsageError(
                _("{option} must be zh or en, not {value!r}").format(option=name, value=value[:40])
            ) from None
    i18n.set_language(chosen.get("--lang"))
    i18n.set_header(chosen.get("--header"))
    return rest


def bare_query(args: list[str]) -> bool:
    """``whodoes 城管局``: a first word that is no command and looks like no command's typo
    (those Typer answers, "did you mean 'units'") is taken for a query: "did you mean
    `whodoes unit 城管局` or `whodoes task 城管局`?" on stderr (the caller exits 2)."""
    if not args or args[0].startswith("-") or args[0] in COMMANDS or os.environ.get(COMPLETE_VAR):
        return False
    word = args[0]
    if word.isascii():
        import difflib

        if difflib.get_close_matches(word.lower(), list(COMMANDS), n=1, cutoff=0.6):
            return False
    from whodoes.textsafe import one_line

    query = one_line(" ".join(args))
    quoted = f"'{query}'" if " " in query else query
    err(
        _("{word!r} is not a command; did you mean `whodoes unit {query}` or `whodoes task {query}`?").format(
            word=one_line(word), query=quoted
        )
    )
    return True


def run(args: list[str]) -> int:
    """Run a command line (the arguments after ``whodoes``); returns the exit code."""
    import sqlite3

    from whodoes.errors import WhodoesError
    from whodoes.query.db import database_error, runaway_error

    try:
        if "--no-pager" in args[: args.index("--") if "--" in args else len(args)]:
            from whodoes.output import pager

            pager.turn_off()
            args = [a for a in args if a != "--no-pager"]
        args = take_language(args)
        if bare_query(args):
            return EXIT_ERROR
        if args[:1] in (["--show-completion"], ["--install-completion"]) and not os.environ.get(COMPLETE_VAR):
            return _completion_option(args)
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
        err(
            _("internal error: {error} (WHODOES_DEBUG=1 shows the traceback)").format(
                error=f"{type(e).__name__}: {' '.join(str(e).split())[:200]}"
            )
        )
        return EXIT_ERROR
