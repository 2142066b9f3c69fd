"""Task paragraphs: tasks written as running text.

* ``inline_tasks``: paragraphs that carry a unit clause, "(牵头单位:…;责任单位:…)",
  "（A牵头，B配合）", "由A牵头，B配合。" (see ``clauses``).  A paragraph with
  several clauses holds several tasks, each ending at its clause.  A clause on
  a line of its own ("（牵头单位：A）", or label lines "牵头单位：A" / "配合单位：B" /
  "完成时限：…") belongs to the task paragraph just above it.
* ``numbered_tasks``: for documents that name no unit at all, the numbered
  items (1. / 1． / 1、, else (一)) of their task section, the part headed
  重点任务 / 主要任务 / 工作任务 ... up to the next top-level heading.

Sections are the nearest (一)-level heading above the task, else the 一、-level
one (its words before the first 。); the category is the task's own words
before its first 。.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from whodoes.build.cleanup import Line
from whodoes.build.parse.clauses import Clause, find_clauses, parse_labelled
from whodoes.build.parse.markers import (
    ATTACHMENT,
    HEADING_1,
    HEADING_2,
    LABEL_RE,
    NUMBERED,
    PERSON_LINE,
    TASK_START,
    first_sentence,
    looks_like_units,
)
from whodoes.build.parse.model import TaskRow
from whodoes.build.parse.split import split_units

TASK_SECTION = re.compile(
    r"(重点任务|主要任务|工作任务|重点工作|主要工作|任务分工|重点工程|主要措施|工作措施|重点举措|主要举措|工作举措"
    r"|具体措施|重点行动|主要行动|工作内容|主要内容|建设任务|整治任务|重点项目)"
)
_SEQ_PREFIX = re.compile(
    r"^\s*(?:(\d{1,3})\s*[*＊]?\s*[.．、]\s*(?!\d)|[(（]\s*([一二三四五六七八九十]+|\d{1,3})\s*[)）]\s*"
    r"|([一二三四五六七八九十]+)\s*、\s*|([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*)"
)


def _split_seq(text: str) -> tuple[str | None, str]:
    m = _SEQ_PREFIX.match(text)
    if not m:
        return None, text.strip()
    return next(g for g in m.groups() if g), text[m.end() :].strip()


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


_LEAD_IN_PUNCT = "。；;，, "


def _has_words(text: str) -> bool:
    return bool(re.search(r"[\w\u4e00-\u9fff]", text))


def _task_row(body: str, seq: str | None, section: str | None, ln: Para) -> TaskRow:
    return TaskRow(
        part="inline",
        text=body,
        seq=seq,
        section=section,
        category=first_sentence(body),
        line=ln.number,
        line_end=ln.end,
        source_text=ln.raw,
    )


def _apply(row: TaskRow, clause: Clause) -> None:
    """Give a row the units, labels, commanders and deadline of its clause."""
    row.lead_raw, row.support_raw = clause.lead_raw, clause.support_raw
    row.lead, row.support = split_units(clause.lead_raw), split_units(clause.support_raw)
    row.lead_label, row.support_label = clause.lead_label, clause.support_label
    row.commanders = list(clause.commanders)
    row.deadline = clause.deadline or row.deadline


def _tasks_in(text: str, clauses: list[Clause]) -> list[tuple[str | None, str, Clause]]:
    """The tasks of a paragraph: (number, text, clause) for each clause naming units.

    Usually a clause closes its task ("1.治理A河（甲局牵头）。2.治理B河（乙局牵头）。"),
    and words after the last clause still belong to the last task.  A paragraph
    that opens with its clause ("1.（牵头单位：A）治理A河。") gives each clause the
    words after it.  Deadline-only clauses are not task text; their deadline
    goes to the task they stand in.
    """
    units = [c for c in clauses if c.names_units]
    deadlines = [c for c in clauses if not c.names_units]

    def words(a: int, b: int) -> str:
        for d in reversed(deadlines):
            if a <= d.start and d.end <= b:
                return words(a, d.start) + words(d.end, b)
        return text[a:b]

    seq0, body0 = _split_seq(text[: units[0].start].lstrip(_LEAD_IN_PUNCT))
    prefix = not _has_words(body0) and not units[0].keeps_text and _has_words(text[units[-1].end :])
    spans = []
    if prefix:
        for k, c in enumerate(units):
            end = units[k + 1].start if k + 1 < len(units) else len(text)
            spans.append((c.end, end, c, seq0 if k == 0 else None))
    else:
        pos = 0
        for c in units:
            spans.append((pos, c.end if c.keeps_text else c.start, c, None))
            pos = c.end
    for d in deadlines:  # a deadline belongs to the clause before it (prefix form: the one that opens its task)
        owner = next((c for c in reversed(units) if c.start < d.start), units[0])
        owner.deadline = owner.deadline or d.deadline
    out = []
    for a, b, c, seq in spans:
        s, body = _split_seq(words(a, b).lstrip(_LEAD_IN_PUNCT))
        if body:
            out.append((seq or s, body, c))
    if out and not prefix:
        tail = words(units[-1].end, len(text)).strip()
        if _has_words(tail):  # words after the last clause still belong to its task
            seq, body, c = out[-1]
            out[-1] = (seq, body + tail, c)
    return out


def _only_clauses(text: str, clauses: list[Clause], units: list[Clause]) -> bool:
    """A line with no task words of its own: nothing before its first clause, nothing after its last."""
    if not clauses or _has_words(text[: clauses[0].start].strip(_LEAD_IN_PUNCT)):
        return False
    return not (units and _has_words(text[units[-1].end :]))


class _Inline:
    """Reads task paragraphs one by one.

    A line that is nothing but a clause (a bracket, or label lines such as
    "牵头单位：A" / "配合单位：B" / "完成时限：2023年底前") belongs to the task
    paragraph just above it; label lines that follow one another are one clause.
    A clause after an item's sub-measures ((1)…(4), ①…) belongs to the whole item.
    A heading that names a unit ("（二）区水务局的职责", "一、…（由县发改局牵头实施）")
    gives it to the numbered items below it that name none; an item that opens with
    a unit ("1、区住建局。排查…", "1.市市政委：负责…") is that unit's.
    """

    def __init__(self) -> None:
        self.rows: list[TaskRow] = []
        self.forms: Counter[str] = Counter()  # rows per clause form, for the layout report
        self.outline = _Outline()
        self.paragraph: tuple[Para, str | None] | None = None  # last paragraph without a clause, its section
        self.open: tuple[TaskRow, Clause] | None = None  # the row the previous line gave, its clause
        self.block: list[Para] = []  # an item and its sub-measures, none with a clause yet
        self.owner: tuple[Clause, int, TaskRow | None] | None = None  # a heading's units, its level, its own row

    def section_for(self, text: str) -> str | None:
        """The nearest heading above: the (一) level, else the 一、 level."""
        if HEADING_2.match(text):
            return self.outline.level1
        return self.outline.level2 or self.outline.level1

    def see(self, ln: Para) -> None:
        text = ln.text
        clauses = find_clauses(text)
        units = [c for c in clauses if c.names_units]
        if not units and PERSON_LINE.match(text):
            return  # 责任领导：… names people: neither units nor task text, and it ends no paragraph
        if _only_clauses(text, clauses, units):
            self.clause_line(ln, clauses)
            return
        level = numbering_level(text)
        if self.owner and level is not None and level <= self.owner[1]:
            self.owner = None
        if not units:
            self.narrative(ln, level)
            return
        self.paragraph = None
        section = self.section_for(text)
        tasks = _tasks_in(text, clauses)
        first, number = self.item_words(level, len(tasks))
        row = None
        for k, (seq, body, clause) in enumerate(tasks):
            if k == 0 and first:
                seq, body = first[0], first[1] + body
            row = _task_row(body, seq, section, ln)
            if k == 0 and number:
                row.line = number
            _apply(row, clause)
            self.rows.append(row)
            self.forms[clause.form] += 1
        self.block = []
        self.open = (row, clause) if row is not None else None
        if row is not None and len(tasks) == 1 and level is not None and _is_heading_clause(text, clauses):
            self.owner = (clause, level, row)

    def item_words(self, level: int | None, tasks: int) -> tuple[tuple[str | None, str] | None, int | None]:
        """The words of the item above when this sub-measure's clause closes the whole item."""
        if tasks != 1 or level is None or level < 4 or len(self.block) < 2:
            return None, None
        seq, body = _split_seq(self.block[0].text)
        rest = "".join(p.text for p in self.block[1:])
        return (seq, body + rest), self.block[0].number

    def narrative(self, ln: Para, level: int | None) -> None:
        """A paragraph without a clause: a heading, an item waiting for its clause, or prose."""
        text = ln.text
        self.open = None
        if (level is not None or _COLON_FIRST.match(text)) and self.unit_item(ln, level or 0):
            return
        outline_level = self.outline.see(text)
        self.paragraph = None if outline_level == 1 else (ln, self.section_for(text))
        if level is not None and level >= 4 and self.block:
            self.block.append(ln)
        else:
            self.block = [ln] if level is not None else []
        owner = heading_owner(text)
        if owner is not None and level is not None:
            self.owner = (owner, level, None)

    def unit_item(self, ln: Para, level: int) -> bool:
        """An item that opens with its unit, or a numbered item under a heading that names one."""
        seq, body = _split_seq(ln.text)
        introduces = body.rstrip().endswith((":", "："))  # "…其职责分工为：" introduces the list below
        safeguards = bool(self.outline.level1 and NON_TASK_SECTION.search(self.outline.level1))
        first = (
            None
            if introduces or safeguards
            else (unit_first(body, must=level >= 2) if level >= 2 or level == 0 and _COLON_FIRST.match(body) else None)
        )
        if first is not None:
            clause, rest = first
        elif self.owner is not None and level > self.owner[1] and seq is not None:
            clause, rest = self.owner[0], body
            heading_row = self.owner[2]
            if heading_row is not None and heading_row in self.rows:
                self.rows.remove(heading_row)  # the heading names the unit of its items; it is not a task
                self.forms[clause.form] -= 1
        else:
            return False
        row = _task_row(rest, seq, self.section_for(ln.text), ln)
        _apply(row, clause)
        self.rows.append(row)
        self.forms[clause.form] += 1
        self.paragraph, self.block = None, []
        return True

    def clause_line(self, ln: Para, clauses: list[Clause]) -> None:
        clause = clauses[0]
        if self.open is not None:
            row, before = self.open
            if clause.form == "labels" and before.form == "labels":
                clause = parse_labelled(before.inner + "；" + clause.inner) or clause
            if clause.names_units:
                _apply(row, clause)
            elif clause.deadline:
                row.deadline = clause.deadline
            row.line_end = ln.end
            row.source_text += "\n" + ln.raw
            self.open = (row, clause)
            return
        if self.paragraph is None or not clause.names_units:
            return
        para, section = self.paragraph
        first = self.block[0] if len(self.block) >= 2 and self.block[-1] is para else para
        seq, body = _split_seq(first.text)
        if seq is None and _TITLE_END.search(body):
            return  # a clause under the document's title (an excerpt that starts mid-list) has no task
        if first is not para:  # the clause after an item's sub-measures: one row for the whole item
            body += "".join(p.text for p in self.block[1:])
        row = _task_row(body, seq, section, first)
        _apply(row, clause)
        row.line_end = ln.end
        row.source_text = "\n".join(p.raw for p in (self.block if first is not para else [para])) + "\n" + ln.raw
        self.rows.append(row)
        self.forms[clause.form] += 1
        self.paragraph, self.block = None, []
        self.open = (row, clause)


# Numbering of items by depth: 一、 1, （一） 2, 1. 3, (1) 4, ① 5.
_LEVELS = (
    (re.compile(r"^[(（]\s*\d{1,3}\s*[)）]"), 4),
    (re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]"), 5),
    (re.compile(r"^\d{1,3}\s*[.．、](?!\d)"), 3),
)


def numbering_level(text: str) -> int | None:
    if HEADING_1.match(text):
        return 1
    if HEADING_2.match(text):
        return 2
    for pattern, level in _LEVELS:
        if pattern.match(text):
            return level
    return None


def _is_heading_clause(text: str, clauses: list[Clause]) -> bool:
    """A short heading whose only words besides its clause are its title (一、扩大有效投资政策（由A牵头实施）)."""
    units = [c for c in clauses if c.names_units]
    if len(units) != 1:
        return False
    _, title = _split_seq(text[: units[0].start])
    return 0 < len(title) <= 30 and "。" not in title and not _has_words(text[units[0].end :])


_OWNER = re.compile(r"^(.{2,30}?)(?:的)?(?:主要)?(?:工作)?职责(?:[。：:]|$)|^(.{2,30}?)为.{0,40}?(?:牵头|责任)单位")
_UNIT_FIRST = re.compile(r"^(.{2,30}?)[：:。]\s*(\S.*)$")
# An unnumbered duty line of a division list: 区委宣传部:制订宣传工作方案…
_COLON_FIRST = re.compile(
    r"^[^：:，,。]{2,30}[：:]\s*(?:负责|协调|做好|制订|制定|承担|督促|指导|配合|会同|参与|组织|牵头|"
    r"开展|加强|落实|推进|实施|建立|完善|抓好|监督|检查)"
)
# An item whose first words are its units, then what they must do: 区财政局负责安排资金 / 各乡(镇)政府必须依据…
_UNITS_MUST = re.compile(r"^(.{2,60}?)((?:负责|必须|要|应当|应)\S.*)$")


def _only_groups(names: str) -> bool:
    return all(re.match(r"^(?:各|相关|有关|全体|全区|全市|全县)", n) for n in split_units(names))


def heading_owner(text: str) -> Clause | None:
    """The unit a heading hands its items to: （二）区县监督中心的职责 / （一）区水务局为…的牵头单位."""
    _, body = _split_seq(text)
    m = _OWNER.match(body)
    name = m and (m.group(1) or m.group(2))
    if not name or not looks_like_units(name):
        return None
    return Clause(0, 0, text, form="unit-heading", lead_raw=name)


def unit_first(body: str, must: bool = True) -> tuple[Clause, str] | None:
    """'区住建局。排查辖区内…' / '市市政委：负责…' / '区财政局负责安排…' -> (the unit as lead, the task words)."""
    for pattern in (_UNIT_FIRST, _UNITS_MUST) if must else (_UNIT_FIRST,):
        m = pattern.match(body)
        if m and pattern is _UNITS_MUST and m.group(2).startswith("要") and _only_groups(m.group(1)):
            continue  # 各部门要…: an exhortation to everyone, not a task of named units
        if m and looks_like_units(m.group(1)) and not TASK_START.match(m.group(1)) and _has_words(m.group(2)):
            clause = Clause(0, 0, body, form="unit-first", lead_raw=m.group(1))
            together = _TOGETHER_FIRST.match(m.group(2))
            if together and looks_like_units(together.group(1)):  # 市商务局：会同市发展改革委负责…
                clause.support_raw, clause.support_label = together.group(1), "会同"
            elif pattern is _UNITS_MUST and m.group(2).startswith("负责"):
                clause.lead_raw = "、".join([m.group(1)] + _more_units_in_charge(m.group(2)))
            return clause, m.group(2)
    return None


_NEXT_IN_CHARGE = re.compile(r"。([^。，,；;：:]{2,30}?)负责")


def _more_units_in_charge(duty: str) -> list[str]:
    """'A负责城区道路清雪…。B负责城区清雪工作': a later sentence of the item that opens with
    its own unit and 负责 names another lead of the item."""
    return [
        m.group(1)
        for m in _NEXT_IN_CHARGE.finditer(duty)
        if looks_like_units(m.group(1)) and not TASK_START.match(m.group(1))
    ]


# A duty that opens with 会同X (市商务局：会同市发展改革委负责…) names X as its support.
_TOGETHER_FIRST = re.compile(r"^(?:会同|协同|联合)(.{2,30}?)(?:共同)?(?:负责|做好|开展|组织|推进|实施)")


@dataclass(frozen=True)
class Para:
    """A paragraph: one line, or lines broken inside a sentence (web and PDF copies) joined."""

    number: int  # its first line
    end: int  # its last line
    raw: str
    text: str


_OPENS_ITEM = re.compile(
    r"^\s*(?:\d{1,3}\s*[.．、]|[(（]\s*[\d一二三四五六七八九十]{1,3}\s*[)）]|[一二三四五六七八九十]+\s*[、.．]"
    r"|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]|第[一二三四五六七八九十\d]+[章条节部分]|附\s*[件表])"
)
_ENDS_SENTENCE = tuple("。！？；;!?：:)）】〕」”")


_TITLE_END = re.compile(
    r"(方案|意见|通知|计划|规划|办法|要点|决定|细则|分工|清单|任务|报告|函)(\s*[(（][^()（）]{0,40}[)）])?$"
)


def _continues(prev: Para, ln: Line) -> bool:
    """Is this line the rest of a sentence broken at the end of the line above?"""
    t = ln.text
    if prev.text.endswith(_ENDS_SENTENCE) or len(prev.text) < 8 or ln.tabbed or _TITLE_END.search(prev.text):
        return False
    if HEADING_1.match(prev.text) or HEADING_2.match(prev.text) or _OPENS_ITEM.match(t):
        return False
    return not (LABEL_RE.match(t) or PERSON_LINE.match(t) or ATTACHMENT.match(t))


def paragraphs(lines: list[Line], skip: set[int]) -> list[Para | None]:
    """The paragraphs outside tables, in order; None where a table stands."""
    out: list[Para | None] = []
    prev_idx = -2
    for idx, ln in enumerate(lines):
        if idx in skip:
            if out and out[-1] is not None:
                out.append(None)
            continue
        if not ln.text:
            continue
        prev = out[-1] if out else None
        if prev is not None and prev_idx == idx - 1 and _continues(prev, ln):
            out[-1] = Para(prev.number, ln.number, prev.raw + "\n" + ln.raw, prev.text + ln.text)
        else:
            out.append(Para(ln.number, ln.number, ln.raw, ln.text))
        prev_idx = idx
    return out


def inline_tasks(lines: list[Line], skip: set[int]) -> tuple[list[TaskRow], Counter[str]]:
    """Task paragraphs with a unit clause (see ``clauses``); several clauses in one paragraph are several tasks.

    Returns the rows and how many came from each clause form.
    """
    reader = _Inline()
    for para in paragraphs(lines, skip):
        if para is None:
            reader.paragraph = reader.open = reader.owner = None
            reader.block = []
        else:
            reader.see(para)
    return reader.rows, reader.forms


# Top-level sections that never hold tasks.
NON_TASK_SECTION = re.compile(
    r"(总体要求|总体思路|指导思想|基本原则|工作原则|主要目标|工作目标|发展目标|总体目标|目标要求|建设目标|整治目标"
    r"|保障措施|保障机制|组织保障|组织实施|组织领导|工作要求|实施步骤|工作步骤|进度安排|时间安排|附则|基本情况|现状|形势)"
)


def numbered_tasks(lines: list[Line], skip: set[int]) -> list[TaskRow]:
    """Numbered items of the task section, for documents that name no units.

    The task section is the one headed 重点任务 / 主要任务 ...; a document with no
    such heading has its tasks in every top-level section that is not about
    aims, principles or safeguards (二、推进产业转型 三、…).
    """
    head = [ln.text for ln in lines if ln.text][:3]
    if any(_NOT_A_PLAN.search(t) for t in head):
        return []
    return (
        _numbered(lines, skip, lambda h: bool(TASK_SECTION.search(h)))
        or _numbered(lines, skip, lambda h: not NON_TASK_SECTION.search(h))
        or _list_without_sections(lines, skip)
    )


# A reply to a proposal: its numbered parts tell what was done, not tasks to do.
_NOT_A_PLAN = re.compile(r"(复函|答复|的回复|建议的办理|提案的办理)")


def _list_without_sections(lines: list[Line], skip: set[int]) -> list[TaskRow]:
    """A document with no top-level heading at all (a list of 实事, a 工作要点 under its title): its
    items numbered 1. 2. 3. … in order (at least three), else （一）（二）… (at least two), are its
    tasks.  The next number is an item even when a figure follows it (2.50个小区…)."""
    if any(HEADING_1.match(ln.text) for k, ln in enumerate(lines) if k not in skip):
        return []
    for pattern, least in ((_NEXT_ITEM, 3), (_NEXT_SECTION, 2)):
        rows = _items_in_order(lines, skip, pattern)
        if len(rows) >= least:
            return rows
    return []


def _items_in_order(lines: list[Line], skip: set[int], pattern: re.Pattern) -> list[TaskRow]:
    rows: list[TaskRow] = []
    for k, ln in enumerate(lines):
        m = pattern.match(ln.text)
        if k in skip or not m or _item_number(m.group(1)) != len(rows) + 1 or not ln.text[m.end() :].strip():
            if rows and k not in skip and _MEASURE_LINE.match(ln.text) and (rows[-1].line_end or 0) >= ln.number - 2:
                _add_measure(rows[-1], ln)
            continue
        body = ln.text[m.end() :].strip()
        rows.append(
            TaskRow(
                part="numbered",
                text=body,
                seq=m.group(1),
                category=first_sentence(body),
                line=ln.number,
                line_end=ln.number,
                source_text=ln.raw,
            )
        )
    return rows


# A measure line under a numbered problem (整改措施：由县住建局督促商户更换。) belongs to it;
# 由X督促 / 由X负责… names the unit that carries it out.
_MEASURE_LINE = re.compile(r"^[\u4e00-\u9fff]{0,4}(?:措施|要求|意见|办法)\s*[:：]")
_BY_UNIT = re.compile(
    r"由(?:[\u4e00-\u9fff]{0,4}单位)?([^，,。；;由]{2,30}?)"
    r"(?:督促|负责|牵头|组织|落实|开展|实施|协调|进行|抓好|做好|加强|整改|处理|清理)"
)


def _add_measure(row: TaskRow, ln: Line) -> None:
    row.text += "\n" + ln.text
    row.line_end = ln.number
    row.source_text += "\n" + ln.raw
    m = _BY_UNIT.search(ln.text)
    if m and not row.lead and looks_like_units(m.group(1)):
        row.lead, row.lead_raw, row.lead_label = split_units(m.group(1)), m.group(1), "由…负责"


def _item_number(seq: str) -> int:
    return int(seq) if seq.isdigit() else "一二三四五六七八九十".find(seq) + 1 if len(seq) == 1 else 0


_NEXT_SECTION = re.compile(r"^[(（]\s*([一二三四五六七八九十])\s*[)）]")
_NEXT_ITEM = re.compile(r"^(\d{1,3})\s*[.．、]")


def _numbered(lines: list[Line], skip: set[int], is_task_section, in_tasks: bool = False) -> list[TaskRow]:
    items_3: list[TaskRow] = []
    items_2: list[TaskRow] = []
    outline = _Outline()
    for idx, ln in enumerate(lines):
        if idx in skip or not ln.text:
            continue
        text = ln.text
        level = outline.see(text)
        if level == 1:
            in_tasks = is_task_section(outline.level1 or "")
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
            section=outline.level1 if level == 2 else (outline.level2 or outline.level1),
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


def task_sections(lines: list[Line], skip: set[int]) -> list[tuple[int, str]]:
    """The task-section headings of a document: (line number, heading)."""
    found = []
    for idx, ln in enumerate(lines):
        if idx not in skip and HEADING_1.match(ln.text) and TASK_SECTION.search(first_sentence(ln.text)):
            found.append((ln.number, _heading_text(ln.text)))
    return found
