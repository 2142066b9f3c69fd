"""Unit clauses inside task paragraphs.

Two forms, both in half- or full-width punctuation, in round or square brackets:

* labelled:  (指挥长:汤宗伟;副指挥长:张利志;牵头单位:规划分局、运行局;责任单位:城管局)
             （牵头部门：A；协办单位：B、C）
* sentences: （区城市管理局牵头，区生态环境局配合）
             [市水务局牵头,市工信委、城乡建设局配合,各县(市)区政府负责落实。…]
             （A负责）

X牵头 is the lead, Y配合 / Y参与 / Y协助 the support, Z负责落实 the support, a lone
X负责 the lead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whodoes.parse.markers import (
    COMMANDER_LABELS,
    LABEL_RE,
    assign_roles,
    looks_like_units,
    split_pieces,
)

OPEN = "(（[【"
CLOSE = ")）]】"


@dataclass
class Clause:
    start: int  # index of the opening bracket in the paragraph
    end: int  # index after the closing bracket
    raw: str
    lead_raw: str | None = None
    support_raw: str | None = None
    lead_label: str | None = None
    support_label: str | None = None
    commanders: list[str] = field(default_factory=list)


def bracket_groups(text: str) -> list[tuple[int, int]]:
    """Top-level bracket groups as (start, end) spans; unbalanced brackets are skipped."""
    spans, stack = [], []
    for i, ch in enumerate(text):
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


def parse_labelled(inner: str) -> Clause | None:
    matches = list(LABEL_RE.finditer(inner))
    if not matches:
        return None
    fields: list[tuple[str, str]] = []
    for m, nxt in zip(matches, matches[1:] + [None]):
        value = inner[m.end(): nxt.start() if nxt else len(inner)]
        fields.append((m.group(1), value.strip().strip(";；,，。 ")))
    unit_fields = [(k, v) for k, v in fields if k not in COMMANDER_LABELS]
    if not unit_fields:
        return None
    roles = assign_roles([k for k, _ in unit_fields])
    clause = Clause(0, 0, inner)
    leads = [(k, v) for k, v in unit_fields if roles.get(k) == "lead"]
    supports = [(k, v) for k, v in unit_fields if roles.get(k) == "support"]
    clause.lead_raw = _join([v for _, v in leads])
    clause.support_raw = _join([v for _, v in supports])
    clause.lead_label = leads[0][0] if leads else None
    clause.support_label = supports[0][0] if supports else None
    for k, v in fields:
        if k in COMMANDER_LABELS:
            clause.commanders += [p.strip() for p in split_pieces(v) if p.strip()]
    return clause


_VERB = re.compile(r"^(.*?)(牵头负责|牵头|负责落实|具体落实|配合|参与|协助|协同|负责)$")
_ROLE_OF_VERB = {
    "牵头": "lead", "牵头负责": "lead", "负责": "lead",
    "配合": "support", "参与": "support", "协助": "support", "协同": "support",
    "负责落实": "support", "具体落实": "support",
}


def parse_sentences(inner: str) -> Clause | None:
    """'A牵头，B、C配合，D负责落实' -> lead A, support B、C、D; every segment must be units + verb."""
    body = re.sub(r"[。.…]+$", "", inner.strip()).rstrip("…。. ")
    segments = [s.strip() for s in re.split(r"[，,；;。]", body) if s.strip()]
    # 'A、B负责落实' keeps its 、 inside a segment; segments are split on the stronger separators.
    if not segments:
        return None
    lead, support, verbs = [], [], []
    for seg in segments:
        m = _VERB.match(seg)
        if not m or not m.group(1) or not looks_like_units(m.group(1)):
            return None
        verbs.append(m.group(2))
        (lead if _ROLE_OF_VERB[m.group(2)] == "lead" else support).append(m.group(1))
    # "A负责" beside "B牵头" is a supporting duty, like 负责落实.
    if any(v in ("牵头", "牵头负责") for v in verbs):
        lead2, support2 = [], list(support)
        for seg, v in zip(segments, verbs):
            units = _VERB.match(seg).group(1)
            if v == "负责":
                support2.append(units)
            elif _ROLE_OF_VERB[v] == "lead":
                lead2.append(units)
        lead, support = lead2, support2
    clause = Clause(0, 0, inner)
    clause.lead_raw = _join(lead)
    clause.support_raw = _join(support)
    clause.lead_label = "牵头" if any(v.startswith("牵头") for v in verbs) else ("负责" if lead else None)
    clause.support_label = next((v for v in verbs if _ROLE_OF_VERB[v] == "support"), None)
    if clause.support_label is None and support:
        clause.support_label = "负责"
    return clause


def find_clauses(text: str) -> list[Clause]:
    """Every bracket group of a paragraph that assigns units, in order."""
    found = []
    for start, end in bracket_groups(text):
        inner = text[start + 1: end - 1]
        clause = parse_labelled(inner) or parse_sentences(inner)
        if clause and (clause.lead_raw or clause.support_raw):
            clause.start, clause.end, clause.raw = start, end, text[start:end]
            found.append(clause)
    return found
