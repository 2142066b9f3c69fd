"""End to end extraction on the real plans: every hand-checked row, exactly.

tests/fixtures/gold/ is the hand-checked sample of the answer key (copied from
the evaluation kit); tests/fixtures/handchecked.jsonl adds rows we checked by
hand ourselves, in the same form.  A gold row is found by its key (a verbatim
piece of its text) among the rows of its document.
"""

import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from whodoes.build.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent.parent / "fixtures"
SHIPPED = ROOT / "data" / "plans.sqlite"


def squash(text):
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def load_gold():
    rows = []
    for f in sorted((FIXTURES / "gold").glob("*.jsonl")) + [FIXTURES / "handchecked.jsonl"]:
        if f.exists():
            rows += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


GOLD = load_gold()


def db_rows(path):
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    out = []
    for t in conn.execute(
        "SELECT t.*, d.sha256 FROM tasks t JOIN documents d ON d.id = t.document_id ORDER BY d.ordinal, t.ordinal"
    ):
        units = conn.execute(
            "SELECT role, name FROM task_units WHERE task_id = ? ORDER BY role, position", (t["id"],)
        ).fetchall()
        out.append(
            dict(
                sha=t["sha256"],
                text=t["text"],
                title=t["title"],
                line=t["line"],
                targets=json.loads(t["targets"]),
                inherited=json.loads(t["inherited"]),
                lead=[u["name"] for u in units if u["role"] == "lead"],
                support=[u["name"] for u in units if u["role"] == "support"],
            )
        )
    conn.close()
    return out


@pytest.fixture(scope="module")
def shipped_rows():
    return db_rows(SHIPPED)


def find(rows, gold):
    key = squash(gold["key"])
    cands = [r for r in rows if r["sha"] == gold["doc_sha256"] and key in squash((r["title"] or "") + r["text"])]
    return cands


@pytest.mark.parametrize("gold", GOLD, ids=lambda g: f"{g['doc'][:3]}:{g['line']}")
def test_every_hand_checked_row_is_in_the_shipped_database(shipped_rows, gold):
    cands = find(shipped_rows, gold)
    assert cands, f"row not found: {gold['key']}"
    row = next((c for c in cands if c["line"] == gold["line"]), cands[0])
    assert row["line"] == gold["line"]
    assert set(row["lead"]) == set(squash(x) for x in gold["lead"])
    assert set(row["support"]) == set(squash(x) for x in gold["support"])
    assert sorted(row["inherited"]) == sorted(gold["inherited"])
    if gold.get("targets"):
        assert {k: squash(v) for k, v in row["targets"].items()} == {k: squash(v) for k, v in gold["targets"].items()}


def test_rebuilding_gives_the_same_rows_as_the_shipped_database(tmp_path):
    out = tmp_path / "plans.sqlite"
    report = build(ROOT / "data" / "sources", out)
    assert report.rows == len(db_rows(SHIPPED))
    assert db_rows(out) == db_rows(SHIPPED)


def test_row_counts_per_document(shipped_rows):
    conn = sqlite3.connect(SHIPPED)
    counts = dict(conn.execute("SELECT id, task_count FROM documents"))
    # 21 key projects + 86 table rows; 20 clauses; 165 table rows; 21 numbered tasks; 59 table rows
    assert counts == {
        "liangjiang-2018-green-development-action-plan": 107,
        "wulong-2019-two-mountains-base-plan": 20,
        "liangjiang-2021-ecological-protection-14th-plan": 165,
        "yunyang-green-development-demonstration-opinions": 21,
        "chongqing-2022-guangyangwan-eco-city-opinions": 59,
    }
