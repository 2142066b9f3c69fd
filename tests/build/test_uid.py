"""Stable task ids (issue 15): a task's uid (``<document id>/<n>``) names the same task
after plans are added and the database rebuilt; show accepts uids, unique document-id
prefixes and unambiguous old numeric ids; every format carries the uid."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import NOT_PLANS, WHODOES, clean_env

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"
UNSEEN = ROOT / "tests" / "fixtures" / "unseen"
# two plans whose names sort before every shipped plan's
FIRST = {
    "aa-beibei-2023-jialing-water-clauses.txt": "beibei-2023-jialing-water-clauses.txt",
    "ab-dazu-2023-water-markdown-table.txt": "dazu-2023-water-markdown-table.txt",
}


def run(*args):
    return subprocess.run([*WHODOES, *args], capture_output=True, env=clean_env(), cwd="/", timeout=120)


def tasks(db) -> dict[str, tuple]:
    conn = sqlite3.connect(db)
    try:
        return {r[0]: r[1:] for r in conn.execute("SELECT uid, id, text, document_id FROM tasks")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def before_after(tmp_path_factory):
    from whodoes.build.pipeline import build

    work = tmp_path_factory.mktemp("uid")
    shutil.copytree(SOURCES, work / "sources", ignore=NOT_PLANS)
    build(work / "sources", work / "before.sqlite", ROOT / "data" / "units.toml")
    for name, fixture in FIRST.items():
        shutil.copyfile(UNSEEN / fixture, work / "sources" / name)
    build(work / "sources", work / "after.sqlite", ROOT / "data" / "units.toml")
    return work / "before.sqlite", work / "after.sqlite"


def test_every_uid_shows_the_same_text_after_two_plans_that_sort_first_are_added(before_after):
    before, after = tasks(before_after[0]), tasks(before_after[1])
    assert len(before) > 300
    added = {u for u, row in after.items() if row[2].startswith(("aa-", "ab-"))}
    assert len(added) >= 10 and len(after) == len(before) + len(added)
    moved = 0
    for uid, (old_id, text, _doc) in before.items():
        new_id, new_text, _ = after[uid]
        assert new_text == text, uid
        moved += new_id != old_id
    assert moved == len(before)  # every numeric id changed: the uid is what stays
    # and through the command: show UID gives the same task in both
    for uid in ("liangjiang-2018-green-development-action-plan/5", "wulong-2019-two-mountains-base-plan/3"):
        a = json.loads(run("show", uid, "--format", "json", "--db", str(before_after[0])).stdout)
        b = json.loads(run("show", uid, "--format", "json", "--db", str(before_after[1])).stdout)
        assert a["uid"] == b["uid"] == uid and a["text"] == b["text"] and a["id"] != b["id"]


def test_a_rebuild_gives_the_same_uids(tmp_path):
    from whodoes.build.pipeline import build

    build(SOURCES, tmp_path / "again.sqlite", ROOT / "data" / "units.toml")
    assert tasks(tmp_path / "again.sqlite") == tasks(ROOT / "data" / "plans.sqlite")


def test_show_by_prefix_and_the_messages():
    p = run("show", "wulong/3", "--format", "json")
    assert p.returncode == 0 and json.loads(p.stdout)["uid"] == "wulong-2019-two-mountains-base-plan/3"
    p = run("show", "liangjiang/3")
    assert p.returncode == 2 and "liangjiang-2018" in p.stderr.decode() and "liangjiang-2021" in p.stderr.decode()
    p = run("show", "wulong/999")
    assert p.returncode == 1 and "wulong-2019-two-mountains-base-plan/20" in p.stderr.decode()
    p = run("show", "nosuchplan/1")
    assert p.returncode == 1
    p = run("show", "wulong/x")
    assert p.returncode == 2


def test_old_numeric_ids_are_accepted_only_where_unambiguous(before_after):
    shipped = json.loads(run("show", "85", "--format", "json").stdout)
    assert shipped["id"] == 85 and shipped["uid"].startswith("liangjiang-2018-green-development-action-plan/")
    p = run("show", "85", "--db", str(before_after[1]))  # two plans added before it: 85 is another task
    err = p.stderr.decode()
    assert p.returncode == 2 and "ambiguous" in err and shipped["uid"] in err
    p = run("show", "85", "--db", str(before_after[0]), "--format", "json")  # same plans: the same task
    assert p.returncode == 0 and json.loads(p.stdout)["uid"] == shipped["uid"]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "markdown"])
def test_every_format_carries_the_uid(fmt):
    p = run("unit", "城管局", "--limit", "2", "--format", fmt)
    assert p.returncode == 0
    assert "liangjiang-2018-green-development-action-plan/5" in p.stdout.decode()


def test_datasette_view_has_the_uid():
    conn = sqlite3.connect(ROOT / "data" / "plans.sqlite")
    try:
        row = conn.execute(
            "SELECT uid, task FROM task_rows WHERE uid = 'wulong-2019-two-mountains-base-plan/3'"
        ).fetchone()
        flat = conn.execute(
            "SELECT count(*) FROM task_units_flat WHERE uid = 'wulong-2019-two-mountains-base-plan/3'"
        ).fetchone()
    finally:
        conn.close()
    assert row and row[1].startswith("实施产业准入控制工程") and flat[0] >= 2
