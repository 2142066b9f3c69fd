"""The markers layouts are recognised by: role labels, column headers, headings, unit names.

Everything here is generic vocabulary of Chinese government plans; nothing
names a particular document.
"""

from __future__ import annotations

import re

# --- role labels -----------------------------------------------------------
LEAD_LABELS = (
    "牵头单位", "牵头部门", "主办单位", "主责单位", "主责部门", "牵头领导单位", "牵头责任单位", "主要责任单位",
    "牵头处室", "牵头科室", "牵头",
)
SUPPORT_LABELS = (
    "配合单位", "配合部门", "协办单位", "协办部门", "协助单位", "参与单位", "参与部门",
    "协同单位", "参加单位", "协作单位", "协同部门", "协作部门", "配合责任单位", "配合处室", "配合", "协办",
)
# 责任单位 is the lead unless a lead label stands beside it (SCHEMA.md, "Roles").
DUAL_LABELS = ("责任单位", "责任部门", "承办单位", "实施单位", "责任主体", "落实单位", "责任处室", "责任科室")
COMMANDER_LABELS = ("副指挥长", "指挥长")
# Labels of a clause that name people or a date, not units: read (deadline) or skipped.
DEADLINE_LABELS = ("完成时限", "完成时间", "时间节点", "时限要求", "完成期限", "时间要求")
PERSON_LABELS = ("牵头领导", "责任领导", "分管领导", "牵头市领导", "牵头区领导", "牵头县领导", "责任人", "联系人")
UNIT_LABELS = LEAD_LABELS + SUPPORT_LABELS + DUAL_LABELS

LABEL_RE = re.compile(
    "("
    + "|".join(sorted(UNIT_LABELS + COMMANDER_LABELS + DEADLINE_LABELS + PERSON_LABELS, key=len, reverse=True))
    + r")\s*[:：]"
)


def assign_roles(labels: list[str]) -> dict[str, str]:
    """Map the unit labels of one clause or table header to "lead" / "support"."""
    has_lead = any(label in LEAD_LABELS for label in labels)
    roles = {}
    for label in labels:
        if label in LEAD_LABELS:
            roles[label] = "lead"
        elif label in SUPPORT_LABELS:
            roles[label] = "support"
        elif label in DUAL_LABELS:
            roles[label] = "support" if has_lead else "lead"
    return roles


# --- headings --------------------------------------------------------------
CN_NUM = "一二三四五六七八九十百零〇"
HEADING_1 = re.compile(rf"^(?:第[{CN_NUM}\d]+[章部分篇]\s*|[{CN_NUM}]+\s*[、.．]\s*)(\S.*)$")
HEADING_2 = re.compile(rf"^[(（]\s*([{CN_NUM}]+)\s*[)）]\s*(\S.*)$")
NUMBERED = re.compile(r"^(\d{1,3})\s*[.．、]\s*(?!\d)(\S.*)$")
ATTACHMENT = re.compile(rf"^附\s*[件表]\s*[\d{CN_NUM}]*\s*[:：]?")


def heading_level(text: str) -> int | None:
    """1 for 一、/第一章, 2 for (一), 3 for 1. — else None."""
    if HEADING_1.match(text):
        return 1
    if HEADING_2.match(text):
        return 2
    if NUMBERED.match(text):
        return 3
    return None


def first_sentence(text: str, limit: int = 60) -> str:
    """The short name of a paragraph: its words before the first 。 (or the whole line)."""
    head = re.split(r"[。]", text, maxsplit=1)[0].strip()
    return head[:limit].rstrip("，,;；:： ")


# --- table headers ------------------------------------------------------------
SEQ_HEADERS = {"序号", "编号", "序"}
CATEGORY_HEADERS = {
    "工程类别", "类别", "项目类别", "任务类别", "分类", "领域", "重点领域", "工作领域", "措施",
    "主要措施", "类型", "板块", "专项", "工作类别", "重点方向",
}
TASK_HEADERS = {
    "工作任务", "主要内容", "重点任务", "任务", "具体任务", "工作内容", "任务内容",
    "主要任务", "工作措施", "具体措施", "内容", "任务名称", "重点工作", "主要工作",
    "工作事项", "事项", "具体工作", "工作要求", "任务分工", "项目名称", "建设内容", "项目",
    "重点任务及措施", "工作举措", "主要举措", "具体举措", "重点举措", "任务措施", "改革任务", "工作重点",
    "整治任务", "整改措施", "整改任务", "重点项目", "建设任务", "任务要求", "具体内容",
}
# Columns that hold the task only when the table has no task column of its own;
# beside one (重点任务 | 工作目标) they are detail.
SECONDARY_TASK_HEADERS = {
    "工作目标", "目标任务", "目标", "预期目标", "指标", "指标名称", "主要指标", "具体指标", "考核指标",
    "预期成效", "工作成效", "预期成果",
}
# A header cell spanning the per-year columns of a second header line (年度目标: 2023年 | 2024年 ...).
YEAR_GROUP_HEADERS = {"年度目标", "年度任务", "分年度目标", "分年度任务", "年度安排", "年度计划", "进度安排",
                      "时间安排", "年度工作目标", "年度目标任务", "分年度推进计划", "年度推进计划"}
DEADLINE_HEADERS = {
    "完成时限", "时间节点", "完成时间", "时限", "时间安排", "进度安排", "完成时限要求", "时限要求", "完成期限",
    "时间进度", "推进时限", "时间要求", "完成时间节点", "整改时限", "整改期限", "办结时限", "完成节点", "时间",
}
# Columns that are neither task, unit nor date: their cells are kept as detail.
OTHER_HEADERS = {
    "问题", "存在问题", "主要问题", "问题描述", "问题清单", "考核方式", "验收标准", "成果形式", "进展情况",
    "完成情况", "工作进展", "资金来源", "总投资", "投资", "建设地点", "建设规模", "建设年限", "建设性质",
    "责任人", "联系人", "政策依据", "依据",
}
NOTE_HEADERS = {"备注", "说明"}
YEAR_HEADER = re.compile(
    r"^((?:19|20)\d\d)\s*年?\s*度?\s*(?:任务|目标|工作任务|工作目标|计划|进度|目标任务|工作安排|重点任务)?$"
)
_HEADER_NOISE = re.compile(r"[\s*|]+")
_HEADER_PAREN = re.compile(r"[(（][^()（）]*[)）]$")  # no bracket inside: linear (80 KB of "(" took 23 s)


def header_word(cell: str) -> str:
    """A header cell as a bare word: no spaces, no markdown bold, no trailing (部门) / (年月)."""
    return _HEADER_NOISE.sub("", cell)


def header_kind(cell: str) -> tuple[str, str | None] | None:
    """Classify one header cell: (kind, extra).

    kind: seq | category | task | task2 (a task column only when there is no other) | year | yeargroup
    (a cell spanning per-year columns) | lead | support | dual | deadline | note; extra: the year, or the label.
    """
    word = header_word(cell)
    if not word:
        return None
    kind = _header_kind(word)
    if kind is None and _HEADER_PAREN.search(word):
        kind = _header_kind(_HEADER_PAREN.sub("", word))  # 牵头单位（部门）, 完成时限（年月）
    return kind


def _header_kind(word: str) -> tuple[str, str | None] | None:
    if word in SEQ_HEADERS:
        return ("seq", None)
    if word in LEAD_LABELS:
        return ("lead", word)
    if word in SUPPORT_LABELS:
        return ("support", word)
    if word in DUAL_LABELS:
        return ("dual", word)
    if word in CATEGORY_HEADERS:
        return ("category", None)
    if word in TASK_HEADERS:
        return ("task", None)
    if word in SECONDARY_TASK_HEADERS:
        return ("task2", None)
    if word in YEAR_GROUP_HEADERS:
        return ("yeargroup", None)
    if word in DEADLINE_HEADERS:
        return ("deadline", None)
    if word in NOTE_HEADERS:
        return ("note", None)
    if word in OTHER_HEADERS or word.endswith(("领导", "责任人", "联系人")):
        return ("other", None)  # 牵头区领导, 责任领导: people, not units
    m = YEAR_HEADER.match(word)
    if m:
        return ("year", m.group(1))
    return None


def could_be_header(cell: str) -> bool:
    """A short column name we do not know (考核指标, 预期成效): allowed beside known ones."""
    word = header_word(cell)
    return 0 < len(word) <= 10 and not re.search(r"[。，,；;、：:\d]", word)


# A 序号 cell that numbers a section, not a task: 一 / （一） / 一、
SECTION_SEQ = re.compile(rf"^[(（]?[{CN_NUM}]+[)）]?[、.．]?$")


# --- unit names ------------------------------------------------------------
SEPARATORS = "、,，;；\n"
UNIT_SUFFIXES = (
    "局", "委", "办", "部", "室", "处", "厅", "署", "中心", "公司", "集团", "政府", "单位", "部门",
    "街道", "园区", "管委会", "委员会", "小组", "机构", "企业", "队", "所", "站", "院", "行",
    "区", "县", "市", "镇", "乡", "会", "团", "社", "馆", "组", "校", "支队", "大队", "办事处",
    "分局", "法院", "检察院", "海关", "银行", "机关", "镇街", "镇乡", "乡镇", "党委", "党组",
    "联", "协", "村", "专班",  # 妇联 / 残联 / 工商联, 科协, 各村（社区）, 工作专班
)
# Verbs that start task text but never a unit name.
_TASK_START = re.compile(
    r"^(推进|推动|加强|加快|开展|实施|建设|建立|完善|强化|落实|严格|组织|深化|提升|提高|制定|完成|"
    r"按照|积极|持续|全面|探索|打造|构建|支持|鼓励|优化|严控|引导|培育|发展|做好|规范|健全|配合|"
    r"依托|坚持|扎实|大力|着力|深入|继续|确保|促进|保障|编制|启动|巩固|筑牢|聚焦|统筹|围绕)"
)


def split_pieces(text: str, separators: str = SEPARATORS) -> list[str]:
    """Split on separators outside parentheses (a line break always splits)."""
    pieces, depth, cur = [], 0, []
    for ch in text:
        if ch in "(（[【":
            depth += 1
        elif ch in ")）]】" and depth:
            depth -= 1
        if ch == "\n" or (ch in separators and depth == 0):
            pieces.append("".join(cur))
            cur, depth = [], 0
        else:
            cur.append(ch)
    pieces.append("".join(cur))
    return pieces


def looks_like_unit(piece: str) -> bool:
    piece = piece.strip().rstrip("。.等")
    piece = re.sub(r"等$", "", piece)
    if not piece or len(piece) > 24:
        return False
    if re.search(r"[。！？!?：:“”\"]", piece) or re.search(r"\d{2,}", piece):
        return False
    if len(piece) > 6 and _TASK_START.match(piece):
        return False  # short names may start like a verb: 建设局, 组织人事部, 发展改革委
    base = re.sub(r"[(（][^()（）]*[)）]$", "", piece)  # 招商合作局(招商集团)
    return base.endswith(UNIT_SUFFIXES)


def looks_like_units(cell: str) -> bool:
    """True when every piece of the cell reads as a unit name (or a group of units)."""
    cell = cell.strip()
    if not cell or cell in ("/", "／", "-", "—", "无"):
        return cell != ""
    pieces = [p for p in split_pieces(cell) if p.strip()]
    if not pieces:
        return False
    for p in pieces:
        p = p.strip().rstrip("。.")
        m = re.match(r"^(.+?)等(.+)$", p)
        if m and looks_like_unit(m.group(2)):
            p = m.group(1)
        if not looks_like_unit(p):
            return False
    return True


def is_none_cell(cell: str) -> bool:
    return cell.strip() in ("/", "／", "-", "—", "无", "——")
