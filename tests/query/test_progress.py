"""Progress records (whodoes.query.records, `whodoes progress`): entries added, never changed, kept
in the user's folder; the status in show/unit/task/export and --status; ledgers imported;
entries that follow their task when a plan changes, and orphans when its text changed."""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from whodoes.cli import app as cli
from whodoes.query import db, records

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "plans.sqlite"
DOC_2018 = "liangjiang-2018-green-development-action-plan"
BEIBEI = ROOT / "tests" / "fixtures" / "unseen" / "beibei-2023-jialing-water-clauses.txt"

pytestmark = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")


@pytest.fixture
def home(tmp_path, monkeypatch):
    folder = tmp_path / "home"
    monkeypatch.setenv("WHODOES_HOME", str(folder))
    monkeypatch.delenv("WHODOES_DB", raising=False)
    return folder


def csv_rows(capsys):
    out = capsys.readouterr().out
    return list(csv.DictReader(io.StringIO(out)))


def test_uid_is_document_and_position(conn):
    task = records.find_task(conn, 85)
    assert task["uid"] == f"{DOC_2018}/{task['ordinal']}"
    assert records.find_task(conn, task["uid"])["id"] == 85
    assert records.find_task(conn, f"{DOC_2018}/99999") is None
    with pytest.raises(db.UsageError):
        records.find_task(conn, "海绵城市")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is for Linux")
@pytest.mark.parametrize("xdg", [None, "/tmp/xdg-data"])
def test_the_records_path_is_platformdirs_user_folder(monkeypatch, xdg):
    from whodoes import paths

    monkeypatch.delenv("WHODOES_HOME", raising=False)
    if xdg:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
    else:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert records.records_path() == os.path.join(paths.user_home(), "progress.sqlite")


def test_no_progress_file_is_created_by_reading(home, capsys):
    assert cli.main(["unit", "hbfj", "--format", "csv", "--limit", "2"]) == 0
    rows = csv_rows(capsys)
    assert [r["status"] for r in rows] == ["", ""]
    assert cli.main(["progress", "85"]) == 1
    assert not home.exists()


def test_entries_are_added_listed_and_shown(home, capsys):
    assert cli.main(["progress", "85", "勘界定标工作推进中", "--status", "on-track", "--date", "2020-06-30"]) == 0
    assert (
        cli.main(
            ["progress", "85", "勘界定标已完成", "--status", "done", "--date", "2020-12-20", "--by", "生态环境分局"]
        )
        == 0
    )
    assert cli.main(["progress", "64", "照母山森林公园修复滞后", "--status", "behind", "--date", "2020-11-30"]) == 0
    assert (home / "progress.sqlite").is_file()
    capsys.readouterr()
    assert cli.main(["progress", f"{DOC_2018}/26", "--format", "csv"]) == 0  # task 85 by its stable id
    rows = csv_rows(capsys)
    assert [(r["date"], r["status"], r["progress"], r["by"]) for r in rows] == [
        ("2020-06-30", "on-track", "勘界定标工作推进中", ""),
        ("2020-12-20", "done", "勘界定标已完成", "生态环境分局"),
    ]
    assert all(r["task_id"] == "85" and r["attached"] == "same" for r in rows)
    # the latest status in the task rows, and --status
    assert cli.main(["unit", "hbfj", "--format", "csv", "--quiet"]) == 0
    by_id = {r["id"]: r for r in csv_rows(capsys)}
    assert (by_id["85"]["status"], by_id["85"]["status_date"]) == ("done", "2020-12-20")
    assert by_id["86"]["status"] == ""
    assert cli.main(["unit", "城管局", "--status", "behind", "--format", "csv", "--quiet"]) == 0
    assert [r["id"] for r in csv_rows(capsys)] == ["64"]
    assert cli.main(["task", "勘界定标", "--status", "done", "--format", "csv", "--quiet"]) == 0
    assert [r["id"] for r in csv_rows(capsys)] == ["85"]
    assert cli.main(["export", "--status", "behind", "--format", "csv"]) == 0
    assert [r["id"] for r in csv_rows(capsys)] == ["64"]
    assert cli.main(["unit", "城管局", "--status", "done", "--format", "csv"]) == 1
    assert cli.main(["show", "85", "--format", "json"]) == 0
    assert '"status": "done"' in capsys.readouterr().out


def test_entries_are_never_changed(home):
    assert cli.main(["progress", "85", "x", "--status", "done"]) == 0
    rec = sqlite3.connect(home / "progress.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="never changed"):
        rec.execute("UPDATE entries SET status = 'behind'")
    with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
        rec.execute("DELETE FROM entries")


@pytest.mark.parametrize(
    "args, words",
    [
        (["progress", "85", "x", "--status", "late"], "--status must be one of"),
        (["progress", "85", "x", "--date", "2020-13-01"], "a date is YYYY-MM-DD"),
        (["progress", "海绵", "x"], "task id must be a uid"),
        (["unit", "城管局", "--status", "soon"], "--status must be one of"),
    ],
)
def test_bad_values_are_one_line_and_exit_2(home, capsys, args, words):
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert not home.exists()


def test_a_ledger_is_imported_and_unmatched_rows_reported(home, tmp_path, capsys):
    import openpyxl

    path = tmp_path / "ledger.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["两江新区推进情况表"])
    ws.append(["序号", "任务编号", "任务", "牵头单位", "完成情况", "状态", "日期"])
    ws.append(
        [
            1,
            f"{DOC_2018}/26",
            "开展生态保护红线勘界定标和监管平台建设。",
            "环保分局",
            "已完成勘界定标",
            "已完成",
            "2020-12-01",
        ]
    )
    ws.append([2, f"{DOC_2018}/5", None, "城管局", "正在推进", "正常推进", "2020-12-02"])
    ws.append([3, f"{DOC_2018}/6", None, "城管局", None, None, None])  # not filled in
    ws.append([4, f"{DOC_2018}/9999", None, None, "完成", "done", "2020-12-03"])
    ws.append([5, f"{DOC_2018}/27", "一句别的任务", None, "完成", "done", "2020-12-03"])  # id and text disagree
    wb.save(path)
    assert cli.main(["progress", "--import", str(path)]) == 1
    captured = capsys.readouterr()
    assert "2 entries added" in captured.out and "1 blank rows" in captured.out and "2 rows not matched" in captured.out
    assert "row 6: no task" in captured.err and "row 7: task" in captured.err
    assert cli.main(["progress", "--import", str(path)]) == 1  # again: nothing twice
    assert "0 entries added, 2 already recorded" in capsys.readouterr().out
    conn = db.connect(SHIPPED)
    latest = records.latest_by_task(conn)
    assert latest[85]["status"] == "done" and latest[64]["status"] == "on-track"
    assert latest[85]["entry"]["source"] == "ledger.xlsx row 3"


def test_a_csv_ledger_with_english_headers(home, tmp_path, capsys):
    path = tmp_path / "ledger.csv"
    path.write_text(f"uid,progress,status\n{DOC_2018}/26,done,done\n", encoding="utf-8-sig")
    assert cli.main(["progress", "--import", str(path), "--date", "2021-01-05"]) == 0
    assert cli.main(["progress", "85", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "2021-01-05,done" in out


# ----------------------------------------------------------------------------------------------
# a plan that changes: entries follow their task's text, or wait as orphans


def build(sources: Path, out: Path) -> sqlite3.Connection:
    from whodoes.build.pipeline import build as run_build

    run_build(sources, out, None)
    return db.connect(out)


def test_entries_follow_their_text_and_orphans_are_kept(home, tmp_path, capsys):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copyfile(BEIBEI, sources / BEIBEI.name)
    out = tmp_path / "plans.sqlite"
    conn = build(sources, out)
    doc = BEIBEI.stem
    tasks = {n: records.find_task(conn, f"{doc}/{n}") for n in (1, 2, 6)}
    assert all(tasks.values())
    rec = records.open_records(create=True)
    with rec:
        for n, task in tasks.items():
            records.add_entry(rec, task, f"task {n} progress", date="2024-03-31", status="on-track")
    conn.close()
    # a new task before the first (every position moves by one) and task 6's text changed
    text = (sources / BEIBEI.name).read_text(encoding="utf-8")
    first = "　　1．推进工业园区污水集中处理。"
    assert first in text and "梁滩河、龙凤溪" in text
    text = text.replace(
        first, "　　1．开展入河排污口排查。摸清全区入河排污口底数。（牵头单位：区生态环境局）\n" + first
    )
    (sources / BEIBEI.name).write_text(text.replace("梁滩河、龙凤溪", "梁滩河、龙凤溪、马鞍溪"), encoding="utf-8")
    conn = build(sources, out)
    assert records.find_task(conn, f"{doc}/2")["text"] == tasks[1]["text"]  # task 1 is now task 2
    latest = records.latest_by_task(conn)
    moved = {records.find_task(conn, f"{doc}/{n}")["id"] for n in (2, 3)}
    assert moved <= set(latest) and len(latest) == 2
    orphans = records.orphans(conn)
    assert [o["uid"] for o in orphans] == [f"{doc}/6"]
    assert "changed" in orphans[0]["why"] and orphans[0]["note"] == "task 6 progress"
    assert cli.main(["progress", f"{doc}/7", "--db", str(out)]) == 1
    assert "1 orphaned entry of its document" in capsys.readouterr().err
    # a person re-attaches it to the task that now holds that work
    assert cli.main(["progress", "--orphans", "--db", str(out), "--format", "csv"]) == 0
    assert f"{doc}/6" in capsys.readouterr().out
    assert cli.main(["progress", f"{doc}/7", "--attach", str(orphans[0]["id"]), "--db", str(out)]) == 0
    assert records.orphans(conn) == []
    entries = records.entries_for_task(conn, records.find_task(conn, f"{doc}/7")["id"])
    assert [e["attached"] for e in entries] == ["re-attached"]
    # the document gone altogether: every entry is an orphan, none is lost
    conn.close()
    (sources / BEIBEI.name).rename(tmp_path / "away.txt")
    shutil.copyfile(
        ROOT / "data" / "sources" / "wulong-2019-two-mountains-base-plan.txt",
        sources / "wulong-2019-two-mountains-base-plan.txt",
    )
    conn = build(sources, out)
    assert len(records.orphans(conn)) == 3
    assert all("not in the database" in o["why"] for o in records.orphans(conn))


def test_the_query_path_stays_light_with_records(home):
    """With a progress file: unit reads it with sqlite3; no platformdirs, no report, trace or
    ledger modules, no xlsx/docx libraries."""
    import subprocess

    from conftest import clean_env, importtime_command

    assert cli.main(["progress", "64", "x", "--status", "behind"]) == 0
    for env in ({"WHODOES_HOME": str(home)}, {"HOME": str(home.parent), "XDG_DATA_HOME": str(home.parent / "xdg")}):
        p = subprocess.run(
            [*importtime_command(), "unit", "城管局", "-f", "csv", "--status", "behind"],
            capture_output=True,
            env={k: v for k, v in clean_env(**env).items() if k != "WHODOES_HOME" or "WHODOES_HOME" in env},
            cwd="/",
            timeout=120,
        )
        names = {
            line.rsplit("|", 1)[1].strip() for line in p.stderr.decode().splitlines() if line.startswith("import time:")
        }
        assert p.returncode == (0 if "WHODOES_HOME" in env else 1) and "whodoes.query.records" in names
        for m in (
            "platformdirs",
            "openpyxl",
            "docx",
            "xlsxwriter",
            "whodoes.query.trace",
            "whodoes.output.report",
            "whodoes.output.ledgerin",
            "rich",
            "sqlite_utils",
        ):
            assert m not in names, m


@pytest.mark.parametrize("ext", ["xlsx", "docx"])
def test_the_task_ledger_comes_back_filled_in(home, tmp_path, capsys, ext):
    """`whodoes unit 城管局 -o 台账.xlsx|.docx` (the task ledger: the uid in its 来源 column),
    filled in by hand in its 完成情况 column, read back."""
    path = tmp_path / f"台账.{ext}"
    assert cli.main(["unit", "城管局", "--where", "两江新区", "--role", "lead", "-o", str(path)]) == 0
    filled = {}
    if ext == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path)
        ws = wb.worksheets[0]
        heads = [c.value for c in ws[3]]
        for row in list(ws.iter_rows(min_row=4))[:2]:
            source = row[heads.index("来源")].value
            row[heads.index("完成情况")].value = f"已完成 ({source.split()[-2]})"
            filled[source.split()[-2]] = row
        wb.save(path)
    else:
        import docx

        document = docx.Document(path)
        table = document.tables[0]
        heads = [c.text for c in table.rows[0].cells]
        for row in table.rows[1:3]:
            uid = row.cells[heads.index("来源")].text.split()[-2]
            row.cells[heads.index("完成情况")].text = f"已完成 ({uid})"
            filled[uid] = row
        document.save(path)
    capsys.readouterr()
    assert cli.main(["progress", "--import", str(path), "--date", "2020-12-31"]) == 0
    assert "2 entries added" in capsys.readouterr().out
    conn = db.connect(SHIPPED)
    for uid in filled:
        task = records.find_task(conn, uid)
        (entry,) = records.entries_for_task(conn, task["id"])
        assert entry["note"] == f"已完成 ({uid})" and entry["date"] == "2020-12-31"
