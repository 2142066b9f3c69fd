"""Unit clauses inside task paragraphs.

Every form may use half- or full-width punctuation, round or square brackets:

* labelled, in brackets:  (指挥长:汤宗伟;副指挥长:张利志;牵头单位:规划分局、运行局;责任单位:城管局)
                          （牵头部门：A；协办单位：B、C；完成时限：2023年底前）
* labelled, unbracketed, ending the paragraph (its values must open with a unit
  name) or on a line of its own (a label line, read as it stands):
                          ……。责任单位：A、B，各镇街。     牵头单位：A；配合单位：B
* role sentences in brackets:  （区城市管理局牵头，区生态环境局配合）  （A负责）
                          [市水务局牵头,市工信委、城乡建设局配合,各县(市)区政府负责落实。…]
* plain role sentences:   ……。由区生态环境局牵头，区水利局、区农业农村委配合。

X牵头 is the lead, Y配合 / Y参与 / Y协助 the support, Z负责落实 the support, a lone
X负责 the lead (beside X牵头, Y负责 is a supporting duty).

A plain (unbracketed) sentence counts only when the *whole sentence* is role
assignments: "由A牵头，B配合。" is a clause, but "A牵头制定工作方案" or
"A牵头，会同有关部门开展评估" are narrative (保障措施 sections are full of them)
and are not.  A labelled clause without brackets counts only when it starts
a line (a label line), or starts a sentence with values that open with a unit
name.  【牵头单位】A is read like 牵头单位：A.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whodoes.build.parse.markers import (
    COMMANDER_LABELS,
    DEADLINE_LABELS,
    DIVISION_LABELS,
    LABEL_RE,
    LEAD_MARKS,
    PERSON_LABELS,
    UNIT_LABELS,
    assign_roles,
    close_gaps,
    is_none_cell,
    looks_like_units,
    split_pieces,
)

OPEN = "(（[【〔"
CLOSE = ")）]】〕"
_DUTY = r"按照?职责分工负责|按照?职责负责|按照?职能职责负责|分别负责|共同负责"  # all mean 负责


@dataclass
class Clause:
    start: int  # where the clause starts in the paragraph (its opening bracket, if any)
    end: int  # index after the clause
    raw: str
    form: str = "labels"  # labels | sentence (bracketed role sentence) | plain (unbracketed role sentence)
    lead_raw: str | None = None
    support_raw: str | None = None
    lead_label: str | None = None
    support_label: str | None = None
    commanders: list[str] = field(default_factory=list)
    deadline: str | None = None
    inner: str = ""  # the labelled text, so that label lines of one task can be read together

    @property
    def names_units(self) -> bool:
        return bool(self.lead_raw or self.support_raw)

    @property
    def keeps_text(self) -> bool:
        """A plain role sentence stays in the task text (it is part of the paragraph's prose)."""
        return self.form == "plain"


_BRACKETS = re.compile(r"[(（\[【〔)）\]】〕]")


def bracket_groups(text: str) -> list[tuple[int, int]]:
    """Top-level bracket groups as (start, end) spans; unbalanced brackets are skipped."""
    spans, stack = [], []
    for m in _BRACKETS.finditer(text):
        i, ch = m.start(), m.group()
        if ch in OPEN:
            stack.append(i)
        elif ch in CLOSE and stack:
            start = stack.pop()
            if not stack:
                spans.append((start, i + 1))
    return spans


def _join(values: list[str]) -> str | None:
    values = [v for v in values if v]
    return "、".join(values) if values else None


# --- labelled clauses ----------------------------------------------------------


# '责任单位：区级有关部门按职责分工负责' names the units, then their duty; the duty may also
# end one part of the value ('A、B等部门按职责分工负责，各区县政府').
_DUTY_TAIL = re.compile(rf"(?<=[^：:])(?:(?:{_DUTY})(?=[,，;；])|(?:{_DUTY}|负责)$)")


def parse_labelled(inner: str) -> Clause | None:
    """'牵头单位：A；配合单位：B；完成时限：…' -> a clause; None when no label is found."""
    matches = list(LABEL_RE.finditer(inner))
    if not matches:
        return None
    fields: list[tuple[str, str]] = []
    for m, nxt in zip(matches, matches[1:] + [None]):
        value = inner[m.end() : nxt.start() if nxt else len(inner)]
        value = _first_sentence(value)  # what follows 。 is a note (以下各项均需…落实，不再列出)
        fields.append((m.group(1), value.strip().strip(";；,，。 ")))
    unit_fields = [
        _leads_each(k, "" if is_none_cell(v) else _DUTY_TAIL.sub("", v)) for k, v in fields if k in UNIT_LABELS
    ]
    for k, v in fields:
        if k in DIVISION_LABELS:
            unit_fields += _division(v)
    clause = Clause(0, 0, inner, inner=inner)
    roles = assign_roles([k for k, _ in unit_fields])
    leads = [(k, v) for k, v in unit_fields if roles.get(k) == "lead"]
    supports = [(k, v) for k, v in unit_fields if roles.get(k) == "support"]
    clause.lead_raw = _join([v for _, v in leads])
    clause.support_raw = _join([v for _, v in supports])
    clause.lead_label = leads[0][0] if leads else None
    clause.support_label = supports[0][0] if supports else None
    for k, v in fields:
        if k in COMMANDER_LABELS:
            clause.commanders += [p.strip() for p in split_pieces(v) if p.strip()]
        elif k in DEADLINE_LABELS and v:
            clause.deadline = v
    if not unit_fields and clause.deadline is None:
        return None
    return clause


_EACH_LEADS = re.compile(r"(?<=[^：:])(?:分别|共同)?牵头$")


def _leads_each(label: str, value: str) -> tuple[str, str]:
    """'责任单位：A、B分别牵头' -> ('牵头', 'A、B'): the value says its units lead."""
    if _EACH_LEADS.search(value):
        return "牵头", _EACH_LEADS.sub("", value)
    return label, value


def _first_sentence(value: str) -> str:
    """A value up to its first 。 outside brackets."""
    depth = 0
    for i, ch in enumerate(value):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
        elif ch == "。" and depth == 0 and value[i + 1 :].strip():
            return value[:i]
    return value


def _division(value: str) -> list[tuple[str, str]]:
    """'部门分工：A牵头，B、C配合' -> [(牵头, A), (配合, B、C)] (a lone 'A' or 'A负责' is the lead)."""
    roles = parse_sentences(value)
    if roles is None:
        return [("责任单位", value)] if value and looks_like_units(value) else []
    out = []
    if roles.lead_raw:
        out.append((roles.lead_label if roles.lead_label in UNIT_LABELS else "牵头", roles.lead_raw))
    if roles.support_raw:
        out.append((roles.support_label if roles.support_label in UNIT_LABELS else "配合", roles.support_raw))
    return out


def _units_ok(clause: Clause) -> bool:
    return all(not v or looks_like_units(v) for v in (clause.lead_raw, clause.support_raw))


def _starts_with_unit(clause: Clause) -> bool:
    """Each value opens with a unit name (the rest may be groups we cannot check: 全区经济运行各专班)."""
    for v in (clause.lead_raw, clause.support_raw):
        pieces = [p for p in split_pieces(v or "") if p.strip()]
        if pieces and not looks_like_units(pieces[0]):
            return False
    return True


_SENTENCE_START = "。；;！!？?"


def trailing_labelled(text: str, spans: list[tuple[int, int]]) -> Clause | None:
    """An unbracketed labelled clause that starts a sentence and runs to the end of the paragraph."""
    for m in LABEL_RE.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        before = text[: m.start()].rstrip()
        if before and before[-1] not in _SENTENCE_START + ",，":
            continue  # '农村道路畅通工程，牵头部门：市交通局。' (a label after the item's name) counts too
        if m.group(1) in PERSON_LABELS:
            continue
        inner = text[m.start() :]
        clause = parse_labelled(inner)
        # a line that opens with a label is a label line; after a sentence, the values must read as units
        if clause is None or before and not _starts_with_unit(clause):
            return None
        clause.start, clause.end, clause.raw = m.start(), len(text), inner
        return clause
    return None


# --- role sentences ------------------------------------------------------------

_VERB = re.compile(
    r"^(.*?)(牵头负责|负责牵头|为牵头单位|牵头实施|牵头推进|牵头落实|牵头组织|分别牵头|牵头|主办|负责落实|具体落实|抓好落实|组织落实|承办|为配合单位|配合|参与|协助|协同|协办|落实|"
    rf"{_DUTY}|为责任单位|负责)$"
)
_ROLE_OF_VERB = {
    "牵头": "lead",
    "牵头负责": "lead",
    "牵头实施": "lead",
    "牵头推进": "lead",
    "牵头落实": "lead",
    "牵头组织": "lead",
    "分别牵头": "lead",
    "负责牵头": "lead",
    "为牵头单位": "lead",
    "主办": "lead",
    "负责": "lead",
    "为责任单位": "lead",
    "配合": "support",
    "参与": "support",
    "协助": "support",
    "协同": "support",
    "协办": "support",
    "为配合单位": "support",
    "负责落实": "support",
    "具体落实": "support",
    "抓好落实": "support",
    "组织落实": "support",
    "落实": "support",
    "会同": "support",
    "承办": "lead",
}
_LEAD_VERBS = (
    "牵头",
    "牵头负责",
    "负责牵头",
    "为牵头单位",
    "主办",
    "牵头实施",
    "牵头推进",
    "牵头落实",
    "牵头组织",
    "分别牵头",
)
_LABEL_OF_VERB = {
    "牵头负责": "牵头",
    "负责牵头": "牵头",
    "牵头实施": "牵头",
    "牵头推进": "牵头",
    "牵头落实": "牵头",
    "牵头组织": "牵头",
    "分别牵头": "牵头",
    "为牵头单位": "牵头单位",
    "为配合单位": "配合单位",
    "为责任单位": "责任单位",
}


_PERSON_DUTY = re.compile(r"^(?:由|请)?[\u4e00-\u9fff、，,]{1,16}同志(?:负责|牵头|分管|主抓|联系)?$")
_TOGETHER = re.compile(r"^(.+?)(?:会同|联合|协调)(.+?)(?:共同)?(?:负责|牵头|实施|推进|落实|组织实施|负责落实)?$")


_TIME_NOTE = re.compile(
    r"^(?:\d{4}年|年内|年底|今年|全年|[一二三四]?季度|持续|长期|常态|逐步|分步|按期|按时|\d{1,2}月)"
)


def _verb(word: str) -> str:
    """按职责分工负责 / 分别负责 ... are 负责."""
    return "负责" if re.fullmatch(_DUTY, word) else word


def _segments(body: str) -> list[str]:
    """Split on ， , ； ; outside parentheses (、 stays inside a segment: 'A、B配合')."""
    return [s.strip() for s in split_pieces(body, "，,；;") if s.strip()]


def _is_units(text: str) -> bool:
    return bool(text) and looks_like_units(text) and not any(p.strip() in UNIT_LABELS for p in split_pieces(text))


def parse_roles(body: str) -> Clause | None:
    """'由A牵头，B、C配合，D负责落实' -> lead A, support B、C、D.

    Every segment must be units followed by a role verb; a segment of units
    alone ('A牵头，B，C、D配合') belongs to the verb that follows it.
    """
    pairs: list[tuple[str, str]] = []  # (units, verb)
    pending: list[str] = []
    for seg in _segments(body):
        seg = re.sub(r"^(?:此项工作|该项工作|本项工作|上述工作|以上工作|具体)?由", "", seg)
        if _PERSON_DUTY.match(seg):
            continue  # 由小军同志负责 / 请奇帆、家农同志负责: people, not units
        together = _TOGETHER.match(seg)
        if together and _is_units(together.group(1)) and _is_units(together.group(2)):
            pairs += [(together.group(1), "牵头"), (together.group(2), "会同")]  # 由A会同B、C负责
            continue
        m = _VERB.match(seg)
        if m and _is_units(m.group(1)):
            pairs.append(("、".join(pending + [m.group(1)]), _verb(m.group(2))))
            pending = []
        elif _is_units(seg):
            pending.append(seg)
        elif pairs and _TIME_NOTE.search(seg):
            continue  # (A分别负责，年内持续推进): a note on time, not units
        else:
            return None
    if pending or not pairs:
        return None
    has_lead_verb = any(v in _LEAD_VERBS for _, v in pairs)
    lead: list[tuple[str, str]] = []
    support: list[tuple[str, str]] = []
    for units, verb in pairs:
        role = _ROLE_OF_VERB[verb]
        if has_lead_verb and role == "lead" and verb not in _LEAD_VERBS:
            role = "support"  # "A负责" beside "B牵头" is a supporting duty, like 负责落实
        (lead if role == "lead" else support).append((units, verb))
    clause = Clause(0, 0, body, form="sentence")
    clause.lead_raw = _join([u for u, _ in lead])
    clause.support_raw = _join([u for u, _ in support])
    if lead:
        clause.lead_label = _LABEL_OF_VERB.get(lead[0][1], lead[0][1])
    if support:
        clause.support_label = _LABEL_OF_VERB.get(support[0][1], support[0][1])
    return clause


def parse_sentences(inner: str) -> Clause | None:
    """A bracket holding role sentences: its first sentence must be roles; what follows
    (a note such as '2023年底前完成' or '…') is ignored."""
    body = re.sub(r"[…]+", "", inner).strip()
    sentences = [s for s in re.split(r"[。.]", body) if s.strip()]
    for k in range(len(sentences), 0, -1):
        clause = parse_roles("，".join(sentences[:k]))
        if clause:
            return clause
    return None


_ENDS_IN_ROLE = re.compile(
    r"(牵头|负责|配合|参与|协助|协同|协办|落实|主办|承办|单位)\s*$"
)  # a quick test before parsing
_SENTENCE_MARKS = re.compile(r"[(（\[【〔)）\]】〕。；;！!]")


def plain_sentences(text: str, spans: list[tuple[int, int]]) -> list[Clause]:
    """Unbracketed sentences that are nothing but role assignments.

    Sentences end at 。 ！ ； (outside brackets); role sentences that follow one
    another ("由A负责；B配合。") are one clause.
    """
    found: list[Clause] = []
    start, depth = 0, 0
    for m in _SENTENCE_MARKS.finditer(text + "。"):
        i, ch = m.start(), m.group()
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
        if ch not in "。；;！!" or depth:
            continue
        sentence = text[start:i]
        s0 = start + len(sentence) - len(sentence.lstrip())
        if _ENDS_IN_ROLE.search(sentence) and not any(a < i and s0 < b for a, b in spans):
            clause = parse_roles(sentence.strip())
            k = max(sentence.rfind("，由"), sentence.rfind(",由"))
            if clause is None and k > 0:  # 推进河道整治，由A会同B负责: the words after 由 assign the task
                clause = parse_roles(sentence[k + 1 :].strip())
                s0 = start + k + 1 if clause and clause.lead_raw else s0
                clause = clause if clause and clause.lead_raw else None
            if clause and found and found[-1].end == s0:
                clause = parse_roles(text[found[-1].start : i]) or clause
                s0 = found.pop().start
            if clause:
                clause.form = "plain"
                clause.start, clause.end, clause.raw = s0, min(i + 1, len(text)), text[s0 : i + 1]
                found.append(clause)
        start = i + 1
    return found


# --- all clauses of a paragraph ------------------------------------------------


_ROLE_WORD = re.compile(r"牵头|负责|配合|参与|协助|协同|协办|落实|主办|承办|单位")
_BOXED_LABEL = re.compile(r"【(" + "|".join(UNIT_LABELS + DEADLINE_LABELS) + r")】")


def _unbox_labels(text: str) -> str:
    """'【牵头单位】A' -> ' 牵头单位：A' (same length, so positions stay those of the paragraph)."""
    return _BOXED_LABEL.sub(lambda m: " " + m.group(1) + "：", text)


def find_clauses(text: str) -> list[Clause]:
    """Every clause of a paragraph that assigns units (or, for label lines, gives a deadline), in order."""
    found = []
    text = _unbox_labels(text)
    spans = bracket_groups(text)
    for start, end in spans:
        inner = close_gaps(text[start + 1 : end - 1])
        clause = parse_labelled(inner) or parse_sentences(inner)
        if clause and (clause.names_units or clause.deadline):
            clause.start, clause.end, clause.raw = start, end, text[start:end]
            found.append(clause)
    trailing = trailing_labelled(text, spans)
    if trailing:
        found = [c for c in found if c.end <= trailing.start] + [trailing]
    bracketed = [(c.start, c.end) for c in found]
    if _ROLE_WORD.search(text):
        found += plain_sentences(text[: trailing.start] if trailing else text, bracketed)
    return sorted(found, key=lambda c: c.start)


# --- roles written inside one unit cell -----------------------------------------

_LEAD_MARK = re.compile(r"(?<!\s)\s*[(（]\s*(?:牵头|牵头单位|牵头部门)\s*[)）]\s*$")  # (?<!\s): linear on long blanks


_OTHER_LEVEL = ("省", "国家", "中央", "部", "省级", "国家级")


def roles_in_cell(cell: str) -> tuple[str, str | None, str | None] | None:
    """(lead, support, support label) of a unit cell that states roles itself, else None.

    "A（牵头）、B、C" -> A leads, B and C support; "牵头单位：A；配合单位：B" and
    "A牵头，B配合" are read as clauses.  A cell that names its units without roles gives None.
    """
    label = LABEL_RE.search(cell)
    if label:
        if cell[: label.start()].strip() in _OTHER_LEVEL:
            return None  # 省牵头单位：… names the lead of the task one level up, not this row's units
        clause = parse_labelled(cell)
        if clause and clause.names_units and _units_ok(clause):
            return clause.lead_raw or "", clause.support_raw, clause.support_label
        return None
    pieces = [p.strip() for p in split_pieces(cell) if p.strip()]
    starred = [p for p in pieces if p[:1] in LEAD_MARKS or p[-1:] in LEAD_MARKS]
    if starred:  # ★A、B / A*、B: the marked unit leads, the others support
        lead = "、".join(p.strip(LEAD_MARKS) for p in starred)
        support = "、".join(p for p in pieces if p not in starred)
        return lead, support or None, None
    marked = [p for p in pieces if _LEAD_MARK.search(p)]
    if marked:
        lead = "、".join(_LEAD_MARK.sub("", p) for p in marked)
        support = "、".join(p for p in pieces if p not in marked)
        return lead, support or None, None
    if re.search(r"牵头|配合|负责", cell):
        clause = parse_roles(cell.rstrip("。. "))
        if clause and clause.lead_raw and clause.support_raw:
            return clause.lead_raw, clause.support_raw, clause.support_label
    return None
