"""How the process is interrupted and how it stops writing: SIGTERM handled like Ctrl-C, and a
standard output closed by its reader.  A leaf: the command line and the writers of files both
use it."""

from __future__ import annotations

import os
import sys


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is: every cleanup that Ctrl-C runs runs (temporary
    files removed, an unfinished ``add`` undone); exit code 143."""


_SIGTERM = []  # a SIGTERM arrived (Typer turns every KeyboardInterrupt into Abort: this tells them apart)


def _terminated(signum, frame):
    _SIGTERM.append(signum)
    raise Terminated()


def handle_sigterm() -> None:
    """From now on SIGTERM is handled like Ctrl-C (commands that write: build, add, -o).
    Queries that only read keep the default (``signal`` costs 5 ms of imports)."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)


def quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
