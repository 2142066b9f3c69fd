"""Your own plans in your own folder (issue 15).

Installed (not a checkout), ``whodoes add`` writes into the user's folder
(``WHODOES_HOME``, else platformdirs' user data folder), whose database holds the shipped
plans plus the user's; reinstalling whodoes never loses an added plan, and after an upgrade
the user's database is rebuilt with the new reader on the next command, with one line
saying so.  The slow test installs whodoes, non-editable, into a fresh virtual environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import clean_env

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "tests" / "fixtures" / "unseen" / "beibei-2023-jialing-water-clauses.txt"
_IGNORED = shutil.ignore_patterns(".venv", ".git", "*.egg-info", "__pycache__", ".pytest_cache", "*.sqlite-journal")


def IGNORED(folder, names):
    """What a clean checkout lacks: a top-level build/ of setuptools (src/whodoes/build is code)."""
    skip = set(_IGNORED(folder, names))
    if Path(folder).resolve() == ROOT:
        skip |= {"build", "dist"} & set(names)
    return skip


def sh(*args, env=None, cwd=None, timeout=600):
    return subprocess.run([str(a) for a in args], capture_output=True, env=env, cwd=cwd or "/", timeout=timeout)


def set_version(tree: Path, version: str) -> None:
    for rel, old in (("pyproject.toml", 'version = "'), ("src/whodoes/__init__.py", '__version__ = "')):
        path = tree / rel
        lines = [f'{old}{version}"' if ln.startswith(old) else ln for ln in path.read_text().splitlines()]
        path.write_text("\n".join(lines) + "\n")


@pytest.mark.slow
def test_an_added_plan_survives_a_reinstall_and_an_upgrade_rebuilds_it(tmp_path):
    tree = tmp_path / "whodoes-src"
    shutil.copytree(ROOT, tree, ignore=IGNORED)
    home = tmp_path / "home"
    venv = tmp_path / "venv"
    assert sh(sys.executable, "-m", "venv", venv).returncode == 0
    pip = [venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    p = sh(*pip, tree, env=clean_env())
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    env = clean_env(WHODOES_HOME=str(home))
    whodoes = venv / "bin" / "whodoes"

    p = sh(whodoes, "add", PLAN, env=env, cwd=tmp_path)
    assert p.returncode == 0, p.stderr.decode()
    assert (home / "sources" / PLAN.name).read_bytes() == PLAN.read_bytes()
    assert (home / "plans.sqlite").is_file()
    assert not list((venv / "share" / "whodoes" / "sources").glob("beibei*"))  # never into the installation

    def answers():
        p = sh(whodoes, "show", "beibei/1", "--format", "json", env=env)
        assert p.returncode == 0, p.stderr.decode()
        assert json.loads(p.stdout)["uid"] == "beibei-2023-jialing-water-clauses/1"
        docs = sh(whodoes, "docs", "--format", "json", env=env)
        paths = {d["id"]: d["path"] for d in json.loads(docs.stdout)}
        assert paths["beibei-2023-jialing-water-clauses"] == str(home / "sources" / PLAN.name)
        assert paths["wulong-2019-two-mountains-base-plan"].startswith(str(venv))  # the shipped plans too
        return p

    assert answers().stderr == b""

    p = sh(*pip, "--force-reinstall", "--no-deps", tree, env=clean_env())
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    assert answers().stderr == b""  # the same version and plans: nothing to rebuild

    set_version(tree, "99.0.0")
    p = sh(*pip, "--no-deps", tree, env=clean_env())
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    err = answers().stderr.decode().strip().splitlines()
    assert len(err) == 1 and "upgraded" in err[0] and "99.0.0" in err[0]
    assert answers().stderr == b""  # rebuilt once


def test_in_a_checkout_the_repository_data_is_used(tmp_path):
    from whodoes import paths

    assert not paths.installed()
    env = {k: v for k, v in os.environ.items()}
    env.update(clean_env(WHODOES_HOME=str(tmp_path)))
    p = sh(sys.executable, "-c", "from whodoes import paths; print(paths.default_db())", env=env)
    assert p.stdout.decode().strip() == str(ROOT / "data" / "plans.sqlite")


def test_the_user_folder_follows_whodoes_home(monkeypatch, tmp_path):
    from whodoes import paths

    monkeypatch.setenv("WHODOES_HOME", str(tmp_path / "mine"))
    monkeypatch.delenv("WHODOES_DB", raising=False)
    assert paths.user_db() == str(tmp_path / "mine" / "plans.sqlite")
    assert paths.user_sources() == str(tmp_path / "mine" / "sources")
    monkeypatch.setattr(paths, "_checkout_root", lambda: None)  # as if installed
    assert paths.installed()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "plans.sqlite").write_bytes(b"")
    assert paths.default_db() == str(tmp_path / "mine" / "plans.sqlite")


def test_stale_reasons(tmp_path):
    """The checks behind the rebuild: another version, changed shipped plans, or no build_info."""
    import sqlite3

    from whodoes import __version__
    from whodoes.build.userdata import stale_reason

    def db(name, **info):
        path = tmp_path / name
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE build_info (key TEXT PRIMARY KEY, value TEXT)")
        conn.executemany("INSERT INTO build_info VALUES (?, ?)", info.items())
        conn.commit()
        conn.close()
        return str(path)

    shipped = db("shipped.sqlite", whodoes=__version__, base_digest="a")
    assert stale_reason(db("same.sqlite", whodoes=__version__, base_digest="a"), shipped) is None
    assert "upgraded" in stale_reason(db("old.sqlite", whodoes="0.0.1", base_digest="a"), shipped)
    assert "changed" in stale_reason(db("other.sqlite", whodoes=__version__, base_digest="b"), shipped)
    (tmp_path / "none.sqlite").write_bytes(b"")
    assert "older" in stale_reason(str(tmp_path / "none.sqlite"), shipped)
