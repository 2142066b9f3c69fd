"""The errors whodoes reports, their exit codes, and the one-line message on standard error.

A leaf: every stage raises these, and only the command line turns them into exit codes
(ripgrep's convention: 0 found, 1 nothing found, 2 error; 130/143 interrupted/terminated).
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_EMPTY, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


class WhodoesError(Exception):
    """An error the user caused or can fix; the message is one line. Exit code 2."""

    exit_code = EXIT_ERROR


class DataError(WhodoesError):
    """The database is missing, unreadable or of another schema."""


class UsageError(WhodoesError):
    """A bad query or option value; the message names the accepted values."""


class RenderError(WhodoesError):
    """A format that cannot be written (xlsx to a terminal, xlsxwriter missing ...)."""


class PipeClosed(Exception):
    """Standard output was closed by the reader (whodoes ... | head); not an error: exit 0."""


def err(message: str) -> None:
    """One line on standard error: ``whodoes: message``; control characters in it (from a
    query, a file name, the data) written as ``\\x1b`` ..., so it stays one harmless line."""
    from whodoes.textsafe import one_line

    sys.stderr.write(f"whodoes: {one_line(message)}\n")
    sys.stderr.flush()
