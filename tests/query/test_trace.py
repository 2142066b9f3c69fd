"""`whodoes trace`: the same work in a jurisdiction's plans of different generations, and the
correspondence of two plans; the hand-checked pairs of tests/fixtures/trace-sample.jsonl
stay as they were judged."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from whodoes.cli import app as cli
from whodoes.query import records, trace

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "plans.sqlite"
SAMPLE = ROOT / "tests" / "fixtures" / "trace-sample.jsonl"
DOC_2018 = "liangjiang-2018-green-development-action-plan"
DOC_2021 = "liangjiang-2021-ecological-protection-14th-plan"

pytestmark = pytest.mark.skipif(not SHIPPED.exists(), reason="data/plans.sqlite not built")


def the_2018_sponge_city_task(conn) -> int:
    rows = conn.execute(
        "SELECT id FROM tasks WHERE document_id = ? AND text LIKE '%海绵城市%' ORDER BY length(text)", (DOC_2018,)
    ).fetchall()
    return rows[0][0]  # 推进海绵城市建设。 (the other one is the long paragraph of the whole project)


def test_the_2018_sponge_city_task_finds_the_2021_one_first(conn):
    task_id = the_2018_sponge_city_task(conn)
    me, matches = trace.trace_task(conn, task_id)
    assert "海绵城市" in me["text"]
    first = matches[0]
    assert first["document"] == DOC_2021 and "海绵城市" in first["text"]
    assert first["verdict"] == "same work" and first["score"] > matches[1]["score"]
    assert [m["score"] for m in matches] == sorted((m["score"] for m in matches), reverse=True)
    # its lead moved: 建设局 (2018-2020) -> the 2021 plan's lead units
    assert first["responsibility"].startswith(("moved", "widened", "changed", "narrowed", "same"))


def test_a_renamed_lead_is_the_same_unit(conn):
    # 生态保护红线: 环保分局 led it in 2018-2020; 规划自然资源局 and 生态环境分局 in 2021-2025
    task = conn.execute(
        "SELECT id FROM tasks WHERE document_id = ? AND text LIKE '实施生态保护红线管控工程%'", (DOC_2018,)
    ).fetchone()[0]
    _, matches = trace.trace_task(conn, task)
    assert "生态保护红线" in matches[0]["text"]
    assert matches[0]["responsibility"] == (
        "widened: 环保分局 led it in 2018-2020; 规划自然资源局、生态环境分局 in 2021-2025"
    )
    # the unit score counts 环保分局 and 生态环境分局 as one unit
    assert matches[0]["unit_score"] >= 0.5


def test_trace_command(capsys):
    assert cli.main(["trace", f"{DOC_2018}/49", "--format", "csv", "--limit", "3"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert len(rows) == 3 and rows[0]["rank"] == "1" and "海绵城市" in rows[0]["task"]
    assert "推进海绵城市建设" in captured.err
    assert cli.main(["trace", "--doc", "2018"]) == 2
    assert cli.main(["trace", "--doc", "liangjiang", "--to", "2021"]) == 2  # two documents
    assert cli.main(["trace", "999999"]) == 1
    assert cli.main(["trace", "wulong-2019-two-mountains-base-plan/1"]) == 1  # the only plan of 武隆区


def test_the_correspondence_of_the_two_liangjiang_plans(conn, capsys):
    rows, n = trace.correspond(conn, DOC_2018, DOC_2021)
    assert n["a_tasks"] == 107 and n["b_tasks"] == 165
    assert n["carried"] + n["dropped"] == n["a_tasks"]
    assert n["new"] + n["b_carried"] == n["b_tasks"]
    assert 0 < n["carried"] < n["a_tasks"] and 0 < n["new"] < n["b_tasks"]
    assert {r["status"] for r in rows} == {"carried over", "dropped", "new"}
    for r in rows:
        if r["status"] == "carried over":
            assert r["score"] >= trace.SAME_WORK and r["a_uid"] and r["b_uid"] and r["responsibility"]
        elif r["status"] == "dropped":
            assert r["score"] < trace.SAME_WORK and r["b_uid"] is None and r["nearest"]
        else:
            assert r["a_uid"] is None and r["score"] < trace.SAME_WORK
    assert cli.main(["trace", "--doc", "liangjiang-2018", "--to", "liangjiang-2021", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert f"{n['carried']} of 107 tasks carried over, {n['dropped']} dropped; {n['new']} of 165" in captured.err
    assert len(list(csv.DictReader(io.StringIO(captured.out)))) == len(rows)


def test_the_hand_checked_pairs_stay_as_judged(conn):
    """20 pairs (a 2018 task and its best 2021 match, evenly spread over the scores), each
    read by a person: does the 2021 task carry the 2018 task's work?  The matcher must keep
    pairing them, decide as it did when they were judged, and agree with the person at
    least as often (15 of 20)."""
    sample = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert len(sample) == 20
    tasks = trace.load_tasks(conn, [DOC_2018, DOC_2021])
    matcher = trace.Matcher(tasks)
    by_uid = {t["uid"]: t for t in tasks}
    later = [t for t in tasks if t["document"] == DOC_2021]
    agree = 0
    for s in sample:
        a = by_uid[s["a_uid"]]
        assert a["text"].startswith(s["a_text"]) and by_uid[s["b_uid"]]["text"].startswith(s["b_text"])
        best = max(later, key=lambda b: matcher.score(a, b)[0])
        assert best["uid"] == s["b_uid"], s
        same = matcher.score(a, best)[0] >= trace.SAME_WORK
        assert same == s["matcher_same_work"], s
        agree += same == s["person_same_work"]
    assert agree >= 15


def test_uids_match_records(conn):
    tasks = trace.load_tasks(conn, [DOC_2018])
    assert tasks[4]["uid"] == records.find_task(conn, tasks[4]["id"])["uid"] == f"{DOC_2018}/5"
