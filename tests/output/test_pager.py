"""The pager (issue 16): a table on a terminal taller than the screen goes through
``less -FRX`` (or $WHODOES_PAGER, $PAGER), as git does; --no-pager turns it off; never a
pipe, a file or a machine format.  The decision is tested as a function; the whole path in
a pseudo-terminal, with a "pager" that writes what it gets to a file."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from conftest import SHIPPED, WHODOES, clean_env
from whodoes.output import pager


class Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def decide(fmt="table", output=None, stdout=True, stdin=True, off=False, **environ):
    return pager.should_page(
        fmt=fmt,
        output=output,
        stdout=Stream(stdout),
        stdin=Stream(stdin),
        environ={"TERM": "xterm", **environ},
        off=off,
    )


def test_the_decision():
    assert decide() == "less"  # run with LESS=FRX (pager.page)
    assert decide(PAGER="more") == "more"
    assert decide(PAGER="more", WHODOES_PAGER="most -s") == "most -s"  # WHODOES_PAGER first
    assert decide(WHODOES_PAGER="") is None and decide(WHODOES_PAGER="cat") is None and decide(PAGER="cat") is None
    assert decide(stdout=False) is None  # a pipe or a file: never
    assert decide(stdin=False) is None  # nobody at the keyboard
    assert decide(off=True) is None  # --no-pager
    assert decide(TERM="dumb") is None
    assert decide(output="out.txt") is None
    for fmt in ("csv", "tsv", "json", "jsonl", "markdown"):
        assert decide(fmt=fmt) is None


def test_taller_than_the_screen():
    assert pager.taller_than("a\n" * 50, 50) and pager.taller_than("a\n" * 60, 50)
    assert not pager.taller_than("a\n" * 49, 50) and not pager.taller_than("a\n" * 500, 0)


def test_a_pager_that_cannot_start_shows_nothing_and_says_so():
    assert pager.page("text\n", "no-such-pager-anywhere -x") is False


def in_terminal(args, env, rows=24, columns=100):
    """Run whodoes with standard input, output and error on a pseudo-terminal; the output."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    p = subprocess.Popen([*WHODOES, *args], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if p.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    assert p.wait(timeout=60) == 0
    return b"".join(chunks).decode("utf-8", "replace")


needs_data = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")
posix = pytest.mark.skipif(os.name != "posix" or sys.platform == "darwin", reason="pseudo-terminals (Linux)")


@needs_data
@posix
def test_a_tall_table_on_a_terminal_goes_through_the_pager(tmp_path):
    paged = tmp_path / "paged.txt"
    env = clean_env(WHODOES_PAGER=f"cat > {paged}", TERM="xterm-256color")
    shown = in_terminal(["unit", "城管局"], env)
    text = paged.read_text(encoding="utf-8")
    assert "城市管理局" in text and "\x1b[1m" in text  # the table, in colour, went to the pager
    assert "城市管理局" not in shown  # and not to the screen
    assert "│" in text or "──" in text  # laid out for the terminal's width
    # --no-pager (anywhere before the query's words), or a table that fits: straight to the screen
    paged.unlink()
    shown = in_terminal(["--no-pager", "unit", "城管局"], env)
    assert not paged.exists() and "城市管理局" in shown
    shown = in_terminal(["unit", "城管局", "--limit", "1", "--where", "武隆"], env, rows=200)
    assert not paged.exists() and "城市管理局" in shown


@needs_data
@posix
def test_a_pipe_never_gets_a_pager(tmp_path):
    """Standard output a pipe, standard input a terminal (someone at the keyboard): no pager."""
    import pty

    paged = tmp_path / "paged.txt"
    env = clean_env(WHODOES_PAGER=f"cat > {paged}", PAGER=f"cat > {paged}", COLUMNS="100", LINES="5")
    master, slave = pty.openpty()
    try:
        for args in (["unit", "城管局", "--format", "table"], ["unit", "城管局"], ["docs", "-f", "table", "--verbose"]):
            p = subprocess.run([*WHODOES, *args], capture_output=True, env=env, stdin=slave, timeout=60)
            assert p.returncode == 0 and len(p.stdout.decode("utf-8").splitlines()) > 5, args
            assert not paged.exists(), args
    finally:
        os.close(master)
        os.close(slave)


class FakePager:
    """A pager process: its standard input kept, or closed after ``reads`` writes (the reader quit)."""

    def __init__(self, reads=None):
        self.got = bytearray()
        self.reads = reads
        self.stdin = self
        self.waited = False

    def write(self, data):
        if self.reads is not None and self.reads <= 0:
            raise BrokenPipeError
        self.got += data
        if self.reads is not None:
            self.reads -= 1

    def flush(self):
        pass

    def close(self):
        pass

    def wait(self):
        self.waited = True


def test_text_that_fits_goes_to_the_screen_and_a_taller_one_streams_into_the_pager():
    started = []
    fits = pager.PagedStream(80, 10, "less", start=lambda cmd: started.append(cmd))
    fits.write("line\n" * 9)
    screen = io.StringIO()
    fits.finish(screen)
    assert screen.getvalue() == "line\n" * 9 and started == []
    fake = FakePager()
    tall = pager.PagedStream(80, 10, "less", start=lambda cmd: fake)
    tall.write("a\n" * 6)
    assert fake.got == b""  # not yet taller than the screen
    tall.write("b\n" * 6)
    assert fake.got == ("a\n" * 6 + "b\n" * 6).encode()  # the pager starts with what was kept
    tall.write("c\n")
    assert fake.got.endswith(b"b\nc\n") and tall.getvalue() == ""  # then the rest streams, kept nowhere
    screen = io.StringIO()
    tall.finish(screen)
    assert fake.waited and screen.getvalue() == ""


def test_quitting_the_pager_stops_the_drawing(monkeypatch):
    fake = FakePager(reads=1)
    drawn = []

    def draw(stream):
        for n in range(1000):
            stream.write(f"row {n}\n")
            drawn.append(n)

    monkeypatch.setattr(pager, "start_pager", lambda command, environ=None: fake)
    monkeypatch.setattr(pager, "screen_rows", lambda stream: 24)
    screen = Stream(True)
    pager.write_paged(draw, screen, "less")
    assert fake.got.startswith(b"row 0\n") and screen.getvalue() == ""
    assert len(drawn) < 1000  # the reader quit: the rest was never drawn


def test_a_pager_that_cannot_start_leaves_the_text_for_the_screen():
    stream = pager.PagedStream(80, 3, "no-such-pager-anywhere")
    stream.write("x\n" * 10)
    screen = io.StringIO()
    stream.finish(screen)
    assert screen.getvalue() == "x\n" * 10
