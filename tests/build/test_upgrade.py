"""Progress records survive what users do to whodoes: record progress on three tasks,
rebuild the database, add a plan (every task id moves), reinstall whodoes; every entry is
still found, on the same tasks.  Runs the installed command of a new virtual environment
(a non-editable install, then ``pip install --force-reinstall --no-deps``)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOT_PLANS

ROOT = Path(__file__).resolve().parents[2]
BEIBEI = ROOT / "tests" / "fixtures" / "unseen" / "beibei-2023-jialing-water-clauses.txt"
DOC_2018 = "liangjiang-2018-green-development-action-plan"

pytestmark = [pytest.mark.stress, pytest.mark.skipif(os.name != "posix", reason="a POSIX virtual environment")]


def test_entries_survive_rebuild_add_and_reinstall(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, str(ROOT)], check=True, timeout=900, cwd=tmp_path, capture_output=True)
    home, sources, plans = tmp_path / "home", tmp_path / "sources", tmp_path / "plans.sqlite"
    shutil.copytree(ROOT / "data" / "sources", sources, ignore=NOT_PLANS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHODOES_")}
    env.update(WHODOES_HOME=str(home), WHODOES_DB=str(plans))

    def whodoes(*args, code=0):
        p = subprocess.run(
            [str(venv / "bin" / "whodoes"), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
        )
        assert p.returncode == code, p.stderr
        return p.stdout

    whodoes("build", "--sources", str(sources), "--out", str(plans))
    uids = [f"{DOC_2018}/26", f"{DOC_2018}/5", "wulong-2019-two-mountains-base-plan/11"]
    before = {}
    for n, uid in enumerate(uids):
        whodoes("progress", uid, f"progress {n}", "--status", ("done", "behind", "on-track")[n], "--date", "2020-12-01")
        before[uid] = list(csv.DictReader(io.StringIO(whodoes("progress", uid, "--format", "csv"))))
    whodoes("build", "--sources", str(sources), "--out", str(plans))
    whodoes("add", str(BEIBEI), "--sources", str(sources), "--db", str(plans))  # sorts first: every id moves
    subprocess.run(
        [*pip, "--force-reinstall", "--no-deps", str(ROOT)], check=True, timeout=900, cwd=tmp_path, capture_output=True
    )
    assert (home / "progress.sqlite").is_file()
    for n, uid in enumerate(uids):
        rows = list(csv.DictReader(io.StringIO(whodoes("progress", uid, "--format", "csv"))))
        assert [(r["entry"], r["progress"], r["status"], r["attached"]) for r in rows] == [
            (before[uid][0]["entry"], f"progress {n}", ("done", "behind", "on-track")[n], "same")
        ]
        assert rows[0]["task_id"] != before[uid][0]["task_id"]  # the database id moved, the entry followed
    whodoes("progress", "--orphans", code=1)  # none
    behind = list(csv.DictReader(io.StringIO(whodoes("unit", "城管局", "--status", "behind", "--format", "csv"))))
    assert [r["status_date"] for r in behind] == ["2020-12-01"] and behind[0]["task"].startswith(
        "实施重要生态系统保护工程"
    )
