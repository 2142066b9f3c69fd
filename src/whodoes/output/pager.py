"""A pager for terminal output taller than the screen, as git does.

A table written to a terminal is drawn into memory first; as soon as it has more lines than
the terminal has rows, a pager starts with what was drawn, and the rest of the table streams
into it as it is drawn (a query of 100,000 rows shows its first screen at once; quitting the
pager stops the drawing).  The pager is ``$WHODOES_PAGER``, else ``$PAGER``, else
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


class PagerQuit(Exception):
    """The reader quit the pager before the end: nothing more to draw."""


class PagedStream(TerminalBuffer):
    """Terminal text kept in memory until it is taller than the screen (``rows``); from then
    on written into the pager ``command``, started with what was kept (``start``: the
    pager's process, or None when it cannot start: then everything is kept for the screen)."""

    def __init__(self, columns: int, rows: int, command: str, start=None):
        super().__init__(columns)
        self.rows = rows
        self.command = command
        self.start = start or start_pager
        self.lines = 0
        self.pipe = None  # the pager's standard input, once it runs
        self.process = None
        self.failed = False  # the pager could not start: the text goes to the screen

    def write(self, text: str) -> int:
        if self.pipe is not None:
            self._send(text)
            return len(text)
        super().write(text)
        self.lines += text.count("\n")
        if not self.failed and self.rows > 0 and self.lines >= self.rows:
            self._open()
        return len(text)

    def _open(self) -> None:
        process = self.start(self.command)
        if process is None or process.stdin is None:
            self.failed = True
            return
        self.process, self.pipe = process, process.stdin
        kept = self.getvalue()
        self.seek(0)
        self.truncate()
        self._send(kept)

    def _send(self, text: str) -> None:
        assert self.pipe is not None
        try:
            self.pipe.write(text.encode("utf-8"))
            self.pipe.flush()  # the pager shows what is drawn as it comes
        except BrokenPipeError:  # the reader quit the pager
            raise PagerQuit() from None

    def finish(self, stdout) -> None:
        """The end of the text: close the pager's input and wait for the reader to quit it;
        text that never filled the screen (or found no pager) goes to ``stdout``."""
        if self.process is None:
            stdout.write(self.getvalue())
            return
        try:
            self.pipe.close()
        except BrokenPipeError:
            pass
        wait_for(self.process)


def start_pager(command: str, environ=None):
    """The pager ``command`` started by the shell (as git runs it) with a pipe for its input,
    or None when it cannot be started."""
    import shutil
    import subprocess

    environ = dict(os.environ if environ is None else environ)
    if shutil.which(command.split()[0]) is None:
        return None
    environ.setdefault("LESS", DEFAULT_LESS)
    environ.setdefault("LV", "-c")
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        return subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=environ)
    except OSError:
        return None


def wait_for(process) -> None:
    """Wait for the pager to end; Ctrl-C belongs to the pager (less ignores it), as in git."""
    while True:
        try:
            process.wait()
            return
        except KeyboardInterrupt:
            continue


def page(text: str, command: str, environ=None) -> bool:
    """Show ``text`` through the pager ``command``; False when it cannot be started (then
    nothing was shown)."""
    process = start_pager(command, environ)
    if process is None or process.stdin is None:
        return False
    try:
        process.stdin.write(text.encode("utf-8"))
        process.stdin.close()
    except BrokenPipeError:  # the reader quit the pager before the end: fine
        pass
    wait_for(process)
    return True


def write_paged(write, stdout, command: str) -> None:
    """``write(stream)`` as for the terminal: to the screen when it fits, else through the
    pager from the moment it is taller than the screen (``PagedStream``)."""
    try:
        columns = os.get_terminal_size(stdout.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 80
    stream = PagedStream(columns, screen_rows(stdout), command)
    try:
        write(stream)
    except PagerQuit:
        pass
    stream.finish(stdout)
