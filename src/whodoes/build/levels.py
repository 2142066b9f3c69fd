"""Levels: is a task row a key project (重点工程 / 重点任务 paragraph) or a task, and which
key project does a table row belong to?

Rules on structure and markers, the same for every document:

* a paragraph row (part ``inline`` or ``numbered``) is a ``project`` when table rows of its
  document belong to it (the paragraphs name the projects, the table breaks them down), or
  when its section or category is a 重点工程 / 重点项目 / 重点任务 heading;
* every other row is a ``task``;
* a table row belongs to the project its category names: the category, without its
  printed number, compared with each project's category or title (character pairs in
  common); the printed number agreeing with the project's lends support, never decides
  alone.
"""

from __future__ import annotations

import re

from whodoes.build.parse.model import TaskRow

PROJECT_HEADING = re.compile(r"重点(?:工程|项目|任务)")
_NUMBER = re.compile(r"^\s*[（(]?\s*([0-9０-９]+|[一二三四五六七八九十]+)\s*[)）.、．]?\s*")
_PUNCT = re.compile(r"[\s“”\"'‘’「」《》()（）,，.。、:：;；!！?？·]")
MIN_SIMILARITY = 0.6  # share of character pairs in common, for a name to name a project
MIN_WITH_NUMBER = 0.4  # ... when the printed numbers agree too


def _number(text: str | None) -> str | None:
    m = _NUMBER.match(text or "")
    return m.group(1) if m else None


def _name(text: str | None) -> str:
    """A category or title without its printed number and punctuation."""
    return _PUNCT.sub("", _NUMBER.sub("", text or "", count=1))


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character pairs of two names (0..1)."""
    pa, pb = _pairs(a), _pairs(b)
    if not pa or not pb:
        return 1.0 if a and a == b else 0.0
    return 2 * len(pa & pb) / (len(pa) + len(pb))


def _is_paragraph(row: TaskRow) -> bool:
    return row.part in ("inline", "numbered")


def row_levels(rows: list[TaskRow]) -> list[str]:
    """ "project" or "task" for each row of one document (see the module docstring)."""
    has_table = any(r.part == "table" for r in rows)
    candidates = ["project" if _is_paragraph(r) and has_table else "task" for r in rows]
    linked = {i for i in project_links(rows, candidates) if i is not None}
    out = []
    for i, r in enumerate(rows):
        heading = " ".join(x for x in (r.section, r.category) if x)
        project = _is_paragraph(r) and (i in linked or bool(PROJECT_HEADING.search(heading)))
        out.append("project" if project else "task")
    return out


def project_links(rows: list[TaskRow], levels: list[str]) -> list[int | None]:
    """For each row, the index (in ``rows``) of the project it belongs to, or None."""
    projects = [
        (i, _name(rows[i].category or rows[i].title), _name(rows[i].title), rows[i].seq)
        for i, lv in enumerate(levels)
        if lv == "project"
    ]
    out: list[int | None] = [None] * len(rows)
    if not projects:
        return out
    cache: dict[str | None, int | None] = {}
    for j, r in enumerate(rows):
        if levels[j] != "task" or not r.category:
            continue
        if r.category not in cache:
            cache[r.category] = _best_project(r.category, projects)
        out[j] = cache[r.category]
    return out


def _best_project(category: str, projects) -> int | None:
    name, number = _name(category), _number(category)
    best, best_score = None, 0.0
    for i, cat, title, seq in projects:
        score = max(similarity(name, cat), similarity(name, title))
        threshold = MIN_WITH_NUMBER if number and seq and number == str(seq).strip() else MIN_SIMILARITY
        if score >= threshold and score > best_score:
            best, best_score = i, score
    return best
