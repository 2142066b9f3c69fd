"""Incremental and parallel builds (issue 18): the parse cache and worker processes.

* ``--jobs 2`` writes the same database as ``--jobs 1``, row for row, and the documents
  really were parsed in other processes;
* a second build parses nothing; a changed file, metadata entry, curated data file or
  reader re-parses what it touches and nothing else, and the database is what a build
  without a cache writes;
* ``whodoes add`` of one plan parses that plan only.

No timing here (scripts/bench.py measures the speed-up).
"""

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import NOT_PLANS
from whodoes.build import parsepool
from whodoes.build.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"
UNITS = ROOT / "data" / "units.toml"


def table_rows(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table (the full-text indexes by their content), in rowid order."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [
            t
            for (t,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts_%' "
                "AND name NOT LIKE 'task_grams_%' ORDER BY name"
            )
        ]
        out = {
            t: conn.execute(f"SELECT * FROM [{t}] ORDER BY 1, 2").fetchall()  # WITHOUT ROWID tables too
            if "WITHOUT ROWID" in conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (t,)).fetchone()[0]
            else conn.execute(f"SELECT rowid, * FROM [{t}] ORDER BY rowid").fetchall()
            for t in tables
        }
        out["fts match"] = conn.execute(
            "SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH '河长制' ORDER BY rowid"
        ).fetchall()
        return out
    finally:
        conn.close()


def copy_sources(dest: Path) -> Path:
    shutil.copytree(SOURCES, dest, ignore=NOT_PLANS)
    return dest


def test_jobs_2_writes_the_same_database_as_jobs_1(tmp_path, monkeypatch):
    monkeypatch.setattr(parsepool, "MIN_FOR_POOL", 2)  # five plans: a pool all the same
    serial = build(SOURCES, tmp_path / "serial.sqlite", jobs=1, cache=False)
    parallel = build(SOURCES, tmp_path / "parallel.sqlite", jobs=2, cache=False)
    assert serial.workers == set() and len(parallel.workers) == 2  # parsed by two other processes
    assert serial.parsed == parallel.parsed == 5
    rows = table_rows(tmp_path / "serial.sqlite")
    assert rows["tasks"] and rows["fts match"]
    assert table_rows(tmp_path / "parallel.sqlite") == rows
    assert [d.id for d in parallel.documents] == [d.id for d in serial.documents]
    assert parallel.warnings == serial.warnings and parallel.notes == serial.notes


def test_a_second_build_parses_nothing_and_writes_the_same_rows(tmp_path):
    first = build(SOURCES, tmp_path / "a.sqlite", jobs=1)
    again = build(SOURCES, tmp_path / "a.sqlite", jobs=1)
    assert (first.parsed, again.parsed) == (5, 0)
    assert again.warnings == first.warnings and again.rows == first.rows
    fresh = build(SOURCES, tmp_path / "fresh.sqlite", jobs=1, cache=False)
    assert fresh.parsed == 5
    assert table_rows(tmp_path / "a.sqlite") == table_rows(tmp_path / "fresh.sqlite")


def test_a_changed_file_or_metadata_entry_is_parsed_again_alone(tmp_path):
    src = copy_sources(tmp_path / "sources")
    db = tmp_path / "plans.sqlite"
    build(src, db, jobs=1)
    plan = src / "wulong-2019-two-mountains-base-plan.txt"
    plan.write_bytes(plan.read_bytes().replace("加快".encode(), "加速".encode(), 1))
    assert build(src, db, jobs=1).parsed == 1
    meta = src / "metadata.toml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text.replace('title = "', 'title = "（修订）', 1), encoding="utf-8")
    report = build(src, db, jobs=1)
    assert report.parsed == 1
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM documents WHERE title LIKE '（修订）%'").fetchone()[0] == 1
    conn.close()
    build(src, tmp_path / "fresh.sqlite", jobs=1, cache=False)
    fresh = table_rows(tmp_path / "fresh.sqlite")
    cached = table_rows(db)
    assert cached == fresh


def test_curated_data_or_reader_changes_parse_everything_again(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("units.toml", "bodies.toml"):
        shutil.copy(ROOT / "data" / name, data / name)
    db = tmp_path / "plans.sqlite"
    assert build(SOURCES, db, data / "units.toml", jobs=1).parsed == 5
    with open(data / "bodies.toml", "a", encoding="utf-8") as f:
        f.write("\n# a reviewed change\n")
    assert build(SOURCES, db, data / "units.toml", jobs=1).parsed == 5
    assert build(SOURCES, db, data / "units.toml", jobs=1).parsed == 0
    import whodoes.build.parsed

    monkeypatch.setattr(whodoes.build.parsed, "reader_version", lambda: "another reader")
    assert build(SOURCES, db, data / "units.toml", jobs=1).parsed == 5


def test_the_reader_version_is_the_reader_source():
    from whodoes.build.parsed import READER_PACKAGES, reader_version

    assert len(reader_version()) == 64 and "whodoes.build.parse" in READER_PACKAGES


def test_a_damaged_cache_is_made_again(tmp_path):
    from whodoes.build.parsestore import cache_path

    db = tmp_path / "plans.sqlite"
    build(SOURCES, db, jobs=1)
    cache = cache_path(db)
    assert cache.is_file() and not any(p.name.startswith(".") for p in tmp_path.iterdir())
    cache.write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
    report = build(SOURCES, db, jobs=1)
    assert report.parsed == 5 and report.rows > 300
    assert build(SOURCES, db, jobs=1).parsed == 0


def test_add_of_one_plan_parses_that_plan_only(tmp_path):
    from whodoes.build.add import add

    src = copy_sources(tmp_path / "sources")
    db = tmp_path / "plans.sqlite"
    build(src, db, jobs=1)
    new = tmp_path / "beibei-2023-river-plan.txt"
    new.write_text(
        "重庆市北碚区河长制工作方案（2023—2025年）\n一、重点任务\n"
        "1.加强嘉陵江水环境治理（区水利局牵头，区生态环境局配合）。\n",
        encoding="utf-8",
    )
    items, report = add([str(new)], src, db, jurisdiction="北碚区")
    assert report.parsed == 1 and len(report.documents) == 6
    assert items[0].rows == 1


def test_a_file_that_cannot_be_read_fails_the_parallel_build_with_one_line(tmp_path, monkeypatch):
    from whodoes.build.pipeline import BuildError

    monkeypatch.setattr(parsepool, "MIN_FOR_POOL", 2)
    src = copy_sources(tmp_path / "sources")
    (src / "zz-empty.txt").write_bytes(b"   \n")
    db = tmp_path / "plans.sqlite"
    with pytest.raises(BuildError) as e:
        build(src, db, jobs=2)
    assert "zz-empty.txt: empty file" in str(e.value) and "\n" not in str(e.value)
    assert not db.exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
