"""Rules a document states about all its rows, applied after every row is read.

Whatever read a row (a table, a task paragraph, a real table of a Word file), these apply to
all rows alike, at the end of ``parse_document``:

* the document's own role rule for its unit lists, such as ``列第一位的为牵头单位`` or
  ``排在第一位的为牵头单位``: in a row whose units stand in one list with no role of their
  own (责任单位 alone, a cell without 牵头/配合), the first unit is the lead, the rest support;
* a text that ends mid-task (an excerpt, a truncated download) is reported, and a unit
  name cut off at the very end of the text (``区商``) is not kept as a unit;
* standing notes (``以下各项任务均需区县政府落实，不再列出``) name no unit of any row: the
  clause readers stop a unit list at its sentence's end, so nothing is done here but say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whodoes.build.cleanup import Line
from whodoes.build.parse.markers import DUAL_LABELS, LABEL_RE, looks_like_unit, looks_like_units
from whodoes.build.parse.model import TaskRow

_ROLE_RULE = re.compile(
    r"(?:(?:列|排|位|写)(?:在|于)?(?:第一位|第一|首位|最前)|首位)的?(?:[\u4e00-\u9fff]{0,6}?)(?:为|是)(?:牵头|主办|主责)"
)
_STANDING_NOTE = re.compile(
    r"(?:以下|下列|上述|各项)[^。]{0,30}(?:均需|均由|均要)[^。]{0,40}(?:不再[^。]{0,6}列出|不再分工|下同)"
)
_ENDS = tuple('。！？!?；;）)】〕」”"')


@dataclass
class DocumentReport:
    layouts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def apply_document_rules(rows: list[TaskRow], lines: list[Line]) -> DocumentReport:
    report = DocumentReport()
    _role_rule(rows, lines, report)
    _standing_notes(lines, report)
    _cut_off(rows, lines, report)
    return report


def _role_rule(rows: list[TaskRow], lines: list[Line], report: DocumentReport) -> None:
    rule = next(((ln.number, m.group(0)) for ln in lines for m in [_ROLE_RULE.search(ln.text)] if m), None)
    if rule is None:
        return
    governed = [
        r for r in rows if len(r.lead) >= 2 and not r.support and (r.lead_label in DUAL_LABELS or r.lead_label is None)
    ]
    for r in governed:
        r.lead, r.support = r.lead[:1], r.lead[1:]
        r.support_label = r.support_label or "其余单位"
    report.layouts.append(
        f"the document's role rule '{rule[1]}' (line {rule[0]}): in {len(governed)} rows whose units form one list, "
        "the first unit is the lead and the others support"
    )


def _standing_notes(lines: list[Line], report: DocumentReport) -> None:
    for ln in lines:
        m = _STANDING_NOTE.search(ln.text)
        if m:
            report.layouts.append(
                f"a standing note at line {ln.number} ('{m.group(0)[:40]}') adds no units to the rows"
            )
            return


def _cut_off(rows: list[TaskRow], lines: list[Line], report: DocumentReport) -> None:
    """A text whose last line belongs to its last row and stops inside a sentence or a name."""
    last = next((ln for ln in reversed(lines) if ln.text), None)
    if last is None or not rows or (rows[-1].line_end or rows[-1].line) < last.number:
        return  # the text goes on after the last row: a signature, a footer
    text = re.split(r"\t|[|｜]|\s{2,}", last.text.strip("|｜ \t"))[-1].strip()  # the last cell of a table row
    text = re.split(r"[:：]", text)[-1].strip() if LABEL_RE.match(text) else text  # the value of a label line
    if not text or text.endswith(_ENDS) or looks_like_units(text) or _DATE_CELL.search(text):
        return
    row = rows[-1]
    report.warnings.append(
        f"the text appears cut off at line {last.number} (it stops inside a sentence): "
        f"the task at line {row.line} may be incomplete"
    )
    for role in ("lead", "support"):
        names = getattr(row, role)
        if names and text.endswith(names[-1]) and (len(names[-1]) <= 2 or not looks_like_unit(names[-1])):
            report.warnings.append(
                f"line {last.number}: '{names[-1]}' at the very end of the text is not kept as a unit"
            )
            setattr(row, role, names[:-1])


_DATE_CELL = re.compile(r"(年|月|日|底|前|季度|持续推进|长期)$")
