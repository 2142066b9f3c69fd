"""A pager for terminal output taller than the screen, as git does.

A table written to a terminal is drawn into memory first; when it has more lines than the
terminal has rows, it goes through a pager: ``$WHODOES_PAGER``, else ``$PAGER``, else
``less`` (run with ``LESS=FRX`` unless LESS is set: quit when the text fits, keep colours,
leave the text on the screen when it ends).  An empty value or ``cat`` turns it off, and so
does ``whodoes --no-pager ...``.  Never for a pipe or a file, never for the machine formats
(csv, json ...), and only when standard input is a terminal too (someone is there to page).
A pager that cannot be started is no error: the text is written as it is.

Imported only to write a table to a terminal; subprocess and shutil only to page.
"""

from __future__ import annotations

import io
import os
import sys

DEFAULT_PAGER = "less"
DEFAULT_LESS = "FRX"
_OFF: list[bool] = []  # --no-pager was given


def turn_off() -> None:
    """``whodoes --no-pager``: no pager for this run."""
    _OFF.append(True)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def pager_command(environ) -> str | None:
    """The pager to run (a shell command line), or None: WHODOES_PAGER, else PAGER, else
    less; an empty value or ``cat`` means none."""
    for name in ("WHODOES_PAGER", "PAGER"):
        if name in environ:
            command = environ[name].strip()
            break
    else:
        command = DEFAULT_PAGER
    if not command or command == "cat":
        return None
    return command


def should_page(*, fmt: str, output: str | None, stdout, stdin, environ, off: bool = False) -> str | None:
    """The pager command when output of format ``fmt`` to ``output`` (None: standard
    output) may be paged: a table, to standard output, which is a terminal, with a terminal
    on standard input, not turned off (--no-pager, a dumb terminal); else None."""
    if off or _OFF or fmt != "table" or output:
        return None
    if not _isatty(stdout) or not _isatty(stdin) or environ.get("TERM") == "dumb":
        return None
    return pager_command(environ)


def screen_rows(stream) -> int:
    """The rows of the terminal ``stream`` writes to (0 when unknown)."""
    try:
        return os.get_terminal_size(stream.fileno()).lines
    except (AttributeError, ValueError, OSError):
        return 0


def taller_than(text: str, rows: int) -> bool:
    """More lines than the screen shows at once (a line for the prompt kept)."""
    return rows > 0 and text.count("\n") >= rows


class TerminalBuffer(io.StringIO):
    """Text drawn for a terminal (colours, its width), kept in memory until it is known
    whether it goes through the pager."""

    def __init__(self, columns: int):
        super().__init__()
        self.columns = columns

    def isatty(self) -> bool:
        return True


def terminal_buffer(stream) -> TerminalBuffer:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 80
    return TerminalBuffer(columns)


def page(text: str, command: str, environ=None) -> bool:
    """Show ``text`` through the pager ``command`` (by the shell, as git runs it); False when
    it cannot be started (then nothing was shown)."""
    import shutil
    import subprocess

    environ = dict(os.environ if environ is None else environ)
    program = command.split()[0]
    if shutil.which(program) is None:
        return False
    environ.setdefault("LESS", DEFAULT_LESS)
    environ.setdefault("LV", "-c")
    try:
        process = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=environ)
    except OSError:
        return False
    pipe = process.stdin
    assert pipe is not None  # stdin=PIPE
    try:
        pipe.write(text.encode("utf-8"))
        pipe.close()
    except BrokenPipeError:  # the reader quit the pager before the end: fine
        pass
    while True:
        try:
            process.wait()
            return True
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager (less ignores it), as in git
            continue


def write_paged(write, stdout, command: str) -> None:
    """``write(stream)`` into memory as for the terminal, then to the pager when it is
    taller than the screen, else (or when the pager cannot start) to ``stdout``."""
    buffer = terminal_buffer(stdout)
    write(buffer)
    text = buffer.getvalue()
    if taller_than(text, screen_rows(stdout)):
        stdout.flush()
        sys.stderr.flush()
        if page(text, command):
            return
    stdout.write(text)
