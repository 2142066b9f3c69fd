"""Layout regressions: fixtures written alongside the parser, one for every form of
responsibility it was built to read.

These are regression tests, not evidence that the reader generalises.  tests/fixtures/unseen/
(the folder keeps its old name; this module was test_unseen.py) holds small documents written
by this project while the parser was being written, the way plans look when copied from a
government web page, one form (or two) each, with a hand-written answer key beside each
(``<name>.jsonl``, the gold format of the evaluation kit).  The parser was shaped on them, so
they only show that it still reads what it was built for.  The real published plans the
reader is measured on are in tests/fixtures/real (``test_real_corpus``).  They are built with
no metadata file, exactly as ``whodoes add`` would build them, and scored like
/work/shared/eval/score.py scores the real key: a key row is found when a row of the same
document holds its key in its title or text (white space ignored, NFKC); lead and support
are compared as sets.

These keys are complete: every task row of each document is listed, so extra rows
(narrative paragraphs read as tasks) count against precision.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from whodoes.build.pipeline import build

UNSEEN = Path(__file__).parent.parent / "fixtures" / "unseen"

# form -> the fixtures written in that form (a fixture may show several forms)
FORMS = {
    "labelled clause (牵头单位：…；配合单位：…)": [
        "beibei-2023-jialing-water-clauses",
        "wushan-2021-shoreline-traditional",
        "wanzhou-2023-tasks-label-lines",
        "shapingba-2023-report-label-lines",
    ],
    "role sentences in brackets (A牵头，B配合，C负责落实 / A负责)": [
        "hechuan-2022-air-sentence-roles",
        "jiangjin-2023-soil-plain-roles",
        "beibei-2023-jialing-water-clauses",
        "nanchuan-2022-reform-traditional-roles",
    ],
    "plain role sentences (由A牵头，B配合。)": ["jiangjin-2023-soil-plain-roles"],
    "label lines under the task (牵头单位：… / 完成时限：…)": [
        "wanzhou-2023-tasks-label-lines",
        "shapingba-2023-report-label-lines",
    ],
    "pipe table": [
        "dazu-2023-water-markdown-table",
        "yubei-2023-lowcarbon-pipe-years",
        "bishan-2024-city-pipe-merged",
    ],
    "TAB-separated rows": ["tongliang-2022-rural-tabline-gb18030"],
    "TAB-flattened cells": ["rongchang-2023-nowaste-tabcell"],
    "one cell per line": ["kaizhou-2022-lake-cellline-deadline", "qijiang-2023-forest-cellline-years"],
    "per-year columns": ["yubei-2023-lowcarbon-pipe-years", "qijiang-2023-forest-cellline-years"],
    "deadline column": [
        "dazu-2023-water-markdown-table",
        "tongliang-2022-rural-tabline-gb18030",
        "rongchang-2023-nowaste-tabcell",
        "kaizhou-2022-lake-cellline-deadline",
    ],
    "numbered tasks without units": ["fuling-2022-green-numbered-no-units"],
    "traditional Chinese": ["wushan-2021-shoreline-traditional", "nanchuan-2022-reform-traditional-roles"],
    "GB18030 bytes": ["tongliang-2022-rural-tabline-gb18030"],
}


def squash(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def unit_set(names) -> set[str]:
    return {squash(n).rstrip("。.") for n in names or []} - {"", "/"}


def load_gold() -> dict[str, list[dict]]:
    gold = {}
    for f in sorted(UNSEEN.glob("*.jsonl")):
        gold[f.stem] = [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return gold


GOLD = load_gold()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("unseen") / "plans.sqlite"
    report = build(UNSEEN, out)
    conn = sqlite3.connect(out)
    conn.row_factory = sqlite3.Row
    rows = defaultdict(list)
    for t in conn.execute("SELECT * FROM tasks ORDER BY document_id, ordinal"):
        units = conn.execute(
            "SELECT role, name FROM task_units WHERE task_id = ? ORDER BY role, position", (t["id"],)
        ).fetchall()
        rows[t["document_id"]].append(
            dict(
                part=t["part"],
                seq=t["seq"],
                title=t["title"],
                text=t["text"],
                line=t["line"],
                deadline=t["deadline"],
                targets=json.loads(t["targets"]),
                inherited=json.loads(t["inherited"]),
                lead_label=t["lead_label"],
                support_label=t["support_label"],
                lead=[u["name"] for u in units if u["role"] == "lead"],
                support=[u["name"] for u in units if u["role"] == "support"],
            )
        )
    docs = {d["id"]: dict(d) for d in conn.execute("SELECT * FROM documents")}
    conn.close()
    return report, docs, rows


def match(gold_rows: list[dict], rows: list[dict]) -> list[tuple[dict, dict | None]]:
    """Pair each key row with a row holding its key (best unit agreement first; each row serves once)."""
    used: set[int] = set()
    pairs = []
    for g in gold_rows:
        key = squash(g["key"])
        cands = [i for i, r in enumerate(rows) if i not in used and key in squash((r["title"] or "") + r["text"])]
        if not cands:
            pairs.append((g, None))
            continue

        def agreement(i, g=g):
            want = unit_set(g["lead"]) | unit_set(g["support"])
            got = unit_set(rows[i]["lead"]) | unit_set(rows[i]["support"])
            return len(want & got) - 0.1 * len(want ^ got) - 0.01 * abs(rows[i]["line"] - g["line"])

        best = max(cands, key=agreement)
        used.add(best)
        pairs.append((g, rows[best]))
    return pairs


def units_exact(g: dict, r: dict | None) -> bool:
    return (
        r is not None
        and unit_set(r["lead"]) == unit_set(g["lead"])
        and unit_set(r["support"]) == unit_set(g["support"])
    )


def score(stems: list[str], rows: dict[str, list[dict]]) -> tuple[float, float, int]:
    """(recall, unit exactness, extra rows) over the given documents."""
    total = found = exact = extra = 0
    for stem in stems:
        pairs = match(GOLD[stem], rows[stem])
        total += len(pairs)
        found += sum(r is not None for _, r in pairs)
        exact += sum(units_exact(g, r) for g, r in pairs)
        extra += len(rows[stem]) - sum(r is not None for _, r in pairs)
    return found / total, exact / total, extra


def test_every_fixture_has_a_key_and_a_form():
    stems = {p.stem for p in UNSEEN.glob("*.txt")}
    assert stems == set(GOLD)
    assert stems == {s for docs in FORMS.values() for s in docs}


@pytest.mark.parametrize("stem", sorted(GOLD))
def test_each_document_is_read_completely(built, stem):
    _, _, rows = built
    recall, exact, extra = score([stem], rows)
    assert (recall, exact, extra) == (1.0, 1.0, 0), [
        (g["key"], r and (r["lead"], r["support"])) for g, r in match(GOLD[stem], rows[stem]) if not units_exact(g, r)
    ] or [r["text"][:40] for r in rows[stem]]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_scores_at_least_095(built, form):
    _, _, rows = built
    recall, exact, _ = score(FORMS[form], rows)
    assert recall >= 0.95 and exact >= 0.95, (form, recall, exact)


def test_overall_score(built):
    _, _, rows = built
    recall, exact, extra = score(sorted(GOLD), rows)
    assert recall >= 0.95 and exact >= 0.95 and extra == 0


GOLD_ROWS = [g for stem in sorted(GOLD) for g in GOLD[stem]]


@pytest.mark.parametrize("gold", GOLD_ROWS, ids=lambda g: f"{g['doc'].split('-')[0]}:{g['line']}")
def test_row_details(built, gold):
    """Beyond the score: line, number, part, role labels, filled-down cells, targets and deadline."""
    _, _, rows = built
    [(_, row)] = [(g, r) for g, r in match(GOLD[gold["doc"]], rows[gold["doc"]]) if g is gold]
    assert row is not None, gold["key"]
    assert row["line"] == gold["line"]
    assert row["seq"] == gold["seq"]
    assert row["part"] == gold["part"]
    assert (row["lead_label"], row["support_label"]) == (gold["lead_label"], gold["support_label"])
    assert sorted(row["inherited"]) == sorted(gold["inherited"])
    assert {k: squash(v) for k, v in row["targets"].items()} == {k: squash(v) for k, v in gold["targets"].items()}
    assert squash(row["deadline"]) == squash(gold["deadline"])


def test_layouts_say_what_was_recognised(built):
    _, docs, _ = built
    layouts = {stem: " / ".join(json.loads(d["layouts"])) for stem, d in docs.items()}
    assert "pipe table" in layouts["dazu-2023-water-markdown-table"]
    assert "TAB-separated table" in layouts["tongliang-2022-rural-tabline-gb18030"]
    assert "TAB-flattened table" in layouts["rongchang-2023-nowaste-tabcell"]
    assert "one cell per line" in layouts["kaizhou-2022-lake-cellline-deadline"]
    assert "unit clauses" in layouts["beibei-2023-jialing-water-clauses"]
    assert "numbered tasks" in layouts["fuling-2022-green-numbered-no-units"]
    assert layouts["wushan-2021-shoreline-traditional"].startswith("traditional Chinese")


def test_encodings(built):
    _, docs, _ = built
    assert docs["tongliang-2022-rural-tabline-gb18030"]["encoding"] == "gb18030"
    assert docs["beibei-2023-jialing-water-clauses"]["encoding"] == "utf-8"
