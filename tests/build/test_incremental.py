"""whodoes add patches a big database in place (whodoes.build.incremental, issue 18).

The patched database holds what a build of the same folder holds (the numeric ids aside),
only the new plan is parsed, and a kill -9 at either side of the COMMIT leaves the files,
metadata.toml and the database in agreement once the next command has run; queries keep
working meanwhile.  PATCH_MIN_DOCUMENTS is lowered so that five plans are "big".
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOT_PLANS, clean_env, whodoes_command
from whodoes.build import incremental
from whodoes.build.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"
NEW = (
    "重庆市北碚区河长制工作方案（2023—2025年）\n一、重点任务\n"
    "1.加强嘉陵江水环境治理，完善排水管网建设（区水利局牵头，区生态环境局、区城市管理局配合）。\n"
    "2.推进缙云山生态修复（区林业局牵头，区规划自然资源局配合）。\n"
)


def canonical(db: Path) -> dict:
    """The database's content without its numeric ids: tasks by uid, units by key."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    q = lambda sql: sorted(conn.execute(sql).fetchall(), key=repr)  # noqa: E731
    cols = [c[1] for c in conn.execute("PRAGMA table_info(tasks)") if c[1] != "id"]
    out = {
        "documents": q("SELECT * FROM documents"),
        "tasks": q(f"SELECT {', '.join(cols)} FROM tasks"),
        "task_units": q(
            "SELECT t.uid, tu.role, tu.position, tu.name, u.key, tu.label, tu.inherited FROM task_units tu "
            "JOIN tasks t ON t.id = tu.task_id LEFT JOIN units u ON u.id = tu.unit_id"
        ),
        "units": q("SELECT key, name, jurisdiction, kind, type, curated, note FROM units"),
        "unit_names": q(
            "SELECT n.name, u.key, n.jurisdiction, n.how, n.year, n.change, n.pinyin, n.initials "
            "FROM unit_names n JOIN units u ON u.id = n.unit_id"
        ),
        "chars": q("SELECT * FROM chars_t2s"),
        "phrases": q("SELECT * FROM phrases"),
        "phrase_counts": q("SELECT * FROM phrase_counts"),
        "char_pinyin": q("SELECT * FROM char_pinyin"),
        "info": q(f"SELECT * FROM build_info WHERE key != '{incremental.TOKEN_KEY}'"),
        "keys": q("SELECT * FROM document_keys"),
        "fts": q("SELECT t.uid FROM tasks_fts f JOIN tasks t ON t.id = f.rowid WHERE tasks_fts MATCH '水环境治理'"),
        "grams": q("SELECT t.uid FROM task_grams g JOIN tasks t ON t.id = g.rowid WHERE task_grams MATCH '缙云'"),
        "order": conn.execute(
            "SELECT t.uid FROM tasks t JOIN documents d ON d.id = t.document_id ORDER BY d.ordinal, t.ordinal"
        ).fetchall(),
    }
    conn.close()
    return out


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """A copy of data/sources and the database built from it, once for the module."""
    folder = tmp_path_factory.mktemp("built")
    src = folder / "sources"
    shutil.copytree(SOURCES, src, ignore=NOT_PLANS)
    build(src, folder / "plans.sqlite", jobs=1)
    return folder


@pytest.fixture
def big(tmp_path, monkeypatch, built_once):
    """The test's own copy of ``built_once``: the sources, the database and its parse cache (as a
    build there would have left them)."""
    from whodoes.build.parsestore import cache_path

    monkeypatch.setattr(incremental, "PATCH_MIN_DOCUMENTS", 1)
    src = tmp_path / "sources"
    shutil.copytree(built_once / "sources", src)
    db = tmp_path / "plans.sqlite"
    shutil.copy2(built_once / "plans.sqlite", db)
    shutil.copy2(cache_path(built_once / "plans.sqlite"), cache_path(db))
    new = tmp_path / "beibei-2023-river-plan.txt"
    new.write_text(NEW, encoding="utf-8")
    return src, db, new


def test_add_in_place_gives_what_a_build_gives(big, tmp_path):
    from whodoes.build.add import add

    src, db, new = big
    inode = db.stat().st_ino
    before = canonical(db)
    items, report = add([str(new)], src, db, jurisdiction="北碚区")
    assert report.patched and report.parsed == 1 and items[0].rows == 2
    assert db.stat().st_ino == inode  # the same file, changed in one transaction
    assert len(report.documents) == 6 and report.rows == 374
    assert sorted(p.name for p in src.iterdir() if p.name.startswith(".")) == []  # no staging, journal, lock
    build(src, tmp_path / "fresh.sqlite", jobs=1, cache=False)
    patched, fresh = canonical(db), canonical(tmp_path / "fresh.sqlite")
    assert patched["grams"] and patched["fts"]
    for table in fresh:
        assert patched[table] == fresh[table], table
    # the new plan's words are phrases of task search now (as a build counts them)
    new_phrases = {p[0] for p in patched["phrases"]} - {p[0] for p in before["phrases"]}
    assert new_phrases and all(p in NEW for p in new_phrases)
    assert "缙云山" in new_phrases  # only the new plan names it
    # a second plan: the first one's rows and uids stay as they are
    second = tmp_path / "beibei-2024-river-plan.txt"
    second.write_text(NEW.replace("2023", "2024"), encoding="utf-8")
    _, report = add([str(second)], src, db, jurisdiction="北碚区")
    assert report.patched and report.parsed == 1
    assert set(patched["tasks"]) <= set(canonical(db)["tasks"])


def test_a_changed_plan_is_not_patched_but_built(big):
    from whodoes.build.add import add

    src, db, new = big
    plan = src / "wulong-2019-two-mountains-base-plan.txt"
    plan.write_bytes(plan.read_bytes() + b"\n")
    _, report = add([str(new)], src, db, jurisdiction="北碚区")
    assert not report.patched and report.parsed == 2


KILLER = """
import os, sys
from pathlib import Path
from whodoes.build import incremental, transaction
from whodoes.build.add import add
incremental.PATCH_MIN_DOCUMENTS = 1
where = sys.argv[4]
if where == "before commit":
    real = transaction.journal_in_place
    def journal_then_die(*a):
        real(*a)
        os._exit(9)  # as kill -9 would: no rollback, no cleanup
    transaction.journal_in_place = journal_then_die
    real_apply = incremental._apply
else:
    def die(*a):
        os._exit(9)
    transaction.roll_forward_files = die
add([sys.argv[1]], Path(sys.argv[2]), Path(sys.argv[3]), jurisdiction="北碚区")
"""


def _agree(src: Path, db: Path, doc_id: str) -> tuple[bool, bool, bool]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    in_db = conn.execute("SELECT count(*) FROM documents WHERE id = ?", (doc_id,)).fetchone()[0] == 1
    conn.close()
    return (src / f"{doc_id}.txt").exists(), doc_id in (src / "metadata.toml").read_text(encoding="utf-8"), in_db


@pytest.mark.parametrize("where", ["before commit", "after commit"])
def test_kill_9_at_either_side_of_the_commit(big, where):
    src, db, new = big
    before = db.read_bytes() if where == "before commit" else None
    p = subprocess.run(
        [sys.executable, "-c", KILLER, str(new), str(src), str(db), where],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == -9 or p.returncode == 9, p.stderr
    # a query meanwhile: answers (from the old database, or the new one)
    q = subprocess.run(
        [*whodoes_command(), "docs", "--db", str(db), "-f", "csv"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert q.returncode == 0, q.stderr
    if before is not None:
        assert db.read_bytes() == before  # SQLite rolled the killed transaction back
        assert "beibei" not in q.stdout
    # the next command of the folder completes or undoes the add
    b = subprocess.run(
        [*whodoes_command(), "build", "--sources", str(src), "--out", str(db)],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert b.returncode == 0, b.stderr
    expected = (False, False, False) if where == "before commit" else (True, True, True)
    assert ("undid" if where == "before commit" else "completed") in b.stderr
    assert _agree(src, db, new.stem) == expected
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_a_hot_journal_left_beside_the_database_is_rolled_back_before_a_build_replaces_it(tmp_path):
    """A kill -9 in the middle of a big patch (pages already written into the file) leaves a
    hot journal; the build's new file must not get it played into it."""
    db = tmp_path / "plans.sqlite"
    build(SOURCES, db, jobs=1)
    code = (
        "import sqlite3, os, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size = 2')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"UPDATE tasks SET text = text || 'QXZWV'\")\n"
        "os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], timeout=120)
    assert os.path.getsize(f"{db}-journal") > 0
    q = subprocess.run(
        [*whodoes_command(), "task", "QXZWV", "--db", str(db), "-f", "csv"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert q.returncode == 1, q.stdout[:300]  # the old rows: no text ends with QXZWV
    build(SOURCES, db, jobs=1)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM tasks WHERE text LIKE '%QXZWV'").fetchone()[0] == 0
    conn.close()
