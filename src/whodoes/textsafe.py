"""Text shown on a terminal: control and escape characters made visible.

Task text, titles and unit names come from plan files and databases that anyone may have
written, and queries and file names from the command line.  A raw ESC (``\\x1b[2J`` clears
the screen; OSC sequences set the window title or write to the clipboard), a C1 control
(U+0080-U+009F, of which U+009B is a one-character CSI), DEL or any other C0 control would
act on the user's terminal.  Every terminal view (the tables, ``show``, ``add``'s report,
the lines on stderr) passes such text through ``visible`` or ``one_line``, which write
those characters as ``\\x1b``, ``\\x7f``, ``\\x9b`` ....  File formats (csv, json, xlsx ...)
keep the data exact.

Standard library only, no imports (this module is on the query path).
"""

from __future__ import annotations

_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
# line breaks and tabs stay in the multi-line views (they lay out, they do not command)
_VISIBLE = {c: f"\\x{c:02x}" for c in _CONTROLS if c not in (0x0A, 0x09)}
_ONE_LINE = {c: f"\\x{c:02x}" for c in _CONTROLS}


def visible(text) -> str:
    """``text`` with every control character but line feed and tab written as ``\\xNN``."""
    if text is None:
        return ""
    return str(text).translate(_VISIBLE)


def one_line(text) -> str:
    """``text`` with every control character (line breaks too) written as ``\\xNN``: a message
    that stays one line whatever it quotes."""
    if text is None:
        return ""
    return str(text).translate(_ONE_LINE)


def has_control(text: str) -> bool:
    """Does ``text`` hold a control character (C0 but line feed and tab, DEL, C1)?"""
    return any(ord(c) in _VISIBLE for c in text)
