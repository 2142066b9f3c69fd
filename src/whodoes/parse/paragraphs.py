"""Task paragraphs: tasks written as running text.

* ``inline_tasks``: paragraphs that carry a unit clause, "(牵头单位:…;责任单位:…)" or
  "（A牵头，B配合）" (see ``clauses``).  A paragraph with several clauses holds
  several tasks, each ending at its clause.
* ``numbered_tasks``: for documents that name no unit at all, the numbered
  items (1. / 1． / 1、, else (一)) of their task section, the part headed
  重点任务 / 主要任务 / 工作任务 ... up to the next top-level heading.

Sections are the nearest (一)-level heading above the task (its words before
the first 。); the category is the task's own words before its first 。.
"""

from __future__ import annotations

import re

from whodoes.cleanup import Line
from whodoes.parse.clauses import find_clauses
from whodoes.parse.markers import ATTACHMENT, HEADING_1, HEADING_2, NUMBERED, first_sentence
from whodoes.parse.model import TaskRow
from whodoes.units.split import split_units

TASK_SECTION = re.compile(r"(重点任务|主要任务|工作任务|重点工作|主要工作|任务分工|重点工程|主要措施|工作措施)")
_SEQ_PREFIX = re.compile(
    r"^\s*(?:(\d{1,3})\s*[.．、]\s*(?!\d)|[(（]\s*([一二三四五六七八九十]+)\s*[)）]\s*|([一二三四五六七八九十]+)\s*、\s*)"
)


def _split_seq(text: str) -> tuple[str | None, str]:
    m = _SEQ_PREFIX.match(text)
    if not m:
        return None, text.strip()
    return next(g for g in m.groups() if g), text[m.end():].strip()


def _heading_text(text: str) -> str:
    return first_sentence(text, limit=80).rstrip("。.")


class _Outline:
    """Tracks the headings above the current line."""

    def __init__(self) -> None:
        self.level1: str | None = None
        self.level2: str | None = None

    def see(self, text: str) -> int | None:
        if HEADING_1.match(text) and len(first_sentence(text)) <= 40:
            self.level1, self.level2 = _heading_text(text), None
            return 1
        if HEADING_2.match(text):
            self.level2 = _heading_text(text)
            return 2
        if ATTACHMENT.match(text):
            self.level1 = self.level2 = None
        return None


def inline_tasks(lines: list[Line], skip: set[int]) -> list[TaskRow]:
    rows: list[TaskRow] = []
    outline = _Outline()
    for idx, ln in enumerate(lines):
        if idx in skip or not ln.text:
            continue
        text = ln.text
        clauses = find_clauses(text)
        if not clauses:
            outline.see(text)
            continue
        section = outline.level2
        if HEADING_2.match(text):
            section = outline.level1
        pos = 0
        for clause in clauses:
            segment = text[pos: clause.start]
            pos = clause.end
            seq, body = _split_seq(segment.lstrip("。；;，, "))
            if not body:
                continue
            rows.append(
                TaskRow(
                    part="inline",
                    text=body,
                    seq=seq,
                    section=section,
                    category=first_sentence(body),
                    lead_raw=clause.lead_raw,
                    support_raw=clause.support_raw,
                    lead=split_units(clause.lead_raw),
                    support=split_units(clause.support_raw),
                    lead_label=clause.lead_label,
                    support_label=clause.support_label,
                    commanders=clause.commanders,
                    line=ln.number,
                    line_end=ln.number,
                    source_text=ln.raw,
                )
            )
    return rows


def numbered_tasks(lines: list[Line], skip: set[int]) -> list[TaskRow]:
    """Numbered items of the task section, for documents that name no units."""
    items_3: list[TaskRow] = []
    items_2: list[TaskRow] = []
    outline = _Outline()
    in_tasks = False
    for idx, ln in enumerate(lines):
        if idx in skip or not ln.text:
            continue
        text = ln.text
        level = outline.see(text)
        if level == 1:
            in_tasks = bool(TASK_SECTION.search(outline.level1 or ""))
            continue
        if ATTACHMENT.match(text):
            in_tasks = False
        if not in_tasks:
            continue
        seq, body = _split_seq(text)
        if seq is None or not body:
            continue
        row = TaskRow(
            part="numbered",
            text=body,
            seq=seq,
            section=outline.level1 if level == 2 else outline.level2,
            category=first_sentence(body),
            line=ln.number,
            line_end=ln.number,
            source_text=ln.raw,
        )
        if level == 2:
            items_2.append(row)
        elif NUMBERED.match(text):
            items_3.append(row)
    return items_3 or items_2
