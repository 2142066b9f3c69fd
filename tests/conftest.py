"""What several test modules share: the installed ``whodoes`` command, the environment it
runs in, and a read-only connection to the shipped database.

Test modules import the helpers (``from conftest import WHODOES, clean_env``); pytest
finds the fixtures itself.  ``python tests/cli/test_battery.py`` and ``python
tests/cli/test_readme.py`` run as scripts, with tests/ first on sys.path, so the import works
there too.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "plans.sqlite"

# ``shutil.copytree(data/sources, ..., ignore=NOT_PLANS)``: a test in another worker may be
# building data/sources at that moment, and its lock file (whodoes.build.transaction.LOCK_NAME)
# is no part of the folder to copy.
NOT_PLANS = shutil.ignore_patterns(".whodoes.lock")

# variables that change what whodoes does or how wide it draws: never inherited by a test
# Progress records and added plans go to the user's folder: never the real one in tests.  Every
# process the tests start gets this empty folder (clean_env too); tests that write there use their own.
TEST_HOME = tempfile.mkdtemp(prefix="whodoes-tests-home-")
os.environ["WHODOES_HOME"] = TEST_HOME

WHODOES_ENV = (
    "WHODOES_DB",
    "WHODOES_HOME",
    "WHODOES_NO_FAST",
    "WHODOES_DEBUG",
    "COLUMNS",
    "_WHODOES_COMPLETE",
    "WHODOES_LANG",
    "LC_ALL",
    "LC_MESSAGES",
    "LANGUAGE",
    "WHODOES_PAGER",
    "PAGER",
)

# The tests read English messages unless they ask for Chinese (a developer's LANG=zh_CN
# would otherwise turn the interface Chinese, whodoes.i18n): English here and in every
# process they start; the Chinese tests set LANG or --lang themselves.
for _var in ("WHODOES_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "WHODOES_PAGER", "PAGER"):
    os.environ.pop(_var, None)
if (os.environ.get("LANG") or "").lower().startswith("zh"):
    os.environ["LANG"] = "C.UTF-8"


def pytest_sessionstart(session):
    """whodoes byte-compiled once, before the tests start it: most tests run the command in
    processes of their own, and where PYTHONDONTWRITEBYTECODE is set (this machine's
    environment) each of them compiled every module it imported again (compileall writes the
    .pyc files whatever that variable says; Python still reads them).  An installed whodoes
    was compiled by pip: nothing to do."""
    import compileall

    package = ROOT / "src" / "whodoes"
    if package.is_dir():
        compileall.compile_dir(str(package), quiet=1)


def whodoes_command() -> list[str]:
    """The installed console script beside this interpreter, else on PATH, else ``python -m whodoes``."""
    exe = Path(sys.executable).parent / ("whodoes.exe" if os.name == "nt" else "whodoes")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("whodoes")
    return [found] if found else [sys.executable, "-m", "whodoes"]


WHODOES = whodoes_command()


def importtime_command() -> list[str]:
    """The whodoes command under ``python -X importtime`` (the imports are listed on stderr)."""
    exe = Path(sys.executable).parent / "whodoes"
    return (
        [sys.executable, "-X", "importtime", str(exe)]
        if exe.exists()
        else [sys.executable, "-X", "importtime", "-m", "whodoes"]
    )


def as_on_a_terminal() -> None:
    """``preexec_fn`` of a process a test sends SIGINT: Ctrl-C as a terminal's command gets it.
    A background job (``pytest ... &`` from a script, some CI runners) inherits SIGINT ignored,
    and Python then installs no KeyboardInterrupt handler; a command run from a terminal does not."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def clean_env(**extra) -> dict[str, str]:
    """This process's environment without the WHODOES_* variables (and COLUMNS), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in WHODOES_ENV}
    env["WHODOES_HOME"] = TEST_HOME
    env.update(extra)
    return env


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc, patience: float = 120) -> None:
    """Poll until the server answers (a readiness wait, not a timing assertion)."""
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"whodoes serve exited with {proc.returncode}: {proc.stderr.read().decode('utf-8', 'replace')[-500:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (TimeoutError, urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise RuntimeError(f"whodoes serve did not answer at {url}")


@contextmanager
def serving(db: Path):
    """``whodoes serve --db DB`` on a free port of this machine, for as long as the block runs;
    yields its base URL."""
    import subprocess

    port = free_port()
    proc = subprocess.Popen(
        [*WHODOES, "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/", proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def conn():
    """A read-only query connection to the shipped database, one per test module."""
    if not SHIPPED.exists():
        pytest.skip("data/plans.sqlite not built")
    from whodoes.query import db

    c = db.connect(SHIPPED)
    yield c
    c.close()
