"""whodoes parse FILES -o SHARD and whodoes merge SHARDS -o DB (issue 18): the build in two
steps that a batch engine can spread over machines yields the same rows as a build."""

import shutil
import subprocess
from pathlib import Path

import pytest
from test_parallel import table_rows

from conftest import NOT_PLANS, clean_env, whodoes_command
from whodoes.build.pipeline import build
from whodoes.build.shards import ShardError, merge, parse_files

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*whodoes_command(), *map(str, args)], capture_output=True, text=True, env=clean_env(), timeout=300
    )


def test_shards_merged_give_the_rows_of_a_build(tmp_path):
    files = sorted(str(p) for p in SOURCES.iterdir() if p.suffix == ".txt")
    # two shards, the files split unevenly and out of order; one shard written in two runs
    assert parse_files(files[3:], tmp_path / "b.sqlite", jobs=1) == [Path(f).stem for f in files[3:]]
    parse_files(files[:1], tmp_path / "a.sqlite", jobs=1)
    parse_files(files[1:3], tmp_path / "a.sqlite", jobs=1)
    report = merge([str(tmp_path / "b.sqlite"), str(tmp_path / "a.sqlite")], tmp_path / "merged.sqlite")
    built = build(SOURCES, tmp_path / "built.sqlite", jobs=1, cache=False)
    assert report.rows == built.rows > 300 and report.units == built.units
    assert [d.id for d in report.documents] == [d.id for d in built.documents]
    assert table_rows(tmp_path / "merged.sqlite") == table_rows(tmp_path / "built.sqlite")


def test_the_commands_and_their_exit_codes(tmp_path):
    files = sorted(str(p) for p in SOURCES.iterdir() if p.suffix == ".txt")
    p = run("parse", *files[:2], "-o", tmp_path / "1.sqlite")
    assert p.returncode == 0 and "2 documents parsed" in p.stdout, p.stderr
    assert run("parse", *files[2:], "-o", tmp_path / "2.sqlite", "--jobs", "1").returncode == 0
    p = run("merge", tmp_path / "1.sqlite", tmp_path / "2.sqlite", "-o", tmp_path / "plans.sqlite")
    assert p.returncode == 0 and "from 5 documents" in p.stdout, p.stderr
    q = run("unit", "城管局", "--db", tmp_path / "plans.sqlite", "-f", "csv")
    assert q.returncode == 0 and q.stdout.count("\n") > 5
    # bad input: one line, exit 2, nothing written
    for args in (
        ["parse", tmp_path / "missing.txt", "-o", tmp_path / "3.sqlite"],
        ["parse", files[0]],  # no -o
        ["parse", files[0], "-o", tmp_path / "x.sqlite", "--jobs", "0"],
        ["merge", ROOT / "data" / "plans.sqlite", "-o", tmp_path / "y.sqlite"],  # not a shard
        ["merge", tmp_path / "none.sqlite", "-o", tmp_path / "y.sqlite"],
    ):
        p = run(*args)
        assert p.returncode == 2 and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr, (args, p.stderr)
    assert not (tmp_path / "y.sqlite").exists() and not (tmp_path / "3.sqlite").exists()


def test_one_document_parsed_differently_in_two_shards_fails_the_merge(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SOURCES, src, ignore=NOT_PLANS)
    plan = src / "wulong-2019-two-mountains-base-plan.txt"
    parse_files([str(plan)], tmp_path / "a.sqlite", jobs=1)
    plan.write_bytes(plan.read_bytes() + b"\n")
    parse_files([str(plan)], tmp_path / "b.sqlite", jobs=1)
    with pytest.raises(ShardError, match="wulong-2019-two-mountains-base-plan.*parse it once"):
        merge([str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")], tmp_path / "plans.sqlite")
    assert not (tmp_path / "plans.sqlite").exists()
    # parsed again into the same shard, it replaces its earlier parse
    parse_files([str(plan)], tmp_path / "a.sqlite", jobs=1)
    assert merge([str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")], tmp_path / "plans.sqlite").rows == 20
