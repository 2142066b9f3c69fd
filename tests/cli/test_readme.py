"""The README is true (as sqlite-utils checks its docs):

* every command that ``whodoes --help`` lists appears in the README's tour, and in the tour
  of README.zh-CN.md (the same tour in Chinese, run with LANG=zh_CN.UTF-8: issue 16);
* the README starts with the two commands that work on a fresh machine, and the second
  is the one .ci/run runs;
* every command line of the tour (the ```console blocks: ``$ whodoes ...``) runs, through
  the installed command, against the shipped database, with WHODOES_DB unset, in a
  terminal 100 columns wide (a pseudo-terminal, so tables look as they do for a user),
  and exits 0, or with the code a following ``$ echo $?`` shows; the output shown under
  it appears in the real output, in order.  ``...`` alone on a line stands for lines left
  out; ``...`` inside a line for any text (timings).

The commands run in a scratch folder holding copies of data/sources, data/units.toml and
the fixture plan the README adds, so ``whodoes add`` in the tour cannot touch the real
data/sources.

After the database changes, refresh the outputs with ``python tests/cli/test_readme.py
--update`` (and ``--update README.zh-CN.md``; each command keeps as many lines as the
README showed, then ``...``), and read the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
README_ZH = ROOT / "README.zh-CN.md"
LOCALES = {README: "C.UTF-8", README_ZH: "zh_CN.UTF-8"}  # each README's tour runs in its language
SHIPPED = ROOT / "data" / "plans.sqlite"
COLUMNS = 100
COPIED = [
    "data/sources",
    "data/units.toml",
    "data/bodies.toml",
    "tests/fixtures/unseen/beibei-2023-jialing-water-clauses.txt",
]
INSTALL = "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/whodoes unit 城管局"
TEST = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"

pytestmark = [
    pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built"),
    pytest.mark.skipif(os.name != "posix", reason="the tour runs in a pseudo-terminal (POSIX)"),
]


# ----------------------------------------------------------------------------------------------
# reading the README


class Step:
    """One ``$ command`` of a console block and the output shown under it."""

    def __init__(self, command: str, line: int, name: str = "README.md"):
        self.name = name
        self.command = command
        self.line = line  # 1-based line of the command in README.md
        self.shown: list[str] = []
        self.exit_code = 0  # from a following `$ echo $?`

    def __repr__(self):
        return f"{self.name}:{self.line}: $ {self.command}"


def console_blocks(text: str, name: str = "README.md") -> list[list[Step]]:
    """The ```console blocks of the README as lists of steps (``$ echo $?`` folded in)."""
    blocks: list[list[Step]] = []
    current: list[Step] | None = None
    for n, line in enumerate(text.splitlines(), 1):
        if current is None:
            if line.strip() == "```console":
                current = []
            continue
        if line.strip() == "```":
            blocks.append(current)
            current = None
            continue
        if line.startswith("$ "):
            command = line[2:].strip()
            if command == "echo $?" and current:
                current[-1].exit_code = -1  # set from the next output line
                continue
            current.append(Step(command, n, name))
        elif current:
            step = current[-1]
            if step.exit_code == -1:
                step.exit_code = int(line.strip())
            else:
                step.shown.append(line)
    return blocks


def tour_steps(text: str | None = None, path: Path = README) -> list[list[Step]]:
    if text is None:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    return console_blocks(text, path.name)


# ----------------------------------------------------------------------------------------------
# running a command as a user would, in a terminal

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def terminal_text(data: bytes) -> list[str]:
    """What a terminal shows of ``data``: escape sequences dropped, a carriage return
    overwriting its line (progress bars), trailing spaces dropped."""
    text = ANSI.sub("", data.decode("utf-8", "replace")).replace("\r\n", "\n")
    lines = []
    for line in text.split("\n"):
        if "\r" in line:
            parts = [p for p in line.split("\r") if p.strip()]
            line = parts[-1] if parts else ""
        lines.append(line.rstrip())
    while lines and not lines[-1]:
        lines.pop()
    return lines


def scratch(tmp: Path) -> Path:
    """A folder to run the tour in, with copies of what the README's commands read."""
    for rel in COPIED:
        src, dst = ROOT / rel, tmp / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)
    return tmp


def environment(lang: str = "C.UTF-8") -> dict:
    """The environment of a tour: the locale ``lang`` (and nothing else choosing a language)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "WHODOES_DB",
            "WHODOES_NO_FAST",
            "WHODOES_DEBUG",
            "COLUMNS",
            "LINES",
            "NO_COLOR",
            "FORCE_COLOR",
            "WHODOES_LANG",
            "LC_ALL",
            "LC_MESSAGES",
            "LANGUAGE",
        )
    }
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["TERM"] = "xterm-256color"
    env["LANG"] = lang
    return env


def run_in_terminal(command: str, cwd: Path, timeout: float = 180, lang: str = "C.UTF-8") -> tuple[int, list[str]]:
    """Run a shell command line with standard output and error on a pseudo-terminal
    ``COLUMNS`` wide; returns (exit code, the lines a terminal would show)."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, COLUMNS, 0, 0))
    p = subprocess.Popen(
        ["bash", "-c", command],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        env=dict(environment(lang), WHODOES_HOME=str(Path(cwd) / "home")),
        start_new_session=True,
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                p.kill()
                raise AssertionError(f"timed out: {command}")
            ready, _, _ = select.select([master], [], [], min(left, 1.0))
            if not ready:
                if p.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    return p.wait(timeout=30), terminal_text(b"".join(chunks))


# ----------------------------------------------------------------------------------------------
# comparing


def _pattern(line: str):
    if "..." in line.strip() and line.strip() != "...":
        return re.compile(".*".join(re.escape(part) for part in line.rstrip().split("...")))
    return None


def matches(shown: str, actual: str) -> bool:
    pattern = _pattern(shown)
    return bool(pattern.fullmatch(actual)) if pattern else shown.rstrip() == actual


def missing_lines(shown: list[str], actual: list[str]) -> list[str]:
    """The shown lines (not ``...``) that do not appear in ``actual`` in order."""
    out = []
    i = 0
    for line in shown:
        if line.strip() == "...":
            continue
        j = i
        while j < len(actual) and not matches(line, actual[j]):
            j += 1
        if j == len(actual):
            out.append(line)
        else:
            i = j + 1
    return out


# ----------------------------------------------------------------------------------------------
# the tests


def whodoes_help() -> str:
    exe = Path(sys.executable).parent / "whodoes"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "whodoes"]
    env = environment()
    env["COLUMNS"] = "200"
    p = subprocess.run([*cmd, "--help"], capture_output=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode("utf-8")


def help_commands(text: str) -> list[str]:
    """The commands listed under Commands in ``whodoes --help``."""
    names, inside = [], False
    for line in text.splitlines():
        body = line.strip().strip("│|").strip()
        if "Commands" in line and ("─" in line or "-" in line):
            inside = True
            continue
        if inside:
            if line.strip().startswith(("╰", "+", "└")) or not line.strip():
                break
            m = re.match(r"([a-z][a-z0-9-]*)\s{2,}\S", body)
            if m:
                names.append(m.group(1))
    return names


@pytest.mark.parametrize("path", [README, README_ZH], ids=["en", "zh"])
def test_every_command_of_the_help_is_in_the_tour(path):
    from whodoes.cli import app as cli

    listed = help_commands(whodoes_help())
    assert set(listed) == set(cli.COMMANDS), listed
    tour = " ".join(step.command for block in tour_steps(path=path) for step in block)
    readme = path.read_text(encoding="utf-8")
    for name in listed:
        assert re.search(rf"(^|[\s|;&(]|\$ )whodoes {name}\b", tour), f"`whodoes {name}` is not in the README's tour"
        assert f"`whodoes {name}" in readme or f"whodoes {name}" in readme


@pytest.mark.parametrize("path", [README, README_ZH], ids=["en", "zh"])
def test_the_readme_starts_with_the_two_commands(path):
    text = path.read_text(encoding="utf-8")
    head = text.split("\n## ", 1)[0]
    assert INSTALL in head and TEST in head
    other = "README.zh-CN.md" if path == README else "README.md"
    assert f"]({other})" in head  # each links the other from its first screen
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_line = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    # .ci/run adds only pip's -q
    assert ci_line.replace(" -q ", " ") == TEST


@pytest.mark.parametrize("path", [README, README_ZH], ids=["en", "zh"])
def test_the_tour_has_enough_to_check(path):
    blocks = tour_steps(path=path)
    steps = [s for b in blocks for s in b]
    assert len(steps) >= 12
    assert sum(1 for s in steps if s.shown) >= 10
    assert any(s.exit_code == 1 for s in steps) and any(s.exit_code == 2 for s in steps)


@pytest.fixture(scope="module")
def tour_dirs(tmp_path_factory):
    """A scratch folder per README (each tour adds its plan to its own copy)."""
    return {path: scratch(tmp_path_factory.mktemp("tour")) for path in LOCALES}


TOURS = [(path, i) for path in LOCALES for i in range(len(tour_steps(path=path)))]


@pytest.mark.readme
@pytest.mark.parametrize("path, index", TOURS, ids=[f"{p.name}-{i}" for p, i in TOURS])
def test_the_tour_runs(path, index, tour_dirs):
    for step in tour_steps(path=path)[index]:
        code, actual = run_in_terminal(step.command, tour_dirs[path], lang=LOCALES[path])
        assert code == step.exit_code, f"{step}: exit {code}, the README says {step.exit_code}\n" + "\n".join(
            actual[-20:]
        )
        assert "Traceback" not in "\n".join(actual), step
        missing = missing_lines(step.shown, actual)
        assert not missing, (
            f"{step}: not in the real output:\n" + "\n".join(missing) + "\n--- real output:\n" + "\n".join(actual)
        )


def development_commands() -> list[str]:
    """The commands of the README's Development section (its ```sh block), comments cut."""
    section = README.read_text(encoding="utf-8").split("\n## Development\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_every_ci_step_is_in_the_readme():
    """Each command .ci/run runs is in the README's Development section, as written (bar pip's -q)."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    steps = [
        line.replace(" -q ", " ")
        for line in ci.splitlines()
        if line.startswith((".venv/bin/", "bash .ci/", "python3 -m venv"))
    ]
    assert len(steps) >= 8, steps
    documented = development_commands()
    assert [s for s in steps if s not in documented] == []


def test_the_comparison_itself():
    assert matches("12 rows in ... s", "12 rows in 0.35 s")
    assert TIMING.sub("...", "5 documents in 0.35 s, 0:00:01") == "5 documents in ... s, ..."
    assert not matches("12 rows", "13 rows")
    assert missing_lines(["a", "...", "c"], ["a", "b", "c"]) == []
    assert missing_lines(["c", "a"], ["a", "b", "c"]) == ["a"]
    assert terminal_text(b"\x1b[1mbold\x1b[0m  \r\n50%\r100%\r\n") == ["bold", "100%"]
    blocks = console_blocks("```console\n$ whodoes x\nout\n$ echo $?\n1\n```\n")
    assert blocks[0][0].command == "whodoes x" and blocks[0][0].shown == ["out"] and blocks[0][0].exit_code == 1


# ----------------------------------------------------------------------------------------------
# python tests/cli/test_readme.py --update: refresh the outputs shown in the README


TIMING = re.compile(r"\b\d+\.\d+(?= s\b)|\b\d:\d\d:\d\d\b")


def _refresh(step: Step, actual: list[str]) -> list[str]:
    """The lines to show for a step: unchanged while they still match; else the first as
    many real lines as were shown before the first ``...`` (timings made ``...``), then
    ``...`` if the output is longer."""
    if not missing_lines(step.shown, actual):
        return step.shown
    keep = 0
    for line in step.shown:
        if line.strip() == "...":
            break
        keep += 1
    new = [TIMING.sub("...", line) for line in actual[:keep]]
    if len(actual) > keep:
        new.append("...")
    return new


def update(path: Path = README) -> None:
    import tempfile

    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = tour_steps("\n".join(lines), path)
    replacements: dict[int, tuple[int, list[str]]] = {}  # command line -> (lines shown, new lines)
    with tempfile.TemporaryDirectory() as tmp:
        where = scratch(Path(tmp))
        for block in blocks:
            for step in block:
                code, actual = run_in_terminal(step.command, where, lang=LOCALES[path])
                if code != step.exit_code:
                    print(f"{step}: exit {code} (the README says {step.exit_code})", file=sys.stderr)
                replacements[step.line] = (len(step.shown), _refresh(step, actual))
    out = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        if i + 1 in replacements:
            n, new = replacements[i + 1]
            out.extend(new)
            i += 1 + n
            continue
        i += 1
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] != ["--update"] or len(sys.argv) > 3:
        sys.exit("usage: python tests/cli/test_readme.py --update [README.zh-CN.md]")
    update(ROOT / sys.argv[2] if len(sys.argv) == 3 else README)
