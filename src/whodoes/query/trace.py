"""``whodoes trace``: the same work across a jurisdiction's plans of different generations.

Two tasks carry the same work when their texts share rare character pairs and their units
overlap.  The score (0-1) is

    0.8 × text + 0.2 × units

* text: the mean of the cosine of TF-IDF vectors of character pairs and triples (IDF over
  the tasks of the plans compared) and the *containment* of the shorter text's character
  pairs in the longer one (IDF-weighted), so that a short task of one plan ("推进海绵城市建设")
  finds the long paragraph of the next that takes it up;
* units: half the overlap (Jaccard) of the bodies named (lead and support; collectives
  such as 相关部门 left out), half whether a lead unit is the same.  Units are compared as
  the database resolved them, so a renamed predecessor (环保分局 -> 生态环境分局) is the same unit.

A pair scoring ``SAME_WORK`` or more is taken as the same work (carried over); the
threshold was set on the two 两江新区 plans, with the hand-checked pairs of
tests/fixtures/trace-sample.jsonl.  Query path: sqlite3 and the standard library.
"""

from __future__ import annotations

import math
import sqlite3

from whodoes.errors import UsageError

SAME_WORK = 0.30
TEXT_WEIGHT = 0.8


# ----------------------------------------------------------------------------------------------
# the tasks and their features


def load_tasks(conn: sqlite3.Connection, doc_ids: list[str]) -> list[dict]:
    """The tasks of ``doc_ids`` (plan order) with their document, units and uid."""
    from whodoes.query.records import uid_sql

    marks = ",".join("?" * len(doc_ids))
    rows = conn.execute(
        f"""SELECT t.id, {uid_sql(conn)}, t.document_id, d.period_start, d.period_end, t.text, d.jurisdiction
              FROM tasks t JOIN documents d ON d.id = t.document_id
             WHERE t.document_id IN ({marks}) ORDER BY d.ordinal, t.ordinal""",
        doc_ids,
    ).fetchall()
    tasks = {
        r[0]: {
            "id": r[0],
            "uid": r[1],
            "document": r[2],
            "period": _period(r[3], r[4]),
            "text": r[5] or "",
            "jurisdiction": r[6],
            "lead": [],
            "support": [],
            "lead_units": [],
            "bodies": set(),
            "lead_bodies": set(),
        }
        for r in rows
    }
    for tid, role, name, unit_id, canonical, kind in conn.execute(
        f"""SELECT tu.task_id, tu.role, tu.name, tu.unit_id, u.name, u.kind FROM task_units tu
              JOIN tasks t ON t.id = tu.task_id LEFT JOIN units u ON u.id = tu.unit_id
             WHERE t.document_id IN ({marks}) ORDER BY tu.task_id, tu.role, tu.position""",
        doc_ids,
    ):
        t = tasks[tid]
        t[role].append(name)
        if role == "lead" and canonical and canonical not in t["lead_units"]:
            t["lead_units"].append(canonical)
        if kind != "collective" and unit_id is not None:
            t["bodies"].add(unit_id)
            if role == "lead":
                t["lead_bodies"].add(unit_id)
    return list(tasks.values())


def _period(start, end) -> str:
    return f"{start}-{end}" if start and end and start != end else str(start or end or "")


def grams(text: str, sizes=(2, 3)) -> dict[str, int]:
    """Character n-grams of the letters and digits of ``text`` (punctuation dropped)."""
    chars = "".join(c for c in text if c.isalnum())
    out: dict[str, int] = {}
    for n in sizes:
        for i in range(len(chars) - n + 1):
            g = chars[i : i + n]
            out[g] = out.get(g, 0) + 1
    return out


class Matcher:
    """TF-IDF vectors and pair sets of a set of tasks; ``score(a, b)`` of two of them."""

    def __init__(self, tasks: list[dict]):
        counts = [grams(t["text"]) for t in tasks]
        df: dict[str, int] = {}
        for c in counts:
            for g in c:
                df[g] = df.get(g, 0) + 1
        n = len(tasks)
        self.idf = {g: math.log((1 + n) / (1 + k)) for g, k in df.items()}
        for t, c in zip(tasks, counts):
            vec = {g: (1 + math.log(k)) * self.idf[g] for g, k in c.items()}
            norm = math.sqrt(sum(x * x for x in vec.values())) or 1.0
            t["_vec"] = {g: x / norm for g, x in vec.items()}
            t["_pairs"] = {g for g in c if len(g) == 2}
            t["_mass"] = sum(self.idf[g] for g in t["_pairs"]) or 1.0

    def text_score(self, a: dict, b: dict) -> float:
        va, vb = (a["_vec"], b["_vec"]) if len(a["_vec"]) <= len(b["_vec"]) else (b["_vec"], a["_vec"])
        cosine = sum(x * vb.get(g, 0.0) for g, x in va.items())
        small, big = (a, b) if a["_mass"] <= b["_mass"] else (b, a)
        contained = sum(self.idf[g] for g in small["_pairs"] if g in big["_pairs"]) / small["_mass"]
        return 0.5 * cosine + 0.5 * contained

    @staticmethod
    def unit_score(a: dict, b: dict) -> float:
        union = a["bodies"] | b["bodies"]
        jaccard = len(a["bodies"] & b["bodies"]) / len(union) if union else 0.0
        return 0.5 * jaccard + 0.5 * bool(a["lead_bodies"] & b["lead_bodies"])

    def score(self, a: dict, b: dict) -> tuple[float, float, float]:
        """(score, text, units)"""
        text, units = self.text_score(a, b), self.unit_score(a, b)
        return TEXT_WEIGHT * text + (1 - TEXT_WEIGHT) * units, text, units


def responsibility(a: dict, b: dict) -> str:
    """Did the lead move between the two tasks?  (A renamed unit is the same unit.)"""
    if not a["lead_units"] and not b["lead_units"]:
        return "no lead unit named"
    if set(a["lead_units"]) == set(b["lead_units"]):
        if a["lead"] != b["lead"] and set(a["lead"]) != set(b["lead"]):
            return (
                f"same lead, renamed: {'、'.join(a['lead'])} ({a['period']}) = {'、'.join(b['lead'])} ({b['period']})"
            )
        return f"same lead: {'、'.join(a['lead_units'])}"
    earlier, later = (a, b) if a["period"] <= b["period"] else (b, a)
    before, after = set(earlier["lead_units"]), set(later["lead_units"])
    how = (
        "moved" if not before & after else "widened" if after > before else "narrowed" if after < before else "changed"
    )
    return (
        f"{how}: {'、'.join(earlier['lead']) or '(none)'} led it in {earlier['period']}; "
        f"{'、'.join(later['lead']) or '(none)'} in {later['period']}"
    )


# ----------------------------------------------------------------------------------------------
# the two questions


def same_jurisdiction_docs(conn: sqlite3.Connection, doc_id: str) -> list[str]:
    row = conn.execute("SELECT jurisdiction FROM documents WHERE id = ?", (doc_id,)).fetchone()
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM documents WHERE jurisdiction IS ? ORDER BY coalesce(period_start, 0), ordinal", (row[0],)
        )
    ]


def trace_task(conn: sqlite3.Connection, task_id: int, *, limit: int = 5) -> tuple[dict, list[dict]]:
    """(the task, its best matches in the other plans of its jurisdiction, best first)."""
    doc = conn.execute("SELECT document_id FROM tasks WHERE id = ?", (task_id,)).fetchone()[0]
    docs = same_jurisdiction_docs(conn, doc)
    tasks = load_tasks(conn, docs)
    matcher = Matcher(tasks)
    me = next(t for t in tasks if t["id"] == task_id)
    out = []
    for t in tasks:
        if t["document"] == doc:
            continue
        score, text, units = matcher.score(me, t)
        out.append(_match_row(me, t, score, text, units))
    out.sort(key=lambda r: (-r["score"], r["id"]))
    for rank, r in enumerate(out, 1):
        r["rank"] = rank
    return _public(me), out[:limit]


def _match_row(a: dict, b: dict, score: float, text: float, units: float) -> dict:
    return {
        **_public(b),
        "score": round(score, 3),
        "text_score": round(text, 3),
        "unit_score": round(units, 3),
        "verdict": "same work" if score >= SAME_WORK else "related" if score >= SAME_WORK / 2 else "unlike",
        "responsibility": responsibility(a, b),
    }


def _public(t: dict) -> dict:
    return {
        "id": t["id"],
        "uid": t["uid"],
        "document": t["document"],
        "period": t["period"],
        "text": t["text"],
        "lead": t["lead"],
        "support": t["support"],
        "lead_units": t["lead_units"],
    }


def correspond(conn: sqlite3.Connection, doc_a: str, doc_b: str) -> tuple[list[dict], dict]:
    """The correspondence of two plans: one row per task of A (carried over, with its best
    task of B, or dropped) and one per task of B no task of A carries into (new); and the counts."""
    if doc_a == doc_b:
        raise UsageError("trace --doc and --to name the same document")
    tasks = load_tasks(conn, [doc_a, doc_b])
    matcher = Matcher(tasks)
    a_tasks = [t for t in tasks if t["document"] == doc_a]
    b_tasks = [t for t in tasks if t["document"] == doc_b]
    best_a: dict[int, float] = {t["id"]: 0.0 for t in b_tasks}
    rows = []
    for a in a_tasks:
        best = None
        for b in b_tasks:
            s = matcher.score(a, b)
            best_a[b["id"]] = max(best_a[b["id"]], s[0])
            if best is None or s[0] > best[0][0]:
                best = (s, b)
        rows.append(_pair_row(a, best[1] if best else None, best[0] if best else (0.0, 0.0, 0.0)))
    for b in b_tasks:
        if best_a[b["id"]] < SAME_WORK:
            rows.append(_pair_row(None, b, (best_a[b["id"]], None, None)))
    counts = {
        "a_tasks": len(a_tasks),
        "b_tasks": len(b_tasks),
        "carried": sum(r["status"] == "carried over" for r in rows),
        "dropped": sum(r["status"] == "dropped" for r in rows),
        "new": sum(r["status"] == "new" for r in rows),
        "b_carried": sum(1 for b in b_tasks if best_a[b["id"]] >= SAME_WORK),
    }
    return rows, counts


def _pair_row(a: dict | None, b: dict | None, s: tuple) -> dict:
    score = s[0]
    status = "new" if a is None else "carried over" if score >= SAME_WORK else "dropped"
    row = {"status": status, "score": round(score, 3)}
    for side, t in (("a", a), ("b", b if a is None or score >= SAME_WORK else None)):
        row.update(
            {
                f"{side}_id": t and t["id"],
                f"{side}_uid": t and t["uid"],
                f"{side}_text": t and t["text"],
                f"{side}_lead": t and t["lead"],
            }
        )
    row["nearest"] = b["uid"] if (a is not None and b is not None and status == "dropped") else None
    row["responsibility"] = responsibility(a, b) if status == "carried over" and a and b else ""
    return row
